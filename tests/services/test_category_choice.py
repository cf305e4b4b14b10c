"""Choosing a category on a page: the most used first, and a new name asked about once."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from expense_tracker import clock
from expense_tracker.extensions import db
from expense_tracker.models import Category, Expense
from expense_tracker.services import expenses
from expense_tracker.services.category_choice import (
    DEFAULT_CATEGORIES,
    UnknownCategory,
    most_used_categories,
    near_matches,
)

from ..factories import make_expense


def days_ago(days: int) -> str:
    return (clock.today() - dt.timedelta(days=days)).isoformat()


def test_the_most_used_categories_of_the_last_months_come_first_by_count(user):
    for name, times in (("Coffee", 3), ("Rent", 1), ("Books", 2)):
        for _ in range(times):
            make_expense(user, category=name)

    assert most_used_categories(user.id, clock.today(), limit=3) == ["Coffee", "Books", "Rent"]


def test_a_category_used_long_ago_only_fills_up_after_the_recent_ones(user):
    for _ in range(5):
        make_expense(user, category="Old hobby", date=days_ago(200))
    make_expense(user, category="Coffee")

    offered = most_used_categories(user.id, clock.today(), limit=3)

    # Coffee by use; then the user's other categories alphabetically, then the defaults.
    assert offered == ["Coffee", "Old hobby", "Food"]


def test_another_users_categories_are_never_offered(user, other_user):
    for _ in range(4):
        make_expense(other_user, category="Secret")
    make_expense(user, category="Coffee")

    offered = most_used_categories(user.id, clock.today())

    assert "Secret" not in offered
    assert offered[0] == "Coffee"


def test_a_new_user_is_offered_the_defaults_in_order(user):
    assert most_used_categories(user.id, clock.today(), limit=8) == list(DEFAULT_CATEGORIES[:8])


def test_a_category_whose_expenses_were_all_deleted_is_not_counted_as_used(user):
    gone = make_expense(user, category="Gone")
    make_expense(user, category="Kept")
    expenses.delete_expense(user.id, gone.id)

    assert most_used_categories(user.id, clock.today(), limit=2) == ["Kept", "Gone"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Gro", ["Groceries"]),  # a prefix
        ("cerie", ["Groceries"]),  # inside, ignoring case
        ("Grocereis", ["Groceries"]),  # two letters swapped
        ("Trnsport", ["Transport"]),  # one left out
        ("Zebra", []),
    ],
)
def test_near_matches_find_what_was_probably_meant(typed, expected):
    assert near_matches(typed, ["Food", "Groceries", "Transport"]) == expected


def test_a_page_asks_before_making_a_category_that_is_new(user):
    make_expense(user, category="Groceries")

    with pytest.raises(UnknownCategory) as raised:
        expenses.create_expense(
            user.id,
            {"date": days_ago(0), "amount": "4.50", "category": "Gro"},
            ask_new_category=True,
        )

    assert raised.value.name == "Gro"
    assert raised.value.near == ["Groceries"]
    assert raised.value.errors == {"category": "There is no category “Gro” yet."}
    assert db.session.scalar(select(func.count(Expense.id))) == 1
    assert db.session.scalar(select(Category.id).where(Category.name_key == "gro")) is None


def test_the_question_comes_with_the_other_fields_messages(user):
    with pytest.raises(UnknownCategory) as raised:
        expenses.create_expense(
            user.id, {"date": "", "amount": "-1", "category": "Gro"}, ask_new_category=True
        )

    assert set(raised.value.errors) == {"date", "amount", "category"}


def test_confirming_the_new_name_makes_it(user):
    expense = expenses.create_expense(
        user.id,
        {"date": days_ago(0), "amount": "4.50", "category": "Gro", "new_category": "gro"},
        ask_new_category=True,
    )

    assert expense.category.name == "Gro"


def test_confirming_another_name_than_the_one_sent_asks_again(user):
    with pytest.raises(UnknownCategory):
        expenses.create_expense(
            user.id,
            {"date": days_ago(0), "amount": "4.50", "category": "Groc", "new_category": "Gro"},
            ask_new_category=True,
        )


@pytest.mark.parametrize("name", ["groceries", "FOOD", "Coffee"])
def test_an_existing_or_default_category_is_taken_without_asking(user, name):
    make_expense(user, category="Coffee")

    expense = expenses.create_expense(
        user.id, {"date": days_ago(0), "amount": "1", "category": name}, ask_new_category=True
    )

    assert expense.category.name_key == name.casefold()


def test_another_users_category_is_new_to_this_user(user, other_user):
    make_expense(other_user, category="Secret")

    with pytest.raises(UnknownCategory) as raised:
        expenses.create_expense(
            user.id,
            {"date": days_ago(0), "amount": "1", "category": "Secret"},
            ask_new_category=True,
        )

    assert raised.value.near == []


def test_editing_into_a_new_category_asks_too(user):
    expense = make_expense(user, category="Food")

    with pytest.raises(UnknownCategory):
        expenses.update_expense(user.id, expense.id, {"category": "Fod"}, ask_new_category=True)

    assert expenses.get_expense(user.id, expense.id).category.name == "Food"


def test_the_api_way_still_makes_a_category_by_name(user):
    expense = expenses.create_expense(
        user.id, {"date": days_ago(0), "amount": "1", "category": "Brand new"}
    )

    assert expense.category.name == "Brand new"

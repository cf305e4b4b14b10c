"""Budgets: set all at once, checked like expense amounts, and read against a month's spending."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from expense_tracker.errors import ValidationError
from expense_tracker.extensions import db
from expense_tracker.models import Budget
from expense_tracker.services.budgets import (
    budget_choices,
    categories_and_budgets,
    category_key,
    month_budgets,
    replace_budgets,
)
from expense_tracker.services.categories import CATEGORIES_MAX

from ..factories import make_expense
from ..helpers import recorded_statements, writes_to

NOVEMBER = dt.date(2026, 11, 1)


def lines_of(user_id: int, month: dt.date = NOVEMBER) -> dict[str, tuple]:
    budgets = month_budgets(user_id, month)
    return {
        line.name: (line.amount, line.spent, line.left, line.over, line.percent, line.state)
        for line in budgets.lines
    }


def test_no_budgets_reads_no_spending(user):
    make_expense(user, amount="10", date="2026-11-03")

    budgets = month_budgets(user.id, NOVEMBER)

    assert budgets.is_empty and budgets.lines == []


@pytest.mark.parametrize(
    ("spent", "left", "over", "percent", "state"),
    [
        (None, "100.00", "0.00", "0.0", "unspent"),
        ("40.00", "60.00", "0.00", "40.0", "under"),
        ("100.00", "0.00", "0.00", "100.0", "at"),
        ("100.01", "0.00", "0.01", "100.0", "over"),
        ("250.00", "0.00", "150.00", "250.0", "over"),
    ],
)
def test_budget_states_from_nothing_spent_to_over(user, spent, left, over, percent, state):
    replace_budgets(user.id, None, {"Food": "100"})
    if spent:
        make_expense(user, amount=spent, category="Food", date="2026-11-10")

    (line,) = month_budgets(user.id, NOVEMBER).lines

    assert (line.left, line.over, line.percent, line.state) == (
        Decimal(left),
        Decimal(over),
        Decimal(percent),
        state,
    )


def test_the_overall_budget_counts_every_category_of_that_month_only(user):
    replace_budgets(user.id, "500", {"Food": "100"})
    make_expense(user, amount="80", category="Food", date="2026-11-02")
    make_expense(user, amount="300", category="Rent", date="2026-11-01")
    make_expense(user, amount="999", category="Rent", date="2026-10-31")

    lines = lines_of(user.id)

    assert list(lines) == ["All spending", "Food"]
    assert lines["All spending"][1:] == (
        Decimal("380.00"),
        Decimal("120.00"),
        Decimal("0.00"),
        Decimal("76.0"),
        "under",
    )
    assert lines["Food"][1] == Decimal("80.00")


def test_spending_passed_in_is_used_instead_of_read(user):
    replace_budgets(user.id, None, {"Food": "100"})
    make_expense(user, amount="80", category="Food", date="2026-11-02")
    (food,) = month_budgets(user.id, NOVEMBER).categories

    (line,) = month_budgets(user.id, NOVEMBER, {food.category_id: Decimal("5.00")}).lines

    assert line.spent == Decimal("5.00")


def test_replacing_sets_changes_and_removes_budgets(user):
    replace_budgets(user.id, "500", {"Food": "100", "Rent": "800"})

    replace_budgets(user.id, "", {"food": "120.5", "Rent": " ", "Travel": "50"})

    assert {name: line[0] for name, line in lines_of(user.id).items()} == {
        "Food": Decimal("120.50"),
        "Travel": Decimal("50.00"),
    }
    assert db.session.scalar(select(func.count()).select_from(Budget)) == 2


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "The amount must be greater than zero."),
        ("-5", "Enter the amount as a number such as 12, 12.5 or 12.50."),
        ("12.345", "Enter the amount as a number such as 12, 12.5 or 12.50."),
        ("1000000001", "The amount can be at most 1,000,000,000."),
    ],
)
def test_bad_amounts_are_refused_per_field_and_nothing_changes(user, amount, message):
    replace_budgets(user.id, "500", {"Food": "100"})

    with pytest.raises(ValidationError) as raised:
        replace_budgets(user.id, amount, {"Food": "90", "Rent": amount})

    assert raised.value.errors == {"overall": message, "categories.Rent": message}
    assert {name: line[0] for name, line in lines_of(user.id).items()} == {
        "All spending": Decimal("500.00"),
        "Food": Decimal("100.00"),
    }


def test_a_category_named_twice_is_refused(user):
    with pytest.raises(ValidationError) as raised:
        replace_budgets(user.id, None, {"Food": "1", "FOOD": "2"})

    assert raised.value.errors == {
        "categories.FOOD": "FOOD is given twice (names match ignoring case)."
    }


def test_budgets_are_the_users_own(user, other_user):
    replace_budgets(other_user.id, "900", {"Food": "10"})
    make_expense(other_user, amount="5", category="Food", date="2026-11-05")

    assert month_budgets(user.id, NOVEMBER).is_empty
    replace_budgets(user.id, None, {"Food": "20"})
    assert lines_of(user.id)["Food"][1] == Decimal("0.00")
    assert lines_of(other_user.id)["Food"][1] == Decimal("5.00")


def test_the_database_keeps_one_overall_budget_per_user(user):
    replace_budgets(user.id, "500", {})

    db.session.add(Budget(user_id=user.id, category_id=None, amount=Decimal("1")))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_page_offers_the_users_categories_and_the_defaults(user):
    make_expense(user, category="Zoo")
    replace_budgets(user.id, "300", {"Food": "100"})

    overall, choices = budget_choices(user.id)

    assert overall == Decimal("300.00")
    names = [choice.name for choice in choices]
    assert names == sorted(names, key=str.casefold) and "Zoo" in names and "Travel" in names
    assert {c.name: c.amount for c in choices}["Food"] == Decimal("100.00")


def test_categories_and_budgets_come_in_one_read(user, other_user):
    make_expense(user, category="Rent")
    make_expense(user, category="food")
    replace_budgets(user.id, "300", {"Food": "100"})
    replace_budgets(other_user.id, "900", {"Food": "10"})

    categories, rows = categories_and_budgets(user.id)

    assert [name for _, name in categories] == ["food", "Rent"]
    food_id = categories[0][0]
    assert sorted(rows, key=str) == sorted(
        [(None, "", Decimal("300.00")), (food_id, "food", Decimal("100.00"))], key=str
    )
    lines = month_budgets(user.id, NOVEMBER, rows=rows).lines
    assert [(line.name, line.amount) for line in lines] == [
        ("All spending", Decimal("300.00")),
        ("food", Decimal("100.00")),
    ]


def test_a_budgets_save_with_many_new_names_makes_them_in_a_few_statements(user):
    wanted = {f"Kind {n}": "10" for n in range(300)}

    with recorded_statements() as statements:
        replace_budgets(user.id, None, wanted)

    assert db.session.scalar(select(func.count()).select_from(Budget)) == 300
    assert writes_to(statements, "categories") == 1
    assert len([statement for statement in statements if "categories" in statement]) <= 5


def test_a_budgets_save_past_the_category_cap_is_refused_beside_each_new_name(user):
    wanted = {f"Kind {n}": "10" for n in range(CATEGORIES_MAX + 2)}

    with pytest.raises(ValidationError) as refused:
        replace_budgets(user.id, None, wanted)

    assert sorted(refused.value.errors) == [
        category_key(f"Kind {n}") for n in sorted(range(CATEGORIES_MAX, CATEGORIES_MAX + 2))
    ]
    assert "would be a new category" in refused.value.errors[category_key(f"Kind {CATEGORIES_MAX}")]
    assert db.session.scalar(select(func.count()).select_from(Budget)) == 0


def test_a_budgets_save_writes_every_budget_in_one_statement_new_or_changed(user):
    """One upsert of the category budgets, one of the overall budget, one delete."""
    replace_budgets(user.id, "900", {f"Kind {n}": "10" for n in range(300)})
    changed = {f"Kind {n}": "20" for n in range(150)} | {f"New {n}": "5" for n in range(50)}

    with recorded_statements() as statements:
        replace_budgets(user.id, "1000", changed)

    budgets = db.session.execute(select(Budget.amount, func.count()).group_by(Budget.amount))
    assert dict(budgets.all()) == {
        Decimal("1000.00"): 1,
        Decimal("20.00"): 150,
        Decimal("5.00"): 50,
    }
    assert writes_to(statements, "budgets") == 2
    assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE BUDGETS")]
    assert len([s for s in statements if s.lstrip().upper().startswith("DELETE FROM BUDGETS")]) == 1

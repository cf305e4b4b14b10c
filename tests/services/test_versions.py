"""Lost updates on recurring expenses, categories and budgets: a change from an old copy is refused.

Expenses have theirs in test_races.py. Each change here names the version (or, for budgets,
the amounts) it was made from; a change since is not undone but refused (Stale), and
nothing of the refused change is stored.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from expense_tracker.errors import Stale, ValidationError
from expense_tracker.extensions import db
from expense_tracker.models import Category, RecurringExpense
from expense_tracker.services import budgets, categories, recurring, totals

from ..factories import make_expense

D = dt.date
START = D(2026, 1, 1)


def make_recurring(user, today: dt.date = START, **fields) -> RecurringExpense:
    raw = {
        "amount": "100",
        "category": "Housing",
        "description": "Rent",
        "frequency": "monthly",
        "start_date": START.isoformat(),
        **fields,
    }
    return recurring.create_recurring(user.id, raw, today)


def stored_recurring(recurring_id: int) -> RecurringExpense:
    db.session.expire_all()
    return db.session.get(RecurringExpense, recurring_id)


# Recurring expenses ---------------------------------------------------------------------


def test_an_edit_of_a_recurring_expense_from_a_version_changed_since_is_refused(user):
    template = make_recurring(user)
    opened = template.version
    recurring.update_recurring(user.id, template.id, {"amount": "120"}, START, versions={opened})

    with pytest.raises(Stale) as refused:
        recurring.update_recurring(
            user.id, template.id, {"description": "Flat"}, START, versions={opened}
        )

    assert str(refused.value) == "This recurring expense was changed since you opened it."
    assert refused.value.current.version == opened + 1
    stored = stored_recurring(template.id)
    assert (stored.amount, stored.description) == (Decimal("120.00"), "Rent")


@pytest.mark.parametrize(
    "change",
    [
        lambda user_id, id_: recurring.pause_recurring(user_id, id_, START),
        lambda user_id, id_: recurring.end_recurring(user_id, id_, START),
        lambda user_id, id_: recurring.update_recurring(user_id, id_, {"amount": "5"}, START),
    ],
    ids=["pause", "end", "edit"],
)
def test_each_change_the_user_makes_counts_as_a_new_version(user, change):
    template = make_recurring(user)
    opened = template.version

    change(user.id, template.id)

    assert stored_recurring(template.id).version == opened + 1
    with pytest.raises(Stale):
        recurring.update_recurring(user.id, template.id, {"amount": "7"}, START, versions={opened})


def test_the_job_moving_the_next_date_on_keeps_the_version(user):
    template = make_recurring(user)
    opened = template.version

    report = recurring.run_due(D(2026, 3, 15))
    edited = recurring.update_recurring(
        user.id, template.id, {"amount": "120"}, D(2026, 3, 15), versions={opened}
    )

    assert report.expenses == 2
    assert edited.amount == Decimal("120.00") and edited.version == opened + 1
    assert totals.check_monthly_totals() == []


def test_an_edit_that_catches_up_on_due_dates_counts_once(user):
    template = make_recurring(user)

    edited = recurring.update_recurring(
        user.id, template.id, {"amount": "120"}, D(2026, 3, 15), versions={template.version}
    )

    assert edited.version == 2
    assert stored_recurring(template.id).next_due == D(2026, 4, 1)


def test_merging_its_category_counts_as_a_change_of_a_recurring_expense(user):
    template = make_recurring(user)
    rent = make_expense(user, amount="1", category="Rent").category_id
    opened = template.version

    categories.merge_category(user.id, template.category_id, rent)

    with pytest.raises(Stale):
        recurring.update_recurring(user.id, template.id, {"amount": "7"}, START, versions={opened})


def test_a_delete_of_a_recurring_expense_changed_since_is_refused(user):
    template = make_recurring(user)
    opened = template.version
    recurring.update_recurring(user.id, template.id, {"amount": "120"}, START)

    with pytest.raises(Stale):
        recurring.delete_recurring(user.id, template.id, versions={opened})

    assert stored_recurring(template.id) is not None


def test_bad_input_is_told_before_a_stale_version(user):
    template = make_recurring(user)

    with pytest.raises(ValidationError):
        recurring.update_recurring(user.id, template.id, {"amount": "x"}, START, versions={99})


# Categories -----------------------------------------------------------------------------


def stored_category(category_id: int) -> Category:
    db.session.expire_all()
    return db.session.get(Category, category_id)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"name": "Meals"}, {"color": "5"}),
        ({"color": "5"}, {"name": "Meals"}),
        ({"name": "Meals"}, {"name": "Dining"}),
    ],
    ids=["rename-then-recolour", "recolour-then-rename", "rename-then-rename"],
)
def test_a_category_change_from_a_version_changed_since_is_refused(user, first, second):
    category = categories.create_category(user.id, {"name": "Food", "color": "1"})
    opened = category.version
    categories.update_category(user.id, category.id, first, versions={opened})

    with pytest.raises(Stale) as refused:
        categories.update_category(user.id, category.id, second, versions={opened})

    assert str(refused.value) == "This category was changed since you opened it."
    now = stored_category(category.id)
    assert refused.value.current.version == now.version == opened + 1
    assert (now.name, now.color) == (first.get("name", "Food"), int(first.get("color", 1)))


def test_filing_expenses_under_a_category_or_merging_into_it_keeps_its_version(user):
    food = make_expense(user, amount="1", category="Food").category_id
    opened = stored_category(food).version
    snacks = make_expense(user, amount="2", category="Snacks").category_id

    make_expense(user, amount="3", category="food")
    categories.merge_category(user.id, snacks, food)
    renamed = categories.update_category(user.id, food, {"name": "Meals"}, versions={opened})

    assert renamed.name == "Meals" and renamed.version == opened + 1
    assert totals.check_monthly_totals() == []


def test_merging_a_category_renamed_meanwhile_goes_ahead_by_its_id(user):
    # The merge form chose the category by id: a new name does not make it another one.
    food = make_expense(user, amount="1", category="Food").category_id
    rent = make_expense(user, amount="2", category="Rent").category_id
    categories.update_category(user.id, food, {"name": "Meals"})

    target = categories.merge_category(user.id, food, rent)

    assert target.id == rent and stored_category(food) is None
    assert totals.check_monthly_totals() == []


def test_a_bad_name_is_told_before_a_stale_version(user):
    category = categories.create_category(user.id, {"name": "Food"})

    with pytest.raises(ValidationError):
        categories.update_category(user.id, category.id, {"name": " "}, versions={99})


# Budgets --------------------------------------------------------------------------------


def stored_budgets(user_id: int) -> dict[str, Decimal]:
    db.session.expire_all()
    result = budgets.month_budgets(user_id, START)
    return {line.name: line.amount for line in result.lines}


def test_a_budgets_save_over_amounts_changed_since_is_refused_naming_those_rows(user):
    budgets.replace_budgets(user.id, "500", {"Food": "100", "Rent": "900"})
    shown = budgets.Shown("500.00", {"Food": "100.00", "Rent": "900.00"})
    budgets.replace_budgets(user.id, "500", {"Food": "150", "Rent": "900"})  # another tab

    with pytest.raises(Stale) as refused:
        budgets.replace_budgets(user.id, "600", {"Food": "120", "Rent": "950"}, shown=shown)

    assert str(refused.value) == "Some budgets were changed since you opened this page."
    assert refused.value.current == {"Food": Decimal("150.00")}
    assert stored_budgets(user.id) == {
        "All spending": Decimal("500.00"),
        "Food": Decimal("150.00"),
        "Rent": Decimal("900.00"),
    }


def test_a_budget_removed_or_set_meanwhile_is_a_change_too(user):
    budgets.replace_budgets(user.id, "500", {"Food": "100"})
    shown = budgets.Shown("500.00", {"Food": "100.00", "Rent": ""})
    budgets.replace_budgets(user.id, None, {"Food": "100", "Pets": "30"})  # another tab

    with pytest.raises(Stale) as refused:
        budgets.replace_budgets(user.id, "500", {"Food": "100", "Rent": "9"}, shown=shown)

    assert refused.value.current == {None: None, "Pets": Decimal("30.00")}


def test_a_budgets_save_over_the_amounts_stored_now_is_made(user):
    budgets.replace_budgets(user.id, "500", {"Food": "100"})
    shown = budgets.Shown("500.00", {"Food": "100.00", "Rent": ""})

    budgets.replace_budgets(user.id, "", {"Food": "120", "Rent": "9"}, shown=shown)

    assert stored_budgets(user.id) == {"Food": Decimal("120.00"), "Rent": Decimal("9.00")}


def test_a_bad_budget_is_told_before_a_stale_one(user):
    budgets.replace_budgets(user.id, "500", {})

    with pytest.raises(ValidationError):
        budgets.replace_budgets(user.id, "x", {}, shown=budgets.Shown("1.00", {}))


@pytest.mark.parametrize("name", ["overall", "Overall"])
def test_a_category_called_overall_is_not_the_overall_budget(user, name):
    budgets.replace_budgets(user.id, "500", {name: "7"})
    shown = budgets.Shown("500.00", {name: "7.00"})

    budgets.replace_budgets(user.id, "500", {name: "8"}, shown=shown)

    assert stored_budgets(user.id) == {"All spending": Decimal("500.00"), name: Decimal("8.00")}

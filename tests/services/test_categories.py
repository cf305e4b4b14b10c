"""Categories: rename, recolour, merge (totals kept exact), delete, create; each user's own."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import event, func, insert, select

from expense_tracker import clock
from expense_tracker.errors import Conflict, NotFound, ValidationError
from expense_tracker.extensions import db
from expense_tracker.models import Budget, Category, Expense, MonthlyTotal, RecurringExpense
from expense_tracker.services import budgets, categories, expenses, recurring, totals
from expense_tracker.services.reports import spending_summary

from ..factories import make_expense
from ..helpers import recorded_statements


def category_id(user, name: str) -> int:
    """The id of the user's category `name`, made and committed if new."""
    found = categories.resolve_category(user.id, name).id
    db.session.commit()
    return found


def names(user) -> list[str]:
    return [c.name for c in categories.list_categories(user.id)]


def kept_totals(category: int) -> dict:
    rows = db.session.scalars(
        select(MonthlyTotal).where(MonthlyTotal.category_id == category, MonthlyTotal.count != 0)
    )
    return {row.month: (row.total, row.count) for row in rows}


# Renaming


def test_renaming_a_category_renames_it_on_every_expense(user):
    expense = make_expense(user, category="Fod")

    categories.update_category(user.id, expense.category_id, {"name": " Food "})

    db.session.expire_all()
    assert names(user) == ["Food"]
    assert db.session.get(Expense, expense.id).category.name == "Food"
    assert expenses.list_expenses(user.id, limit=5).items[0].category == "Food"


def test_changing_only_the_case_of_a_name_is_allowed(user):
    food = category_id(user, "food")

    categories.update_category(user.id, food, {"name": "FOOD"})

    assert names(user) == ["FOOD"]
    assert categories.resolve_category(user.id, "Food").id == food


def test_renaming_to_another_categorys_name_suggests_merging(user):
    category_id(user, "Food")
    lunch = category_id(user, "Lunch")

    with pytest.raises(ValidationError) as raised:
        categories.update_category(user.id, lunch, {"name": "fOOD"})

    assert "already have a category called “Food”" in raised.value.errors["name"]
    assert "merge" in raised.value.errors["name"]
    db.session.expire_all()
    assert names(user) == ["Food", "Lunch"]


def test_another_users_category_of_the_same_name_is_no_clash(user, other_user):
    category_id(other_user, "Food")
    lunch = category_id(user, "Lunch")

    categories.update_category(user.id, lunch, {"name": "Food"})

    assert names(user) == ["Food"]


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Enter a category."), (" ", "Enter a category."), ("x" * 41, "at most 40")],
)
def test_a_bad_name_is_refused_beside_the_field(user, name, message):
    food = category_id(user, "Food")

    with pytest.raises(ValidationError) as raised:
        categories.update_category(user.id, food, {"name": name, "color": 3})

    assert message in raised.value.errors["name"]
    db.session.expire_all()
    assert (db.session.get(Category, food).name, db.session.get(Category, food).color) == (
        "Food",
        0,
    )


def test_another_users_category_cannot_be_changed(user, other_user):
    theirs = category_id(other_user, "Food")

    with pytest.raises(NotFound):
        categories.update_category(user.id, theirs, {"name": "Mine"})
    with pytest.raises(NotFound):
        categories.update_category(user.id, 2**40, {"name": "Mine"})


# Colours


def test_new_categories_take_the_least_used_colour_in_turn(user):
    ids = [category_id(user, f"Kind {n}") for n in range(12)]

    colours = [db.session.get(Category, i).color for i in ids]

    assert colours == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]


def test_a_freed_colour_is_used_again_first(user):
    first, second = category_id(user, "A"), category_id(user, "B")
    categories.update_category(user.id, first, {"color": 5})

    third = categories.create_category(user.id, {"name": "C"})

    assert (db.session.get(Category, second).color, third.color) == (1, 0)


def test_choosing_a_colour_keeps_it(user):
    food = category_id(user, "Food")

    changed = categories.update_category(user.id, food, {"color": "7"})

    assert changed.color == 7
    assert categories.category_balance(user.id, food).color == 7


@pytest.mark.parametrize("color", [10, -1, "x", "", "٣", True, None, 2.0])
def test_a_colour_outside_the_ten_is_refused(user, color):
    food = category_id(user, "Food")

    with pytest.raises(ValidationError) as raised:
        categories.update_category(user.id, food, {"color": color})

    assert raised.value.errors == {"color": "Choose one of the colours."}


def test_the_summary_carries_each_categorys_chosen_colour(user):
    expense = make_expense(user, category="Food")
    categories.update_category(user.id, expense.category_id, {"color": 6})

    summary = spending_summary(user.id)

    assert [(c.name, c.color) for c in summary.categories] == [("Food", 6)]


# Merging


def test_merging_moves_every_expense_and_adds_up_the_monthly_totals_exactly(user, runner):
    make_expense(user, amount="10.01", category="Lunch", date="2026-01-05")
    make_expense(user, amount="0.99", category="Lunch", date="2026-02-28")
    make_expense(user, amount="2.50", category="Lunch", date="2026-02-01")
    make_expense(user, amount="7.00", category="Food", date="2026-02-14")
    make_expense(user, amount="3.33", category="Food", date="2026-03-01")
    lunch, food = category_id(user, "Lunch"), category_id(user, "Food")

    target = categories.merge_category(user.id, lunch, food)

    assert target.id == food
    assert kept_totals(food) == {
        dt.date(2026, 1, 1): (Decimal("10.01"), 1),
        dt.date(2026, 2, 1): (Decimal("10.49"), 3),
        dt.date(2026, 3, 1): (Decimal("3.33"), 1),
    }
    assert db.session.get(Category, lunch) is None
    assert (
        db.session.scalars(select(MonthlyTotal).where(MonthlyTotal.category_id == lunch)).all()
        == []
    )
    moved = db.session.scalars(select(Expense.category_id).where(Expense.user_id == user.id))
    assert set(moved) == {food}
    assert totals.check_monthly_totals() == []
    checked = runner.invoke(args=["rebuild-totals", "--check"])
    assert checked.exit_code == 0 and "agree" in checked.output
    assert categories.category_balance(user.id, food).total == Decimal("23.83")


def test_merging_leaves_other_users_alone(user, other_user):
    make_expense(other_user, amount="5", category="Lunch", date="2026-01-05")
    make_expense(user, amount="1", category="Lunch", date="2026-01-05")
    make_expense(user, amount="2", category="Food", date="2026-01-05")

    categories.merge_category(user.id, category_id(user, "Lunch"), category_id(user, "Food"))

    assert [(c.name, c.total) for c in categories.list_categories(other_user.id)] == [
        ("Lunch", Decimal("5.00"))
    ]
    assert totals.check_monthly_totals() == []


def test_merging_a_category_into_itself_is_refused(user):
    make_expense(user, category="Food")
    food = category_id(user, "Food")

    with pytest.raises(ValidationError) as raised:
        categories.merge_category(user.id, food, food)

    assert "into" in raised.value.errors
    assert categories.category_balance(user.id, food).count == 1


@pytest.mark.parametrize("into", ["", "x", None, "-1", True])
def test_merging_into_nothing_chosen_is_refused_beside_the_field(user, into):
    food = category_id(user, "Food")

    with pytest.raises(ValidationError) as raised:
        categories.merge_category(user.id, food, into)

    assert raised.value.errors == {"into": "Choose the category to merge this one into."}


def test_merging_with_another_users_category_is_not_found_either_way(user, other_user):
    make_expense(user, category="Food")
    make_expense(other_user, category="Theirs")
    mine, theirs = category_id(user, "Food"), category_id(other_user, "Theirs")

    with pytest.raises(NotFound):
        categories.merge_category(user.id, mine, theirs)
    with pytest.raises(NotFound):
        categories.merge_category(user.id, theirs, mine)

    assert categories.category_balance(user.id, mine).count == 1
    assert categories.category_balance(other_user.id, theirs).count == 1


def test_a_merge_costs_the_same_few_statements_however_many_expenses_move(user):
    for n in range(40):
        make_expense(user, category="Big" if n % 8 else "Small", date=f"2026-0{n % 9 + 1}-01")
    make_expense(user, category="Target")
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        categories.merge_category(user.id, category_id(user, "Small"), category_id(user, "Target"))
        small = len(statements)
        statements.clear()
        categories.merge_category(user.id, category_id(user, "Big"), category_id(user, "Target"))
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert len(statements) == small <= 12
    assert categories.category_balance(user.id, category_id(user, "Target")).count == 41


# Deleting


def test_deleting_a_category_without_expenses(user):
    expense = make_expense(user, category="Old")
    expenses.delete_expense(user.id, expense.id)  # leaves a month's total of zero behind
    old = category_id(user, "Old")

    deleted = categories.delete_category(user.id, old)

    assert deleted.name == "Old"
    assert names(user) == []
    assert db.session.scalars(select(MonthlyTotal)).all() == []


def test_deleting_a_category_with_expenses_is_refused(user):
    make_expense(user, category="Food")
    food = category_id(user, "Food")

    with pytest.raises(Conflict) as raised:
        categories.delete_category(user.id, food)

    assert "still has expenses" in str(raised.value)
    assert names(user) == ["Food"]


def starting_next_year(user, category: str) -> int:
    """Make a recurring expense in `category` that has made no expense yet; return its id."""
    today = clock.today()
    raw = {
        "amount": "100",
        "category": category,
        "description": "Rent",
        "frequency": "monthly",
        "start_date": today.replace(year=today.year + 1, day=1).isoformat(),
    }
    return recurring.create_recurring(user.id, raw, today).id


def test_a_category_a_recurring_expense_uses_is_not_deleted(user):
    recurring_id = starting_next_year(user, "Housing")
    housing = category_id(user, "Housing")

    with pytest.raises(Conflict) as raised:
        categories.delete_category(user.id, housing)

    assert "used by a recurring expense" in str(raised.value)
    assert names(user) == ["Housing"]
    assert db.session.get(RecurringExpense, recurring_id).category_id == housing


def test_merging_moves_the_recurring_expenses_too(user):
    recurring_id = starting_next_year(user, "Rent")
    make_expense(user, category="Housing")
    housing = category_id(user, "Housing")

    categories.merge_category(user.id, category_id(user, "Rent"), housing)

    assert names(user) == ["Housing"]
    assert db.session.get(RecurringExpense, recurring_id).category_id == housing


def test_another_users_category_cannot_be_deleted(user, other_user):
    theirs = category_id(other_user, "Theirs")

    with pytest.raises(NotFound):
        categories.delete_category(user.id, theirs)

    assert names(other_user) == ["Theirs"]


# Creating


def test_creating_a_category_with_a_chosen_colour(user):
    made = categories.create_category(user.id, {"name": " Pets ", "color": 9})

    assert (made.name, made.color) == ("Pets", 9)
    assert categories.list_categories(user.id)[0].count == 0


def test_creating_a_name_you_have_is_refused_ignoring_case(user):
    category_id(user, "Food")

    with pytest.raises(ValidationError) as raised:
        categories.create_category(user.id, {"name": "FOOD"})

    assert raised.value.errors == {"name": "You already have a category called “Food”."}


def budget_amounts(user) -> dict[str | None, str]:
    rows = db.session.execute(
        select(Category.name, Budget.amount)
        .outerjoin(Category, Category.id == Budget.category_id)
        .where(Budget.user_id == user.id)
    )
    return {name: str(amount) for name, amount in rows}


def test_merging_adds_the_budgets_of_both_categories(user):
    make_expense(user, category="Coffee")
    make_expense(user, category="Food")
    budgets.replace_budgets(user.id, "900", {"Coffee": "40", "Food": "300"})

    categories.merge_category(user.id, category_id(user, "Coffee"), category_id(user, "Food"))

    assert budget_amounts(user) == {None: "900.00", "Food": "340.00"}


def test_merging_moves_a_budget_to_a_category_that_had_none(user):
    make_expense(user, category="Coffee")
    make_expense(user, category="Food")
    budgets.replace_budgets(user.id, None, {"Coffee": "40"})

    categories.merge_category(user.id, category_id(user, "Coffee"), category_id(user, "Food"))

    assert budget_amounts(user) == {"Food": "40.00"}


def fill_categories(user_id: int, count: int) -> None:
    """Give the user `count` categories straight into the table."""
    db.session.execute(
        insert(Category),
        [
            {"user_id": user_id, "name": f"Full {n}", "name_key": f"full {n}", "color": n % 10}
            for n in range(count)
        ],
    )
    db.session.commit()


def test_a_new_category_past_the_cap_is_refused_with_a_message(user):
    fill_categories(user.id, categories.CATEGORIES_MAX)

    with pytest.raises(ValidationError) as refused:
        expenses.create_expense(user.id, {"date": "2026-11-20", "amount": "5", "category": "New"})
    kept = expenses.create_expense(
        user.id, {"date": "2026-11-20", "amount": "5", "category": "FULL 7"}
    )

    assert "you have 1,000 already" in refused.value.errors["category"]
    assert kept.category.name == "Full 7"
    assert db.session.scalar(select(func.count()).select_from(Category)) == 1000


def test_many_new_categories_get_the_colours_one_at_a_time_would_in_two_reads(user):
    fill_categories(user.id, 3)  # colours 0, 1, 2 taken once

    with recorded_statements() as statements:
        plan = categories.plan_categories({user.id: [f"New {n}" for n in range(12)]})
        ids = categories.create_categories(plan)
    db.session.commit()

    colors = dict(db.session.execute(select(Category.name, Category.color)).all())
    assert [colors[f"New {n}"] for n in range(12)] == [3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4]
    assert all(ids[(user.id, f"new {n}")] for n in range(12))
    assert len(statements) == 4  # existing names, colours used, one insert, the new ids


def test_a_category_made_by_name_past_the_cap_is_refused_beside_the_name(user):
    fill_categories(user.id, categories.CATEGORIES_MAX)

    with pytest.raises(ValidationError) as refused:
        categories.create_category(user.id, {"name": "New"})

    assert "you have 1,000 already" in refused.value.errors["name"]
    assert db.session.scalar(select(func.count()).select_from(Category)) == 1000

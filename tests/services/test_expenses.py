"""Adding, changing, deleting and listing expenses, always within one user's data."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from expense_tracker.errors import NotFound, ValidationError
from expense_tracker.extensions import db
from expense_tracker.models import Category, Expense
from expense_tracker.services import expenses
from expense_tracker.services.categories import DEFAULT_CATEGORIES, category_names, with_defaults
from expense_tracker.services.filters import ExpenseFilter
from expense_tracker.services.reports import spending_summary

from ..factories import make_expense


def test_creating_an_expense_stores_clean_values(user):
    expense = expenses.create_expense(
        user.id,
        {"date": "2026-11-20", "amount": " 12.5 ", "category": " Food ", "description": " Lunch "},
    )

    db.session.expire_all()
    stored = db.session.get(Expense, expense.id)
    assert stored.user_id == user.id
    assert stored.date == dt.date(2026, 11, 20)
    assert stored.amount == Decimal("12.50")
    assert stored.category.name == "Food"
    assert stored.description == "Lunch"


def test_amounts_are_stored_as_integer_cents(user):
    make_expense(user, amount="1234.56")

    cents = db.session.execute(db.text("SELECT amount_cents FROM expenses")).scalar_one()

    assert cents == 123456


def test_invalid_input_stores_nothing_and_names_every_bad_field(user):
    with pytest.raises(ValidationError) as error:
        expenses.create_expense(
            user.id, {"date": "", "amount": "-1", "category": "", "description": "x" * 201}
        )

    assert set(error.value.errors) == {"date", "amount", "category", "description"}
    assert db.session.scalar(select(db.func.count(Expense.id))) == 0
    assert db.session.scalar(select(db.func.count(Category.id))) == 0


def test_categories_match_ignoring_case(user):
    first = make_expense(user, category="Food")
    second = make_expense(user, category="  fOOD ")

    assert second.category_id == first.category_id
    assert second.category.name == "Food"


def test_categories_match_ignoring_case_beyond_ascii(user):
    first = make_expense(user, category="Épicerie")
    second = make_expense(user, category="ÉPICERIE")

    assert second.category_id == first.category_id


def test_each_user_has_their_own_categories(user, other_user):
    mine = make_expense(user, category="Food")
    theirs = make_expense(other_user, category="food")

    assert mine.category_id != theirs.category_id
    assert theirs.category.name == "food"


def test_suggestions_are_own_categories_then_missing_defaults(user, other_user):
    make_expense(user, category="Coffee")
    make_expense(user, category="food")
    make_expense(other_user, category="Secret hobby")

    suggestions = with_defaults(category_names(user.id))

    assert suggestions[:2] == ["Coffee", "food"]
    assert "Secret hobby" not in suggestions
    assert "Food" not in suggestions
    assert suggestions[2:] == [name for name in DEFAULT_CATEGORIES if name != "Food"]


def test_updating_changes_only_the_fields_given(user):
    expense = make_expense(
        user, amount="10", category="Food", date="2026-11-20", description="Lunch"
    )

    expenses.update_expense(user.id, expense.id, {"amount": "11.25", "category": "Treats"})

    db.session.expire_all()
    stored = db.session.get(Expense, expense.id)
    assert stored.amount == Decimal("11.25")
    assert stored.category.name == "Treats"
    assert stored.description == "Lunch"
    assert stored.date == dt.date(2026, 11, 20)


def test_invalid_update_changes_nothing(user):
    expense = make_expense(user, amount="10", description="Lunch")

    with pytest.raises(ValidationError):
        expenses.update_expense(
            user.id, expense.id, {"amount": "abc", "description": "Dinner", "date": "2026-11-21"}
        )

    db.session.expire_all()
    stored = db.session.get(Expense, expense.id)
    assert (stored.amount, stored.description) == (Decimal("10.00"), "Lunch")


def test_deleting_removes_the_expense(user):
    expense = make_expense(user)

    deleted = expenses.delete_expense(user.id, expense.id)

    assert deleted.amount == Decimal("12.50")
    assert db.session.get(Expense, expense.id) is None


@pytest.mark.parametrize(
    "action",
    [
        lambda user_id, expense_id: expenses.get_expense(user_id, expense_id),
        lambda user_id, expense_id: expenses.update_expense(user_id, expense_id, {"amount": "1"}),
        lambda user_id, expense_id: expenses.delete_expense(user_id, expense_id),
    ],
    ids=["get", "update", "delete"],
)
def test_another_users_expense_is_not_found(user, other_user, action):
    theirs = make_expense(other_user, amount="99")

    with pytest.raises(NotFound):
        action(user.id, theirs.id)

    db.session.expire_all()
    assert db.session.get(Expense, theirs.id).amount == Decimal("99.00")


@pytest.mark.parametrize("expense_id", [0, -1, 10**6, 2**31, 2**63 - 1, 2**63, 10**30])
def test_ids_that_cannot_exist_are_not_found(user, expense_id):
    with pytest.raises(NotFound):
        expenses.get_expense(user.id, expense_id)


def test_list_is_newest_date_first_then_newest_entry(user):
    older = make_expense(user, date="2026-11-01", description="older")
    first_today = make_expense(user, date="2026-11-20", description="first")
    second_today = make_expense(user, date="2026-11-20", description="second")
    backdated = make_expense(user, date="2026-10-01", description="backdated")

    page = expenses.list_expenses(user.id, limit=10)

    assert [e.id for e in page.items] == [second_today.id, first_today.id, older.id, backdated.id]
    assert page.newer is None and page.older is None


def test_pages_walk_every_expense_once_in_both_directions(user, other_user):
    days = [1, 1, 1, 2, 3, 3, 4, 5, 5, 5, 5, 6]
    made = [make_expense(user, date=f"2026-11-{day:02d}") for day in days]
    make_expense(other_user, date="2026-11-03")
    expected = sorted(made, key=lambda e: (e.date, e.id), reverse=True)

    pages = [expenses.list_expenses(user.id, limit=5)]
    while pages[-1].older:
        pages.append(expenses.list_expenses(user.id, limit=5, before=pages[-1].older))
    back = [pages[-1]]
    while back[-1].newer:
        back.append(expenses.list_expenses(user.id, limit=5, after=back[-1].newer))

    assert [len(p.items) for p in pages] == [5, 5, 2]
    assert [e.id for p in pages for e in p.items] == [e.id for e in expected]
    assert [[e.id for e in p.items] for p in back] == [[e.id for e in p.items] for p in pages][::-1]
    assert back[-1].newer is None


def test_newer_than_the_newest_shows_the_first_page(user):
    expense = make_expense(user)

    page = expenses.list_expenses(user.id, limit=5, after=expenses.Cursor(expense.date, expense.id))

    assert [e.id for e in page.items] == [expense.id]
    assert page.newer is None


def test_concurrent_first_uses_of_a_category_create_it_once(app, user):
    user_id = user.id
    errors = []
    barrier = threading.Barrier(4)

    def add(n):
        with app.app_context():
            try:
                barrier.wait()
                make_expense_for(user_id, n)
            except Exception as error:  # noqa: BLE001 - any failure fails the test below
                errors.append(error)

    def make_expense_for(user_id, n):
        expenses.create_expense(
            user_id, {"date": "2026-11-20", "amount": str(n + 1), "category": "Shared"}
        )

    threads = [threading.Thread(target=add, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert db.session.scalar(select(db.func.count(Category.id))) == 1
    assert db.session.scalar(select(db.func.count(Expense.id))) == 4


def explained_plans(calls) -> list[str]:
    """Run `calls`, then return the database's plan of each statement it made on expenses."""
    executed = []

    def record(conn, cursor, statement, parameters, context, executemany):
        executed.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        calls()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        # Tiny tables make a sequential scan cheapest; forbid it to see whether an
        # index can serve the filter and the order without a sort.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        explain = "EXPLAIN"
    else:
        explain = "EXPLAIN QUERY PLAN"
    return [
        " ".join(
            str(row) for row in connection.exec_driver_sql(f"{explain} {statement}", parameters)
        )
        for statement, parameters in executed
        if "FROM expenses" in statement
    ]


def sorts(plan: str) -> bool:
    return "TEMP B-TREE FOR ORDER BY" in plan or "Sort " in plan or "Sort  (" in plan


def test_the_dashboard_list_reads_the_users_index(user):
    older = expenses.Cursor.of(make_expense(user, date="2026-11-01"))

    plans = explained_plans(
        lambda: (
            expenses.list_expenses(user.id, limit=50),
            expenses.list_expenses(user.id, limit=50, before=older),
        )
    )

    assert len(plans) == 2
    for plan in plans:
        assert "ix_expenses_user_date_id" in plan
        assert not sorts(plan)


def test_a_category_filter_reads_the_category_index(user):
    make_expense(user, category="Food")
    food = ExpenseFilter(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30), category="food")

    plans = explained_plans(
        lambda: (
            expenses.list_expenses(user.id, limit=50, expense_filter=food),
            spending_summary(user.id, food),
        )
    )

    assert len(plans) == 1  # a whole month's summary reads the kept totals, not expenses
    # PostgreSQL weighs the two indexes by its statistics; either serves the query.
    expected = "ix_expenses_user_" if "Index Cond" in plans[0] else "ix_expenses_user_category_date"
    assert expected in plans[0]
    assert not sorts(plans[0])


def test_a_category_search_reads_only_the_covering_index(user):
    make_expense(user, category="Food", description="Coffee beans")
    search = ExpenseFilter(
        start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30), category="food", text="coffee"
    )

    plans = explained_plans(
        lambda: (
            expenses.list_expenses(user.id, limit=50, expense_filter=search),
            spending_summary(user.id, search),
        )
    )

    assert len(plans) == 2
    for plan in plans:
        assert not sorts(plan)
        # PostgreSQL weighs the indexes by statistics that depend on the tests run before;
        # any index serves. SQLite always picks this one.
        if db.session.get_bind().dialect.name == "sqlite":
            assert "COVERING INDEX ix_expenses_user_category_date_cover" in plan
        else:
            assert " on expenses" in plan and "Seq Scan on expenses" not in plan

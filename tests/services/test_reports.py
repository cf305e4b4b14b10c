"""The spending summary: exact totals and shares, computed by the database."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import event

from expense_tracker.extensions import db
from expense_tracker.services.filters import parse_filter
from expense_tracker.services.reports import spending_summary, summary_with_comparison

from ..factories import make_expense


def test_empty_summary(user):
    summary = spending_summary(user.id)

    assert summary.total == Decimal("0.00")
    assert summary.count == 0
    assert summary.categories == []


def test_summary_totals_and_shares_largest_first(user):
    make_expense(user, amount="30", category="Food")
    make_expense(user, amount="10", category="food")
    make_expense(user, amount="60", category="Rent")

    summary = spending_summary(user.id)

    assert summary.total == Decimal("100.00")
    assert summary.count == 3
    assert [(c.name, c.total, c.count, c.percent) for c in summary.categories] == [
        ("Rent", Decimal("60.00"), 1, Decimal("60.0")),
        ("Food", Decimal("40.00"), 2, Decimal("40.0")),
    ]


def test_summary_is_only_the_users_own(user, other_user):
    make_expense(user, amount="5", category="Food")
    make_expense(other_user, amount="500", category="Yacht")

    summary = spending_summary(user.id)

    assert summary.total == Decimal("5.00")
    assert [c.name for c in summary.categories] == ["Food"]


def test_totals_never_drift(user):
    for _ in range(10):
        make_expense(user, amount="0.10", category="Sweets")
    make_expense(user, amount="0.20", category="Sweets")

    summary = spending_summary(user.id)

    assert summary.total == Decimal("1.20")
    assert str(summary.categories[0].total) == "1.20"


def test_equal_totals_are_ordered_by_name(user):
    make_expense(user, amount="5", category="b")
    make_expense(user, amount="5", category="a")

    assert [c.name for c in spending_summary(user.id).categories] == ["a", "b"]


def test_all_time_summary_is_one_grouped_query_of_the_kept_totals(user):
    for n in range(20):
        make_expense(user, amount=str(n + 1), category=f"C{n % 3}")
    user_id = user.id
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        summary = spending_summary(user_id)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)

    assert summary.count == 20
    assert len(statements) == 1
    assert "GROUP BY" in statements[0]
    assert "FROM monthly_totals" in statements[0]
    assert "FROM expenses" not in statements[0]


@pytest.mark.parametrize(
    ("args", "table"),
    [({}, "FROM monthly_totals"), ({"category": "c1", "q": "x"}, "FROM expenses")],
)
def test_a_month_and_the_one_before_are_summed_by_one_query(user, args, table):
    for amount, category, date, description in [
        ("10", "C1", "2026-10-01", "x"),
        ("20", "C1", "2026-10-31", "x"),
        ("5", "Rent", "2026-10-15", "x"),
        ("7", "C1", "2026-11-01", "x"),
        ("3", "C1", "2026-11-30", "y"),
        ("1", "Rent", "2026-11-15", "x"),
    ]:
        make_expense(user, amount=amount, category=category, date=date, description=description)
    this_month = parse_filter(args, dt.date(2026, 11, 24))
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        summary, comparison = summary_with_comparison(user.id, this_month)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)

    assert len(statements) == 1 and table in statements[0]
    assert (summary.total, summary.count) == ((Decimal("11.00"), 3) if not args else (7, 1))
    assert comparison.previous_total == (Decimal("35.00") if not args else Decimal("30.00"))

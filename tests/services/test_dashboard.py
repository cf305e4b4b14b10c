"""The dashboard use case: one object of every figure, read without writing anything."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from expense_tracker.extensions import db
from expense_tracker.models import User
from expense_tracker.services import budgets, recurring, reports, trends
from expense_tracker.services.dashboard import dashboard
from expense_tracker.services.filters import parse_filter

from ..factories import make_expense
from ..helpers import recorded_statements

TODAY = dt.date(2026, 11, 24)


def board_of(user, raw: dict[str, str], today: dt.date = TODAY, limit: int = 5):
    return dashboard(user.id, parse_filter(raw, today), today, limit=limit)


def test_its_figures_are_those_of_the_services_it_is_made_of(user):
    make_expense(user, "30", "Food", "2026-11-03", "Lunch")
    make_expense(user, "970", "Rent", "2026-11-01", "Rent")
    make_expense(user, "12", "Food", "2026-10-15")
    budgets.replace_budgets(user.id, "1500", {"Food": "20"})
    expense_filter = parse_filter({"period": "this-month"}, TODAY)

    board = board_of(user, {"period": "this-month"})

    summary, comparison = reports.summary_with_comparison(user.id, expense_filter)
    assert (board.summary, board.comparison) == (summary, comparison)
    assert board.trend == trends.monthly_trend(user.id, expense_filter, TODAY)
    assert board.budgets == budgets.month_budgets(user.id, dt.date(2026, 11, 1))
    assert [line.state for line in board.budgets.lines] == ["under", "over"]
    assert board.categories == ["Food", "Rent"]
    assert [row.description for row in board.expenses.items] == ["Lunch", "Rent"]
    assert board.has_expenses and not board.is_new_user


def test_a_text_filter_leaves_the_trend_out_and_filters_the_rest(user):
    make_expense(user, "5", "Food", "2026-11-03", "coffee")
    make_expense(user, "7", "Food", "2026-11-04", "tea")

    board = board_of(user, {"period": "this-month", "q": "coffee"})

    assert board.trend is None
    assert board.summary.total == Decimal("5.00")
    assert board.trend_months == (dt.date(2025, 12, 1), dt.date(2026, 11, 1))


def test_a_new_user_has_no_expenses_and_one_outside_the_filter_has(user):
    assert board_of(user, {"period": "this-month"}).is_new_user

    make_expense(user, "5", "Food", "2025-01-03")
    board = board_of(user, {"period": "this-month"})

    assert board.expenses.items == [] and board.has_expenses


def test_reading_the_dashboard_writes_nothing_even_with_a_recurring_expense_due(user):
    recurring.create_recurring(
        user.id,
        {
            "amount": "950",
            "category": "Housing",
            "description": "Rent",
            "frequency": "monthly",
            "start_date": "2026-10-01",
        },
        dt.date(2026, 10, 1),
    )
    later = dt.date(2026, 12, 2)
    assert recurring.is_due(db.session.get(User, user.id), later)

    with recorded_statements() as statements:
        board = board_of(user, {"period": "this-month"}, today=later)

    assert statements
    assert not [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert board.summary.total == Decimal("0.00")


def test_making_what_is_due_comes_first_and_only_when_due(user):
    recurring.create_recurring(
        user.id,
        {
            "amount": "950",
            "category": "Housing",
            "description": "Rent",
            "frequency": "monthly",
            "start_date": "2026-10-01",
        },
        dt.date(2026, 10, 1),
    )
    owner = db.session.get(User, user.id)

    assert recurring.make_due_for(owner, dt.date(2026, 10, 31)) == 0
    assert recurring.make_due_for(owner, dt.date(2026, 12, 2)) == 2
    assert board_of(user, {"period": "this-month"}, today=dt.date(2026, 12, 2)).summary.total == (
        Decimal("950.00")
    )

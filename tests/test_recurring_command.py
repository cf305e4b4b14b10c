"""The run-recurring command, as cron runs it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from expense_tracker.extensions import db
from expense_tracker.models import Expense
from expense_tracker.services import recurring, totals


def test_run_recurring_makes_what_is_due_once_and_says_how_much(app, runner, user, other_user):
    with app.app_context():
        for person in (user, other_user):
            recurring.create_recurring(
                person.id,
                {
                    "amount": "9.99",
                    "category": "Fun",
                    "frequency": "weekly",
                    "start_date": "2026-01-01",
                },
                dt.date(2026, 1, 1),
            )

    first = runner.invoke(args=["run-recurring", "--today", "2026-01-15"])
    again = runner.invoke(args=["run-recurring", "--today", "2026-01-15"])

    assert first.exit_code == 0, first.output
    assert first.output == "Made 4 recurring expenses for 2 users, due up to 2026-01-15.\n"
    assert again.output == "Made 0 recurring expenses for 0 users, due up to 2026-01-15.\n"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Expense)) == 6
        assert totals.check_monthly_totals() == []


def test_run_recurring_refuses_a_malformed_date(runner):
    result = runner.invoke(args=["run-recurring", "--today", "24/11/2026"])

    assert result.exit_code == 2
    assert "Invalid value for '--today'" in result.output

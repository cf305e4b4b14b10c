"""Recurring expenses: schedules, the job that makes their expenses once, and their changes."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from expense_tracker import clock
from expense_tracker.errors import NotFound, ValidationError
from expense_tracker.extensions import db
from expense_tracker.models import Expense, RecurringExpense, RecurringOccurrence, User
from expense_tracker.services import accounts, expenses, recurring, totals

D = dt.date


def make_recurring(user, today: dt.date, **fields) -> RecurringExpense:
    raw = {
        "amount": "100",
        "category": "Housing",
        "description": "Rent",
        "frequency": "monthly",
        "start_date": today.isoformat(),
        **fields,
    }
    return recurring.create_recurring(user.id, raw, today)


def dates_made(user_id: int) -> list[dt.date]:
    return list(
        db.session.scalars(
            select(Expense.date).where(Expense.user_id == user_id).order_by(Expense.date)
        )
    )


def user_due(user_id: int) -> dt.date | None:
    db.session.expire_all()
    return db.session.get(User, user_id).recurring_due


# Schedules ------------------------------------------------------------------------------


# Making expenses ------------------------------------------------------------------------


def test_a_start_in_the_past_fills_in_every_date_up_to_today(user):
    today = D(2026, 11, 24)

    make_recurring(user, today, start_date="2026-01-31", day_of_month="31")

    assert dates_made(user.id) == [
        D(2026, 1, 31),
        D(2026, 2, 28),
        D(2026, 3, 31),
        D(2026, 4, 30),
        D(2026, 5, 31),
        D(2026, 6, 30),
        D(2026, 7, 31),
        D(2026, 8, 31),
        D(2026, 9, 30),
        D(2026, 10, 31),
    ]
    assert user_due(user.id) == D(2026, 11, 30)


def test_expenses_made_carry_the_recurring_expenses_amount_category_and_description(user):
    make_recurring(user, D(2026, 11, 24), amount="950.50", description="Flat")

    made = db.session.scalars(select(Expense)).one()

    assert (made.amount, made.category.name, made.description) == (
        Decimal("950.50"),
        "Housing",
        "Flat",
    )


def test_made_expenses_keep_the_monthly_totals_right(user):
    make_recurring(user, D(2026, 11, 24), start_date="2025-11-24", frequency="weekly")

    assert totals.check_monthly_totals() == []
    assert len(dates_made(user.id)) == 53


def test_running_the_job_twice_makes_each_expense_once(user):
    make_recurring(user, D(2026, 1, 1), start_date="2026-01-01", frequency="weekly")

    first = recurring.run_due(D(2026, 3, 1))
    second = recurring.run_due(D(2026, 3, 1))

    assert (first.expenses, first.users) == (8, 1)
    assert (second.expenses, second.users) == (0, 0)
    assert len(dates_made(user.id)) == 9


def test_the_job_counts_expenses_and_users_and_moves_each_users_due_date(user, other_user):
    make_recurring(user, D(2026, 1, 1), start_date="2026-01-05")
    make_recurring(other_user, D(2026, 1, 1), start_date="2026-06-10", frequency="yearly")

    report = recurring.run_due(D(2026, 3, 5))

    assert (report.expenses, report.users) == (3, 1)
    assert user_due(user.id) == D(2026, 4, 5)
    assert user_due(other_user.id) == D(2026, 6, 10)


def test_a_direct_duplicate_occurrence_is_refused_by_the_database(user):
    recurring_expense = make_recurring(user, D(2026, 11, 24))
    now = clock.now()
    row = {"template_id": recurring_expense.id, "due_date": D(2026, 11, 24), "created_at": now}

    with pytest.raises(IntegrityError):
        db.session.execute(insert(RecurringOccurrence).values(**row))
    db.session.rollback()


def test_runs_at_the_same_time_make_each_expense_once(app, user, monkeypatch):
    with app.app_context():
        make_recurring(user, D(2026, 1, 1), start_date="2026-01-01", frequency="weekly")
    runs = 4
    # Every run has read the recurring expense, at the same stale cursor, before any run claims a
    # date: only the unique (template_id, due_date) pair stands between them and duplicates on
    # PostgreSQL (SQLite's write lock, taken before the re-read, lets one run at a time).
    barrier = threading.Barrier(runs, timeout=30)
    due_batch = recurring._due_batch
    waited = threading.local()

    def read_together(*args):
        found = due_batch(*args)
        if not getattr(waited, "once", False):
            waited.once = True
            barrier.wait()
        return found

    monkeypatch.setattr(recurring, "_due_batch", read_together)
    reports, errors = [], []

    def run():
        with app.app_context():
            try:
                reports.append(recurring.run_due(D(2026, 6, 30)))
            except Exception as error:  # noqa: BLE001 - any failure fails the test below
                errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(report.expenses for report in reports) == 25
    with app.app_context():
        made = dates_made(user.id)
        assert len(made) == len(set(made)) == 26
        assert totals.check_monthly_totals() == []
        assert user_due(user.id) == D(2026, 7, 2)


def test_a_deleted_expense_is_not_made_again(user):
    make_recurring(user, D(2026, 11, 24))
    made = db.session.scalars(select(Expense)).one()

    expenses.delete_expense(user.id, made.id)
    recurring.run_due(D(2026, 11, 24))

    assert dates_made(user.id) == []
    occurrence = db.session.scalars(select(RecurringOccurrence)).one()
    assert occurrence.expense_id is None


def test_deleting_a_recurring_expense_keeps_its_expenses(user):
    recurring_expense = make_recurring(user, D(2026, 11, 24), start_date="2026-10-01")

    recurring.delete_recurring(user.id, recurring_expense.id)

    assert dates_made(user.id) == [D(2026, 10, 1), D(2026, 11, 1)]
    assert db.session.scalar(select(func.count()).select_from(RecurringOccurrence)) == 0
    assert user_due(user.id) is None


def test_the_user_row_holds_the_earliest_due_date_of_active_recurring_expenses(user):
    today = D(2026, 11, 24)
    make_recurring(user, today, start_date="2026-12-20")
    soon = make_recurring(user, today, start_date="2026-12-03", frequency="weekly")
    assert user_due(user.id) == D(2026, 12, 3)

    recurring.pause_recurring(user.id, soon.id, today)

    assert user_due(user.id) == D(2026, 12, 20)


# Pause, resume, end, edit ---------------------------------------------------------------


def test_pausing_skips_the_dates_while_paused_and_resuming_does_not_back_fill(user):
    recurring_expense = make_recurring(
        user, D(2026, 1, 1), start_date="2026-01-01", frequency="weekly"
    )

    recurring.pause_recurring(user.id, recurring_expense.id, D(2026, 1, 10))
    recurring.run_due(D(2026, 2, 1))
    recurring.resume_recurring(user.id, recurring_expense.id, D(2026, 2, 4))
    recurring.run_due(D(2026, 2, 12))

    assert dates_made(user.id) == [D(2026, 1, 1), D(2026, 1, 8), D(2026, 2, 5), D(2026, 2, 12)]


def test_pausing_first_makes_what_was_due(user):
    recurring_expense = make_recurring(
        user, D(2026, 1, 1), start_date="2026-01-01", frequency="weekly"
    )

    recurring.pause_recurring(user.id, recurring_expense.id, D(2026, 1, 15))

    assert dates_made(user.id) == [D(2026, 1, 1), D(2026, 1, 8), D(2026, 1, 15)]
    assert user_due(user.id) is None


def test_resuming_on_a_due_day_makes_that_days_expense(user):
    recurring_expense = make_recurring(user, D(2026, 1, 1), start_date="2026-01-01")
    recurring.pause_recurring(user.id, recurring_expense.id, D(2026, 1, 2))

    recurring.resume_recurring(user.id, recurring_expense.id, D(2026, 3, 1))

    assert dates_made(user.id) == [D(2026, 1, 1), D(2026, 3, 1)]
    assert user_due(user.id) == D(2026, 4, 1)


def test_ending_stops_every_date_after_today(user):
    recurring_expense = make_recurring(user, D(2026, 1, 1), start_date="2026-01-01")

    ended = recurring.end_recurring(user.id, recurring_expense.id, D(2026, 2, 15))
    recurring.run_due(D(2026, 12, 31))

    assert dates_made(user.id) == [D(2026, 1, 1), D(2026, 2, 1)]
    assert recurring.status_of(ended) == "ended"
    assert user_due(user.id) is None


def test_an_end_date_in_the_form_is_the_last_possible_date(user):
    make_recurring(user, D(2026, 1, 1), start_date="2026-01-01", end_date="2026-03-01")

    recurring.run_due(D(2026, 12, 31))

    assert dates_made(user.id) == [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]


def test_editing_changes_only_the_dates_after_today(user):
    recurring_expense = make_recurring(user, D(2026, 1, 1), start_date="2026-01-01")

    recurring.update_recurring(
        user.id,
        recurring_expense.id,
        {
            "amount": "120",
            "category": "Housing",
            "description": "Rent",
            "frequency": "monthly",
            "start_date": "2026-01-01",
            "day_of_month": "15",
        },
        D(2026, 3, 10),
    )
    recurring.run_due(D(2026, 5, 1))

    made = db.session.execute(select(Expense.date, Expense.amount).order_by(Expense.date)).all()
    assert [(day, str(amount)) for day, amount in made] == [
        (D(2026, 1, 1), "100.00"),
        (D(2026, 2, 1), "100.00"),
        (D(2026, 3, 1), "100.00"),
        (D(2026, 3, 15), "120.00"),
        (D(2026, 4, 15), "120.00"),
    ]


def test_fields_left_out_of_a_change_keep_their_values(user):
    recurring_expense = make_recurring(
        user, D(2026, 1, 1), start_date="2026-01-31", end_date="2026-12-31"
    )

    changed = recurring.update_recurring(
        user.id, recurring_expense.id, {"amount": "7"}, D(2026, 1, 31)
    )

    assert (changed.amount, changed.description, changed.end_date) == (
        Decimal("7.00"),
        "Rent",
        D(2026, 12, 31),
    )
    assert changed.day_of_month is None and changed.next_due == D(2026, 2, 28)


def test_moving_a_future_start_into_the_past_fills_it_in(user):
    recurring_expense = make_recurring(user, D(2026, 3, 10), start_date="2026-04-01")

    recurring.update_recurring(
        user.id,
        recurring_expense.id,
        {"amount": "5", "category": "Fun", "frequency": "monthly", "start_date": "2026-01-01"},
        D(2026, 3, 10),
    )

    assert dates_made(user.id) == [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]


def test_removing_the_end_date_of_an_ended_recurring_expense_restarts_it_tomorrow(user):
    recurring_expense = make_recurring(
        user, D(2026, 1, 1), start_date="2026-01-01", frequency="weekly"
    )
    recurring.end_recurring(user.id, recurring_expense.id, D(2026, 1, 3))

    recurring.update_recurring(
        user.id,
        recurring_expense.id,
        {"end_date": ""},
        D(2026, 2, 1),
    )

    assert user_due(user.id) == D(2026, 2, 5)


# Validation and ownership ---------------------------------------------------------------


def test_bad_input_names_every_bad_field_and_stores_nothing(user):
    with pytest.raises(ValidationError) as error:
        recurring.create_recurring(
            user.id,
            {
                "amount": "0",
                "category": "",
                "frequency": "daily",
                "start_date": "2026-02-30",
                "end_date": "soon",
                "day_of_month": "32",
            },
            D(2026, 11, 24),
        )

    assert set(error.value.errors) == {
        "amount",
        "category",
        "frequency",
        "start_date",
        "end_date",
        "day_of_month",
    }
    assert db.session.scalar(select(func.count()).select_from(RecurringExpense)) == 0


def test_the_end_cannot_come_before_the_start(user):
    with pytest.raises(ValidationError) as error:
        make_recurring(user, D(2026, 11, 24), end_date="2026-11-23")

    assert error.value.errors == {"end_date": "The end date cannot be before the start date."}


def test_a_start_more_than_three_years_back_is_refused(user):
    with pytest.raises(ValidationError) as error:
        make_recurring(user, D(2026, 11, 24), start_date="2023-11-23")

    assert "at most 3 years ago (2023-11-24)" in error.value.errors["start_date"]


def test_another_users_recurring_expense_is_not_found(user, other_user):
    recurring_expense = make_recurring(user, D(2026, 11, 24))

    with pytest.raises(NotFound):
        recurring.pause_recurring(other_user.id, recurring_expense.id, D(2026, 11, 24))
    with pytest.raises(NotFound):
        recurring.delete_recurring(other_user.id, recurring_expense.id)


def test_deleting_the_account_deletes_its_recurring_expenses(user):
    make_recurring(user, D(2026, 11, 24), start_date="2026-10-01")

    accounts.delete_account(user.id, user.password, "127.0.0.1")

    assert db.session.scalar(select(func.count()).select_from(RecurringExpense)) == 0
    assert db.session.scalar(select(func.count()).select_from(RecurringOccurrence)) == 0

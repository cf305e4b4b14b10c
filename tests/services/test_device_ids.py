"""An expense a device made carries the device's id: sent again, it is stored only once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from expense_tracker.errors import ValidationError
from expense_tracker.extensions import db
from expense_tracker.models import Expense, MonthlyTotal
from expense_tracker.services import expenses, totals

from .test_races import in_threads, together_before_commit

DEVICE_ID = "0b7e4c1e-8f2a-4d53-9a61-3f1c2d4e5f60"
LUNCH = {"date": "2026-11-20", "amount": "4.50", "category": "Food", "description": "Lunch"}


def stored_rows(user_id: int) -> list[tuple]:
    db.session.expire_all()
    return db.session.execute(
        select(Expense.id, Expense.amount, Expense.client_id).where(Expense.user_id == user_id)
    ).all()


def counted(user_id: int) -> tuple[Decimal, int]:
    """The user's kept monthly totals: the amount and the number of expenses."""
    row = db.session.execute(
        select(func.sum(MonthlyTotal.total), func.sum(MonthlyTotal.count)).where(
            MonthlyTotal.user_id == user_id
        )
    ).one()
    return row[0], row[1]


def test_an_expense_sent_again_is_answered_with_the_stored_one(user):
    first = expenses.create_expense_once(user.id, DEVICE_ID, LUNCH)
    again = expenses.create_expense_once(user.id, DEVICE_ID, LUNCH)

    assert (first.new, again.new) == (True, False)
    assert again.expense.id == first.expense.id
    assert stored_rows(user.id) == [(first.expense.id, Decimal("4.50"), DEVICE_ID)]
    assert counted(user.id) == (Decimal("4.50"), 1)


def test_a_replay_that_differs_changes_nothing_stored(user):
    first = expenses.create_expense_once(user.id, DEVICE_ID, LUNCH)

    again = expenses.create_expense_once(user.id, DEVICE_ID, {**LUNCH, "amount": "99"})

    assert again.expense.amount == Decimal("4.50")
    assert stored_rows(user.id) == [(first.expense.id, Decimal("4.50"), DEVICE_ID)]
    assert counted(user.id) == (Decimal("4.50"), 1)


def test_a_replay_is_answered_even_when_it_would_now_be_refused(user):
    """The expense was stored: a check made later (a new category now asked about) does
    not turn its replay into an error the device would keep."""
    first = expenses.create_expense_once(user.id, DEVICE_ID, {**LUNCH, "category": "Kiosk"})

    again = expenses.create_expense_once(
        user.id, DEVICE_ID, {**LUNCH, "category": "Kiosk2"}, ask_new_category=True
    )

    assert again == expenses.Created(first.expense, new=False)


def test_the_same_device_id_from_two_users_is_two_expenses(user, other_user):
    mine = expenses.create_expense_once(user.id, DEVICE_ID, LUNCH)
    theirs = expenses.create_expense_once(other_user.id, DEVICE_ID, LUNCH)

    assert theirs.new
    assert theirs.expense.id != mine.expense.id
    assert len(stored_rows(user.id)) == len(stored_rows(other_user.id)) == 1


def test_expenses_without_a_device_id_are_each_stored(user):
    expenses.create_expense_once(user.id, None, LUNCH)
    expenses.create_expense_once(user.id, "", LUNCH)
    expenses.create_expense(user.id, LUNCH)

    assert [row.client_id for row in stored_rows(user.id)] == [None, None, None]
    assert counted(user.id) == (Decimal("13.50"), 3)


@pytest.mark.parametrize("bad", ["short", "x" * 65, "has space!", "ünïcode-id", "a/b/c/d/e"])
def test_a_malformed_device_id_is_refused_and_nothing_is_stored(user, bad):
    with pytest.raises(ValidationError) as refused:
        expenses.create_expense_once(user.id, bad, LUNCH)

    assert list(refused.value.errors) == ["client_id"]
    assert stored_rows(user.id) == []


def test_a_malformed_replay_is_refused_and_the_stored_expense_stays(user):
    first = expenses.create_expense_once(user.id, DEVICE_ID, LUNCH)

    with pytest.raises(ValidationError) as refused:
        expenses.create_expense_once(user.id, DEVICE_ID, {**LUNCH, "description": "x" * 201})

    assert list(refused.value.errors) == ["description"]
    assert stored_rows(user.id) == [(first.expense.id, Decimal("4.50"), DEVICE_ID)]


def test_a_replay_of_a_refused_expense_is_refused_again(user):
    with pytest.raises(ValidationError):
        expenses.create_expense_once(user.id, DEVICE_ID, {**LUNCH, "amount": "-1"})

    made = expenses.create_expense_once(user.id, DEVICE_ID, LUNCH)

    assert made.new
    assert len(stored_rows(user.id)) == 1


def test_four_sends_of_one_expense_at_once_store_it_once(app, user):
    """Four clients send the same expense together; each gets an answer, the same one."""

    def send() -> tuple[int, bool]:
        made = expenses.create_expense_once(user.id, DEVICE_ID, LUNCH)
        return made.expense.id, made.new

    with together_before_commit(4):
        outcomes = in_threads(app, *[send] * 4)

    assert all(isinstance(outcome, tuple) for outcome in outcomes), outcomes
    assert len({expense_id for expense_id, _ in outcomes}) == 1
    assert sorted(new for _, new in outcomes) == [False, False, False, True]
    assert len(stored_rows(user.id)) == 1
    assert counted(user.id) == (Decimal("4.50"), 1)
    assert totals.check_monthly_totals() == []

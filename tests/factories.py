"""Small functions that make test data through the real services."""

from __future__ import annotations

from typing import Protocol

from expense_tracker import clock
from expense_tracker.models import Expense, User
from expense_tracker.services import accounts, expenses

PASSWORD = "correct horse battery"
# Expenses dated today fall in the dashboard's default period, This month, whatever the date.
TODAY = clock.today().isoformat()


class HasId(Protocol):
    id: int


def make_user(username: str = "alice", password: str = PASSWORD) -> User:
    return accounts.register(username, password, password)


def make_expense(
    user: HasId,
    amount: str = "12.50",
    category: str = "Food",
    date: str = TODAY,
    description: str = "",
) -> Expense:
    return expenses.create_expense(
        user.id,
        {"date": date, "amount": amount, "category": category, "description": description},
    )

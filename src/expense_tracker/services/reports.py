"""Reports: what a user spent, in total and by category, computed by the database."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from ..extensions import db
from ..models import Category, Expense

ZERO = Decimal("0.00")
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class CategoryTotal:
    """One category's share of the spending."""

    name: str
    total: Decimal
    count: int
    percent: Decimal


@dataclass(frozen=True)
class Summary:
    """Total spending and its breakdown by category, largest first."""

    total: Decimal
    count: int
    categories: list[CategoryTotal]


def percent_of(part: Decimal, whole: Decimal) -> Decimal:
    """Return `part` as a percentage of `whole`, one decimal, rounded half up."""
    if not whole:
        return Decimal("0.0")
    return (part * 100 / whole).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def spending_summary(user_id: int) -> Summary:
    """Return the user's total and per-category spending, grouped by the database."""
    total_column = func.sum(Expense.amount)
    rows = db.session.execute(
        select(Category.name, total_column, func.count(Expense.id))
        .join(Expense.category)
        .where(Expense.user_id == user_id)
        .group_by(Category.id, Category.name)
        .order_by(total_column.desc(), Category.name)
    ).all()
    total = sum((row[1] for row in rows), ZERO)
    count = sum(row[2] for row in rows)
    categories = [
        CategoryTotal(name=name, total=amount, count=n, percent=percent_of(amount, total))
        for name, amount, n in rows
    ]
    return Summary(total=total, count=count, categories=categories)

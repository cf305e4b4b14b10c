"""Reports: what a user spent, in total and by category, computed by the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from ..extensions import db
from ..models import Category, Expense, MonthlyTotal
from .filters import ExpenseFilter, category_id_query, expense_conditions, month_end
from .totals import month_of

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


@dataclass(frozen=True)
class Comparison:
    """A period's total next to the total of the period before it."""

    previous_total: Decimal
    change_percent: Decimal | None  # None when there was nothing to compare with


def percent_of(part: Decimal, whole: Decimal) -> Decimal:
    """Return `part` as a percentage of `whole`, one decimal, rounded half up."""
    if not whole:
        return Decimal("0.0")
    return (part * 100 / whole).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def split_by_months(
    start: dt.date | None, end: dt.date | None
) -> tuple[tuple[dt.date | None, dt.date | None] | None, list[tuple[dt.date, dt.date]]]:
    """Split a date range into whole months (first and last month) and partial months' days.

    Whole months are read from the kept monthly totals; only the days of a partly
    covered month at either end need the expenses themselves.
    """
    if start and end and month_of(start) == month_of(end):
        if start.day == 1 and end == month_end(end):
            return (start, start), []
        return None, [(start, end)]
    partial = []
    first = start
    if start is not None and start.day != 1:
        partial.append((start, month_end(start)))
        first = month_end(start) + dt.timedelta(days=1)
    last = month_of(end) if end is not None else None
    if end is not None and end != month_end(end):
        partial.append((month_of(end), end))
        last = month_of(month_of(end) - dt.timedelta(days=1))
    if first is not None and last is not None and first > last:
        return None, partial
    return (first, last), partial


def _from_totals(user_id: int, expense_filter: ExpenseFilter, first, last) -> list:
    query = (
        select(
            Category.id, Category.name, func.sum(MonthlyTotal.total), func.sum(MonthlyTotal.count)
        )
        .join(Category, Category.id == MonthlyTotal.category_id)
        .where(MonthlyTotal.user_id == user_id)
        .group_by(Category.id, Category.name)
    )
    if first is not None:
        query = query.where(MonthlyTotal.month >= first)
    if last is not None:
        query = query.where(MonthlyTotal.month <= last)
    if expense_filter.category is not None:
        query = query.where(MonthlyTotal.category_id == category_id_query(user_id, expense_filter))
    return db.session.execute(query).all()


def _from_expenses(user_id: int, expense_filter: ExpenseFilter, start, end) -> list:
    days = replace(expense_filter, start=start, end=end)
    query = (
        select(Category.id, Category.name, func.sum(Expense.amount), func.count(Expense.id))
        .join(Category, Category.id == Expense.category_id)
        .where(*expense_conditions(user_id, days))
        .group_by(Category.id, Category.name)
    )
    return db.session.execute(query).all()


def spending_summary(user_id: int, expense_filter: ExpenseFilter | None = None) -> Summary:
    """Return the total and per-category spending of the user's expenses that pass the filter.

    Sums come from the database: whole months from the kept monthly totals, the
    days of partly covered months and any amount or text filter from the expenses.
    """
    expense_filter = expense_filter or ExpenseFilter()
    start, end = expense_filter.start, expense_filter.end
    needs_rows = (expense_filter.text, expense_filter.min_amount, expense_filter.max_amount)
    if any(value is not None for value in needs_rows):
        parts = [_from_expenses(user_id, expense_filter, start, end)]
    else:
        whole, partial = split_by_months(start, end)
        parts = [_from_expenses(user_id, expense_filter, a, b) for a, b in partial]
        if whole is not None:
            parts.append(_from_totals(user_id, expense_filter, *whole))
    # At most a few small grouped lists (one per partial month and one of whole months).
    sums: dict[int, tuple[str, Decimal, int]] = {}
    for part in parts:
        for category_id, name, amount, count in part:
            _, total, number = sums.get(category_id, (name, ZERO, 0))
            sums[category_id] = (name, total + amount, number + count)
    total = sum((amount for _, amount, count in sums.values() if count), ZERO)
    categories = sorted(
        (
            CategoryTotal(name, amount, count, percent_of(amount, total))
            for name, amount, count in sums.values()
            if count
        ),
        key=lambda c: (-c.total, c.name),
    )
    return Summary(total=total, count=sum(c.count for c in categories), categories=categories)


def compare_with_previous(user_id: int, expense_filter: ExpenseFilter, total: Decimal):
    """Return the previous period's total and the change to `total`, or None for open periods."""
    previous = expense_filter.previous()
    if previous is None:
        return None
    previous_total = spending_summary(user_id, previous).total
    change = percent_of(total - previous_total, previous_total) if previous_total else None
    return Comparison(previous_total=previous_total, change_percent=change)


@dataclass(frozen=True)
class CategoryBalance:
    """A category with what was spent in it over all time."""

    id: int
    name: str
    total: Decimal
    count: int


def category_totals(user_id: int) -> list[CategoryBalance]:
    """Return each of the user's categories with its all-time total, by name ignoring case.

    Read from the kept monthly totals: a few rows per category and month.
    """
    rows = db.session.execute(
        select(
            Category.id, Category.name, func.sum(MonthlyTotal.total), func.sum(MonthlyTotal.count)
        )
        .outerjoin(MonthlyTotal, MonthlyTotal.category_id == Category.id)
        .where(Category.user_id == user_id)
        .group_by(Category.id, Category.name, Category.name_key)
        .order_by(Category.name_key)
    ).all()
    return [CategoryBalance(id, name, total or ZERO, count or 0) for id, name, total, count in rows]

"""Reports: what a user spent, in total and by category, computed by the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, func, not_, select

from ..extensions import db
from ..models import Category, Expense, MonthlyTotal
from .filters import ExpenseFilter, category_id_query, expense_conditions, month_end
from .totals import month_of

ZERO = Decimal("0.00")
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class CategoryTotal:
    """One category's share of the spending."""

    id: int
    name: str
    color: int  # 0-9; colors.color_class(color) paints it
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


def _sums(amount, count, current) -> tuple:
    """Columns summing amount and count; with `current` (true for the current period's
    rows), those of the current period and then the previous period's amount."""
    if current is None:
        return func.sum(amount), func.sum(count)
    return (
        func.sum(case((current, amount), else_=0)),
        func.sum(case((current, count), else_=0)),
        func.sum(case((not_(current), amount), else_=0)),
    )


def _from_totals(
    user_id: int, expense_filter: ExpenseFilter, first, last, since: dt.date | None = None
) -> list:
    current = MonthlyTotal.month >= since if since is not None else None
    query = (
        select(
            Category.id,
            Category.name,
            Category.color,
            *_sums(MonthlyTotal.total, MonthlyTotal.count, current),
        )
        .join(Category, Category.id == MonthlyTotal.category_id)
        .where(MonthlyTotal.user_id == user_id)
        .group_by(Category.id, Category.name, Category.color)
    )
    if first is not None:
        query = query.where(MonthlyTotal.month >= first)
    if last is not None:
        query = query.where(MonthlyTotal.month <= last)
    if expense_filter.category is not None:
        query = query.where(MonthlyTotal.category_id == category_id_query(user_id, expense_filter))
    return db.session.execute(query).all()


def _from_expenses(
    user_id: int, expense_filter: ExpenseFilter, start, end, since: dt.date | None = None
) -> list:
    days = replace(expense_filter, start=start, end=end)
    if since is None:
        sums = (func.sum(Expense.amount), func.count(Expense.id))
    else:
        sums = _sums(Expense.amount, 1, Expense.date >= since)
    query = (
        select(Category.id, Category.name, Category.color, *sums)
        .join(Category, Category.id == Expense.category_id)
        .where(*expense_conditions(user_id, days))
        .group_by(Category.id, Category.name, Category.color)
    )
    return db.session.execute(query).all()


def needs_rows(expense_filter: ExpenseFilter) -> bool:
    """Whether the filter needs the expense rows: monthly totals know no amounts or text."""
    needs_rows = (expense_filter.text, expense_filter.min_amount, expense_filter.max_amount)
    return any(value is not None for value in needs_rows)


def _grouped_sums(user_id: int, expense_filter: ExpenseFilter, since=None) -> list:
    """Rows of (category id, name, colour, amount, count[, previous amount]) from every part.

    Whole months come from the kept monthly totals; the days of partly covered months
    and any amount or text filter from the expenses. With `since`, rows before that day
    are summed apart, as the previous period's amount.
    """
    start, end = expense_filter.start, expense_filter.end
    if needs_rows(expense_filter):
        return _from_expenses(user_id, expense_filter, start, end, since)
    whole, partial = split_by_months(start, end)
    rows = [row for a, b in partial for row in _from_expenses(user_id, expense_filter, a, b, since)]
    if whole is not None:
        rows.extend(_from_totals(user_id, expense_filter, *whole, since))
    return rows


def summary_of(rows) -> Summary:
    """Return the summary of rows of (category id, name, colour, amount, count, ...)."""
    # At most a few small grouped lists (one per partial month and one of whole months).
    sums: dict[int, tuple[str, int, Decimal, int]] = {}
    for category_id, name, color, amount, count, *_ in rows:
        _, _, total, number = sums.get(category_id, (name, color, ZERO, 0))
        sums[category_id] = (name, color, total + amount, number + count)
    total = sum((amount for _, _, amount, count in sums.values() if count), ZERO)
    categories = sorted(
        (
            CategoryTotal(category_id, name, color, amount, count, percent_of(amount, total))
            for category_id, (name, color, amount, count) in sums.items()
            if count
        ),
        key=lambda c: (-c.total, c.name),
    )
    return Summary(total=total, count=sum(c.count for c in categories), categories=categories)


def spending_summary(user_id: int, expense_filter: ExpenseFilter | None = None) -> Summary:
    """Return the total and per-category spending of the user's expenses that pass the filter.

    Sums come from the database: whole months from the kept monthly totals, the
    days of partly covered months and any amount or text filter from the expenses.
    """
    expense_filter = expense_filter or ExpenseFilter()
    return summary_of(_grouped_sums(user_id, expense_filter))


def comparison_of(total: Decimal, previous_total: Decimal) -> Comparison:
    """Return `total` compared with the previous period's."""
    change = percent_of(total - previous_total, previous_total) if previous_total else None
    return Comparison(previous_total=previous_total, change_percent=change)


def summary_with_comparison(
    user_id: int, expense_filter: ExpenseFilter
) -> tuple[Summary, Comparison | None]:
    """Return `spending_summary` and `compare_with_previous` of the filter, read together.

    The previous period ends the day before this one starts, so both are summed by the
    same grouped queries over the two periods at once, split at this period's first day.
    Monthly totals can be split only at a month's start: a period starting on any other
    day without amount or text filters is read in two goes, as before.
    """
    previous = expense_filter.previous()
    since = expense_filter.start
    if previous is None or since is None:
        return spending_summary(user_id, expense_filter), None
    if previous.end + dt.timedelta(days=1) != since or (
        since.day != 1 and not needs_rows(expense_filter)
    ):
        summary = spending_summary(user_id, expense_filter)
        return summary, compare_with_previous(user_id, expense_filter, summary.total)
    both = replace(expense_filter, start=previous.start)
    rows = _grouped_sums(user_id, both, since)
    summary = summary_of(rows)
    return summary, comparison_of(summary.total, sum((row[5] for row in rows), ZERO))


def compare_with_previous(user_id: int, expense_filter: ExpenseFilter, total: Decimal):
    """Return the previous period's total and the change to `total`, or None for open periods."""
    previous = expense_filter.previous()
    if previous is None:
        return None
    return comparison_of(total, spending_summary(user_id, previous).total)

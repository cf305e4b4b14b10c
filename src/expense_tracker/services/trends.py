"""The monthly trend: what a filter's expenses add up to in each of twelve calendar months."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import Integer, func, select, type_coerce

from ..extensions import db
from ..models import Category, Expense, MonthlyTotal
from .filters import ExpenseFilter, category_id_query, expense_conditions, month_end
from .reports import ZERO, Comparison, Summary, comparison_of, needs_rows, summary_of
from .totals import as_date, month_expression, month_of

MONTHS = 12


@dataclass(frozen=True)
class TrendMonth:
    """One month of the trend: its total and each category's part of it."""

    month: dt.date  # the month's first day
    total: Decimal
    count: int
    by_category: dict[int, Decimal]
    counts: dict[int, int]  # how many expenses each category's amount adds up
    in_period: bool  # whether the month overlaps the filter's period


@dataclass(frozen=True)
class Trend:
    """Twelve calendar months, oldest first, and the categories in them, largest first."""

    months: list[TrendMonth]
    categories: list[tuple[int, str]]  # (id, name)
    colors: dict[int, int]  # each category's colour, 0-9 (colors.color_class paints it)

    @property
    def total(self) -> Decimal:
        return sum((month.total for month in self.months), ZERO)

    @property
    def largest(self) -> Decimal:
        return max((month.total for month in self.months), default=ZERO)


def add_months(month: dt.date, count: int) -> dt.date:
    """Return the first day of the month `count` months after `month` (before, if negative)."""
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def trend_months(expense_filter: ExpenseFilter, today: dt.date) -> tuple[dt.date, dt.date]:
    """The first days of the trend's first and last months.

    The twelve months end with the month of the period's last day: "Last month" shows
    the year before it; an open-ended period ("All time") ends with this month.
    """
    last = month_of(expense_filter.end or today)
    return add_months(last, 1 - MONTHS), last


def is_cheap(expense_filter: ExpenseFilter) -> bool:
    """Whether the trend reads only monthly totals (no text or amount condition).

    Otherwise it reads a year of matching expenses, which grows with the data.
    """
    return not needs_rows(expense_filter)


def _from_totals(user_id: int, expense_filter: ExpenseFilter, first: dt.date, last: dt.date):
    # A range of the primary key (user_id, month, category_id): at most 12 x categories rows,
    # read as plain rows (the ORM's result machinery would cost more than the query here).
    totals, categories = MonthlyTotal.__table__.c, Category.__table__.c
    query = (
        select(
            totals.month,
            categories.id,
            categories.name,
            categories.color,
            type_coerce(totals.total_cents, Integer),
            totals.count,
        )
        .join(Category.__table__, categories.id == totals.category_id)
        .where(
            totals.user_id == user_id,
            totals.month >= first,
            totals.month <= last,
            totals.count > 0,
        )
    )
    if expense_filter.category is not None:
        query = query.where(totals.category_id == category_id_query(user_id, expense_filter))
    rows = db.session.connection().execute(query).all()
    return [
        (month, category_id, name, color, Decimal(cents).scaleb(-2), count)
        for month, category_id, name, color, cents, count in rows
    ]


def _from_expenses(user_id: int, expense_filter: ExpenseFilter, first: dt.date, last: dt.date):
    year = replace(expense_filter, start=first, end=month_end(last))
    month = month_expression()
    query = (
        select(
            month,
            Category.id,
            Category.name,
            Category.color,
            func.sum(Expense.amount),
            func.count(Expense.id),
        )
        .join(Category, Category.id == Expense.category_id)
        .where(*expense_conditions(user_id, year))
        .group_by(month, Category.id, Category.name, Category.color)
    )
    return db.session.execute(query).all()


def monthly_trend(user_id: int, expense_filter: ExpenseFilter, today: dt.date) -> Trend:
    """Return the twelve months' totals of the user's expenses passing the filter's conditions.

    The filter's category, text and amounts apply; its dates only choose the months
    (see `trend_months`) and which of them are in the period.
    """
    first, last = trend_months(expense_filter, today)
    if is_cheap(expense_filter):
        rows = _from_totals(user_id, expense_filter, first, last)
    else:
        rows = _from_expenses(user_id, expense_filter, first, last)
    by_month: dict[dt.date, dict[int, Decimal]] = {}
    counts: dict[dt.date, dict[int, int]] = {}
    names: dict[int, str] = {}
    colors: dict[int, int] = {}
    sums: dict[int, Decimal] = {}
    for month, category_id, name, color, total, count in rows:
        month = as_date(month)
        by_month.setdefault(month, {})[category_id] = total
        counts.setdefault(month, {})[category_id] = count
        names[category_id] = name
        colors[category_id] = color
        sums[category_id] = sums.get(category_id, ZERO) + total
    start = month_of(expense_filter.start) if expense_filter.start else None
    end = expense_filter.end
    months = []
    for offset in range(MONTHS):
        month = add_months(first, offset)
        parts = by_month.get(month, {})
        months.append(
            TrendMonth(
                month=month,
                total=sum(parts.values(), ZERO),
                count=sum(counts.get(month, {}).values()),
                by_category=parts,
                counts=counts.get(month, {}),
                in_period=(start is None or month >= start) and (end is None or month <= end),
            )
        )
    order = sorted(sums, key=lambda category_id: (-sums[category_id], names[category_id]))
    return Trend(
        months=months,
        categories=[(category_id, names[category_id]) for category_id in order],
        colors=colors,
    )


def summary_from_trend(
    trend: Trend, expense_filter: ExpenseFilter
) -> tuple[Summary, Comparison] | None:
    """The summary and comparison of a calendar month's filter, taken from its trend.

    For This month and Last month without text or amount conditions, the trend's last
    two months are the period and the one it is compared with: no need to read them
    again. None for any other filter.
    """
    if expense_filter.period not in ("this-month", "last-month") or not is_cheap(expense_filter):
        return None
    previous, current = trend.months[-2:]
    if current.month != expense_filter.start:
        return None
    names = dict(trend.categories)
    summary = summary_of(
        [
            (
                category_id,
                names[category_id],
                trend.colors[category_id],
                amount,
                current.counts[category_id],
            )
            for category_id, amount in current.by_category.items()
        ]
    )
    return summary, comparison_of(summary.total, previous.total)

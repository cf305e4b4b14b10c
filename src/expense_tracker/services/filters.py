"""What the dashboard shows: a period of whole days plus optional filters, read from a URL."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import partial

from sqlalchemy import select

from ..errors import ValidationError
from ..models import Category, Expense
from ..sql import contains_ignoring_case
from .validation import FieldError, has_control_characters, parse_amount, parse_date

PERIODS = {
    "this-month": "This month",
    "last-month": "Last month",
    "last-30-days": "Last 30 days",
    "this-year": "This year",
    "all": "All time",
    "custom": "Custom",
}
DEFAULT_PERIOD = "this-month"
SEARCH_MAX = 100


def month_end(day: dt.date) -> dt.date:
    """Return the last day of the month `day` falls in."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def previous_month(day: dt.date) -> dt.date:
    """Return the first day of the month before the one `day` falls in."""
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@dataclass(frozen=True)
class ExpenseFilter:
    """Which expenses to show: dates from `start` to `end`, both inclusive, and the rest."""

    period: str = "all"
    start: dt.date | None = None
    end: dt.date | None = None
    category: str | None = None
    text: str | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None

    @property
    def label(self) -> str:
        return PERIODS[self.period]

    @property
    def has_extra_filters(self) -> bool:
        """Whether anything narrows the list beyond the dates."""
        return any(
            value is not None
            for value in (self.category, self.text, self.min_amount, self.max_amount)
        )

    def previous(self) -> ExpenseFilter | None:
        """The same filter over the period just before, of the same length; None for open ends.

        Calendar periods step back by their own unit (last month, last year), so
        "This month" compares with the whole of last month.
        """
        if self.start is None or self.end is None:
            return None
        if self.period in ("this-month", "last-month"):
            start = previous_month(self.start)
            return replace(self, period="custom", start=start, end=month_end(start))
        if self.period == "this-year":
            start = self.start.replace(year=self.start.year - 1)
            return replace(self, period="custom", start=start, end=start.replace(month=12, day=31))
        days = (self.end - self.start).days + 1
        return replace(
            self,
            period="custom",
            start=self.start - dt.timedelta(days=days),
            end=self.start - dt.timedelta(days=1),
        )


def _period_dates(period: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    if period == "this-month":
        return today.replace(day=1), month_end(today)
    if period == "last-month":
        start = previous_month(today)
        return start, month_end(start)
    if period == "last-30-days":
        return today - dt.timedelta(days=29), today
    if period == "this-year":
        return today.replace(month=1, day=1), today.replace(month=12, day=31)
    return None, None


def _optional_range(raw, names: tuple[str, str], parse, errors: dict[str, str], message: str):
    """Parse two optional bounds; note each bad one, and the upper one if below the lower."""
    bounds = []
    for name in names:
        try:
            bounds.append(parse(raw[name]) if raw.get(name, "").strip() else None)
        except FieldError as error:
            errors[name] = str(error)
            bounds.append(None)
    low, high = bounds
    if low is not None and high is not None and low > high:
        errors[names[1]] = message
    return low, high


def parse_filter(
    raw: Mapping[str, str],
    today: dt.date,
    *,
    locale: str | None = None,
    currency: str | None = None,
) -> ExpenseFilter:
    """Read a filter from URL parameters; an unknown period means the default one.

    The amount range is read as `parse_amount` reads amounts in `locale` and `currency`.

    Raises ValidationError naming each parameter that is wrong (from, to, min, max, q, category).
    """
    period = raw.get("period", DEFAULT_PERIOD)
    if period not in PERIODS:
        period = DEFAULT_PERIOD
    errors: dict[str, str] = {}
    if period == "custom":
        start, end = _optional_range(
            raw,
            ("from", "to"),
            parse_date,
            errors,
            "The end date must be on or after the start date.",
        )
    else:
        start, end = _period_dates(period, today)
    min_amount, max_amount = _optional_range(
        raw,
        ("min", "max"),
        partial(parse_amount, locale=locale, currency=currency),
        errors,
        "The largest amount must be at least the smallest.",
    )
    text = raw.get("q", "").strip() or None
    if text and len(text) > SEARCH_MAX:
        errors["q"] = f"Search for at most {SEARCH_MAX} characters."
    elif text and has_control_characters(text):
        errors["q"] = "The search contains characters that are not allowed."
    category = raw.get("category", "").strip() or None
    if category and has_control_characters(category):
        # PostgreSQL refuses a NUL in any text, so such a name cannot even be looked up.
        errors["category"] = "The category contains characters that are not allowed."
    if errors:
        raise ValidationError(errors)
    return ExpenseFilter(
        period=period,
        start=start,
        end=end,
        category=category,
        text=text,
        min_amount=min_amount,
        max_amount=max_amount,
    )


def expense_conditions(user_id: int, expense_filter: ExpenseFilter) -> list:
    """SQL conditions selecting the user's expenses that pass the filter."""
    conditions = [Expense.user_id == user_id]
    if expense_filter.start is not None:
        conditions.append(Expense.date >= expense_filter.start)
    if expense_filter.end is not None:
        conditions.append(Expense.date <= expense_filter.end)
    if expense_filter.category is not None:
        conditions.append(Expense.category_id == category_id_query(user_id, expense_filter))
    if expense_filter.text is not None:
        conditions.append(contains_ignoring_case(Expense.description, expense_filter.text))
    if expense_filter.min_amount is not None:
        conditions.append(Expense.amount >= expense_filter.min_amount)
    if expense_filter.max_amount is not None:
        conditions.append(Expense.amount <= expense_filter.max_amount)
    return conditions


def category_id_query(user_id: int, expense_filter: ExpenseFilter):
    """SQL for the id of the filter's category (matched ignoring case), or NULL."""
    return (
        select(Category.id)
        .where(
            Category.user_id == user_id,
            Category.name_key == Category.key_for(expense_filter.category or ""),
        )
        .scalar_subquery()
    )

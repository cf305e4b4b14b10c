"""Months as values: a budget's month, a month typed in, the trend's twelve months."""

import datetime as dt

import pytest

from expense_tracker.services.budgets import (
    budget_month,
    parse_month,
)
from expense_tracker.services.filters import parse_filter
from expense_tracker.services.trends import add_months, trend_months
from expense_tracker.services.validation import FieldError

NOVEMBER = dt.date(2026, 11, 1)
TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({}, dt.date(2026, 11, 1)),
        ({"period": "last-month"}, dt.date(2026, 10, 1)),
        ({"period": "custom", "from": "2025-02-01", "to": "2025-02-28"}, dt.date(2025, 2, 1)),
        ({"period": "custom", "from": "2025-02-01", "to": "2025-02-27"}, dt.date(2026, 11, 1)),
        ({"period": "this-year"}, dt.date(2026, 11, 1)),
        ({"period": "all"}, dt.date(2026, 11, 1)),
    ],
)
def test_the_budget_month_is_the_periods_single_month_or_this_one(args, expected):
    today = dt.date(2026, 11, 24)

    assert budget_month(parse_filter(args, today), today) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2026-13", "That month does not exist."),
        ("2026-1", "Enter the month as YYYY-MM."),
        ("1899-12", "Enter a month between 1900-01 and 2100-12."),
    ],
)
def test_bad_months_are_refused(raw, message):
    with pytest.raises(FieldError, match=message):
        parse_month(raw)


def test_a_month_reads_as_its_first_day():
    assert parse_month("2026-02") == dt.date(2026, 2, 1)


@pytest.mark.parametrize(
    ("args", "first", "last"),
    [
        ({}, "2025-12", "2026-11"),
        ({"period": "last-month"}, "2025-11", "2026-10"),
        ({"period": "all"}, "2025-12", "2026-11"),
        ({"period": "this-year"}, "2026-01", "2026-12"),
        ({"period": "custom", "from": "2024-01-05", "to": "2024-03-02"}, "2023-04", "2024-03"),
    ],
)
def test_the_twelve_months_end_with_the_periods_last_month(args, first, last):
    start, end = trend_months(parse_filter(args, TODAY), TODAY)

    assert (f"{start:%Y-%m}", f"{end:%Y-%m}") == (first, last)


def test_adding_months_crosses_years():
    assert add_months(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)
    assert add_months(dt.date(2026, 11, 1), 13) == dt.date(2027, 12, 1)

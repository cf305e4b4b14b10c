"""Periods and filters as values: their days, their previous period, their errors."""

import datetime as dt

import pytest

from expense_tracker.errors import ValidationError
from expense_tracker.services.filters import parse_filter
from expense_tracker.services.reports import (
    split_by_months,
)

D = dt.date


@pytest.mark.parametrize(
    ("period", "today", "start", "end"),
    [
        ("this-month", D(2026, 11, 24), D(2026, 11, 1), D(2026, 11, 30)),
        ("this-month", D(2028, 2, 3), D(2028, 2, 1), D(2028, 2, 29)),
        ("last-month", D(2026, 1, 15), D(2025, 12, 1), D(2025, 12, 31)),
        ("last-month", D(2026, 3, 31), D(2026, 2, 1), D(2026, 2, 28)),
        ("last-30-days", D(2026, 3, 1), D(2026, 1, 31), D(2026, 3, 1)),
        ("this-year", D(2026, 11, 24), D(2026, 1, 1), D(2026, 12, 31)),
        ("all", D(2026, 11, 24), None, None),
    ],
)
def test_periods_are_whole_days_inclusive(period, today, start, end):
    expense_filter = parse_filter({"period": period}, today)

    assert (expense_filter.start, expense_filter.end) == (start, end)


def test_the_default_period_is_this_month():
    assert parse_filter({}, D(2026, 11, 24)).period == "this-month"
    assert parse_filter({"period": "nonsense"}, D(2026, 11, 24)).period == "this-month"


def test_custom_range_may_be_open_at_either_end():
    today = D(2026, 11, 24)

    assert parse_filter({"period": "custom", "from": "2026-01-05", "to": "2026-02-03"}, today).start
    only_from = parse_filter({"period": "custom", "from": "2026-01-05", "to": ""}, today)
    assert (only_from.start, only_from.end) == (D(2026, 1, 5), None)


@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        ({"period": "custom", "from": "2026-02-30"}, {"from"}),
        ({"period": "custom", "from": "2026-02-03", "to": "2026-02-01"}, {"to"}),
        ({"min": "abc", "max": "-1"}, {"min", "max"}),
        ({"min": "20", "max": "10"}, {"max"}),
        ({"q": "x" * 101}, {"q"}),
    ],
)
def test_bad_filters_name_each_wrong_parameter(raw, errors):
    with pytest.raises(ValidationError) as error:
        parse_filter(raw, D(2026, 11, 24))

    assert set(error.value.errors) == errors


@pytest.mark.parametrize(
    ("raw", "start", "end"),
    [
        ({"period": "this-month"}, D(2026, 2, 1), D(2026, 2, 28)),
        ({"period": "last-month"}, D(2026, 1, 1), D(2026, 1, 31)),
        ({"period": "last-30-days"}, D(2026, 1, 12), D(2026, 2, 10)),
        ({"period": "this-year"}, D(2025, 1, 1), D(2025, 12, 31)),
        (
            {"period": "custom", "from": "2026-02-01", "to": "2026-02-10"},
            D(2026, 1, 22),
            D(2026, 1, 31),
        ),
    ],
)
def test_the_previous_period_has_the_same_length(raw, start, end):
    previous = parse_filter(raw, D(2026, 3, 12)).previous()

    assert (previous.start, previous.end) == (start, end)


def test_open_periods_have_no_previous():
    assert parse_filter({"period": "all"}, D(2026, 3, 12)).previous() is None


@pytest.mark.parametrize(
    ("start", "end", "whole", "partial"),
    [
        (None, None, (None, None), []),
        (D(2026, 1, 1), D(2026, 3, 31), (D(2026, 1, 1), D(2026, 3, 1)), []),
        (
            D(2026, 1, 15),
            D(2026, 3, 10),
            (D(2026, 2, 1), D(2026, 2, 1)),
            [(D(2026, 1, 15), D(2026, 1, 31)), (D(2026, 3, 1), D(2026, 3, 10))],
        ),
        (
            D(2026, 1, 15),
            D(2026, 2, 10),
            None,
            [(D(2026, 1, 15), D(2026, 1, 31)), (D(2026, 2, 1), D(2026, 2, 10))],
        ),
        (D(2026, 1, 5), D(2026, 1, 20), None, [(D(2026, 1, 5), D(2026, 1, 20))]),
        (D(2026, 2, 1), D(2026, 2, 28), (D(2026, 2, 1), D(2026, 2, 1)), []),
        (D(2026, 2, 2), None, (D(2026, 3, 1), None), [(D(2026, 2, 2), D(2026, 2, 28))]),
        (None, D(2026, 2, 27), (None, D(2026, 1, 1)), [(D(2026, 2, 1), D(2026, 2, 27))]),
    ],
)
def test_ranges_split_into_whole_and_partial_months(start, end, whole, partial):
    assert split_by_months(start, end) == (whole, partial)

"""Reading the ECB's CSV of reference rates: what is taken, and what is said of bad lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from expense_tracker import clock
from expense_tracker.services.rates import EcbRate, RateFileError, parse_ecb_csv, parse_rate


def test_cells_without_a_rate_are_days_without_one_not_errors():
    parsed = parse_ecb_csv(["Date,USD,CYP,", "2024-03-01,1.083,N/A,", "", "2024-02-29,,N/A"])

    assert parsed.errors == []
    assert parsed.rates == [EcbRate(dt.date(2024, 3, 1), "USD", Decimal("1.083"))]


@pytest.mark.parametrize(
    "header, message",
    [
        ("", "The first line must be"),
        ("Date,USD,EUR", "“EUR”, which is not a currency code"),
        ("Date,usd", "“usd”, which is not a currency code"),
        ("Date,USD,USD", "names a currency twice"),
    ],
)
def test_a_header_that_is_not_the_ecbs_is_refused(header, message):
    with pytest.raises(RateFileError, match=message):
        parse_ecb_csv([header, "2024-03-01,1.08"])


@pytest.mark.parametrize(
    "cell, message",
    [
        ("1e3", "is not a rate"),
        ("0", "is not a rate a currency can have"),
        ("1000000000", "is not a rate a currency can have"),
        ("1.0000000000001", "more than 12 digits"),
    ],
)
def test_a_rate_out_of_bounds_is_refused(cell, message):
    with pytest.raises(ValueError, match=message):
        parse_rate(cell)


@pytest.mark.parametrize(
    "day, message",
    [
        ("1998-12-31", "before the euro or after today"),
        ((clock.today() + dt.timedelta(days=1)).isoformat(), "before the euro or after today"),
        ("1.3.2024", "is not a date as YYYY-MM-DD"),
    ],
)
def test_a_day_outside_the_euros_history_is_a_bad_line(day, message):
    parsed = parse_ecb_csv(["Date,USD", f"{day},1.08", "2024-03-01,1.08"])

    assert parsed.bad_lines == 1
    assert parsed.errors[0][0] == 2
    assert message in parsed.errors[0][1]
    assert len(parsed.rates) == 1


def test_past_fifty_bad_lines_only_the_first_fifty_are_told():
    lines = ["Date,USD"] + [f"2024-01-{day:02d},x" for day in range(1, 31)] * 2

    parsed = parse_ecb_csv(lines)

    assert parsed.bad_lines == 60
    assert len(parsed.errors) == 50

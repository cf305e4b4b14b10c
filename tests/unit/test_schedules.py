"""Recurring schedules: which dates a recurring expense falls on, with no database."""

from __future__ import annotations

import datetime as dt

import pytest

from expense_tracker.services import recurring

D = dt.date


def schedule(frequency, start, day_of_month=None, count=6) -> list[dt.date]:
    day = recurring.first_on_or_after(frequency, start, day_of_month, start)
    found = [day]
    while len(found) < count:
        day = recurring.first_on_or_after(
            frequency, start, day_of_month, day + dt.timedelta(days=1)
        )
        found.append(day)
    return found


def test_weekly_repeats_every_seven_days_across_months_and_years():
    assert schedule("weekly", D(2026, 12, 24), count=3) == [
        D(2026, 12, 24),
        D(2026, 12, 31),
        D(2027, 1, 7),
    ]


def test_monthly_on_the_31st_falls_on_each_months_last_day_in_a_common_year():
    assert schedule("monthly", D(2027, 1, 31), 31, count=5) == [
        D(2027, 1, 31),
        D(2027, 2, 28),
        D(2027, 3, 31),
        D(2027, 4, 30),
        D(2027, 5, 31),
    ]


def test_monthly_on_the_31st_falls_on_29_february_in_a_leap_year():
    assert schedule("monthly", D(2028, 1, 31), 31, count=3) == [
        D(2028, 1, 31),
        D(2028, 2, 29),
        D(2028, 3, 31),
    ]


@pytest.mark.parametrize(
    ("day", "february"),
    [(30, D(2027, 2, 28)), (29, D(2027, 2, 28)), (28, D(2027, 2, 28)), (1, D(2027, 2, 1))],
)
def test_monthly_on_the_30th_or_29th_comes_back_to_its_day_after_february(day, february):
    dates = schedule("monthly", D(2027, 1, day), day, count=3)

    assert dates == [D(2027, 1, day), february, D(2027, 3, day)]


def test_monthly_day_may_differ_from_the_start_date():
    assert schedule("monthly", D(2026, 1, 15), 1, count=2) == [D(2026, 2, 1), D(2026, 3, 1)]


def test_yearly_on_29_february_falls_on_28_february_in_other_years():
    assert schedule("yearly", D(2024, 2, 29), count=5) == [
        D(2024, 2, 29),
        D(2025, 2, 28),
        D(2026, 2, 28),
        D(2027, 2, 28),
        D(2028, 2, 29),
    ]

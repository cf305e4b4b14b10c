"""Percentages: one decimal, rounded half up."""

from decimal import Decimal

import pytest

from expense_tracker.services.reports import percent_of


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        ("1", "3", "33.3"),
        ("2", "3", "66.7"),
        ("1", "8", "12.5"),  # 12.5 exactly
        ("1", "16", "6.3"),  # 6.25 rounds half up
        ("1", "1600", "0.1"),  # 0.0625 -> 0.1
        ("1", "2001", "0.0"),
        ("5", "5", "100.0"),
        ("0", "0", "0.0"),
    ],
)
def test_percentages_have_one_decimal_rounded_half_up(part, whole, expected):
    assert percent_of(Decimal(part), Decimal(whole)) == Decimal(expected)

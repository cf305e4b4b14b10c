"""Amounts in the original app's files, as pandas wrote them, read to the cent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from expense_tracker.services import legacy

OLD_PASSWORD = "an old password"


def test_amounts_as_pandas_wrote_them_are_read_to_the_cent():
    assert legacy.legacy_amount("12.0") == Decimal("12.00")
    assert legacy.legacy_amount("0.30000000000000004") == Decimal("0.30")
    assert legacy.legacy_amount(" 7 ") == Decimal("7.00")
    assert legacy.legacy_date("2024-03-01T10:30:00") == dt.date(2024, 3, 1)

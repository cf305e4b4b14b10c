"""Page cursors: read back from their text, and the first page for anything malformed."""

import datetime as dt

import pytest

from expense_tracker.services import expenses


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "garbage",
        "2026-11-20",
        "2026-11-20_",
        "2026-13-01_5",
        "2026-11-20_x",
        "2026-11-20_0",
        "2026-11-20_" + "9" * 30,
        "2026-11-20_" + "9" * 5000,  # past the 4,300 digits int() reads
        "2026-11-20_٣",
    ],
)
def test_malformed_cursors_mean_the_first_page(raw):
    assert expenses.Cursor.parse(raw) is None


def test_cursor_round_trips_through_text():
    cursor = expenses.Cursor(dt.date(2026, 11, 20), 42)

    assert expenses.Cursor.parse(str(cursor)) == cursor

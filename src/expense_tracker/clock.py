"""The one clock: what "now" and "today" are, for every part of the app.

Nothing else asks the system for the date or the time (ruff's banned-api rule keeps it so),
so that a test, or the whole test suite, can set them in one place: tests travel in time
with time-machine, which moves this clock for every thread of the process.
"""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    """Return the current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)  # noqa: TID251 (the one place that asks)


def today() -> dt.date:
    """Return the server's local date: what periods, budgets and schedules count as today."""
    return dt.date.today()  # noqa: TID251 (the one place that asks)

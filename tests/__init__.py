"""The test suite. Every test of a session runs on one day, set before anything else loads.

That day is today by default, or the one TEST_TODAY names (`TEST_TODAY=2028-02-29 make test`;
`make test-dates` runs the suite on several), from noon, so that no run crosses midnight; the
clock then ticks on. time-machine moves the app's one clock (expense_tracker.clock) with it,
in every thread of the process. A test that needs another day or time travels on its own.
"""

from __future__ import annotations

import datetime as dt
import os

import time_machine

from expense_tracker import clock

_day = os.environ.get("TEST_TODAY", "").strip()
SESSION_DAY = dt.date.fromisoformat(_day) if _day else clock.today()
time_machine.travel(dt.datetime.combine(SESSION_DAY, dt.time(12)).astimezone(), tick=True).start()

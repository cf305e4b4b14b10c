"""Throttling: limits on password and code guesses and on registrations, kept in the database.

Each limited key (a username and client address, an account, an address) is one row of
`throttle_counters`, so every worker and app server counts the same attempts. An attempt
is counted *before* the password or code is checked, by one atomic upsert that increments
the count and says in its RETURNING whether this attempt may go ahead: two requests at once
cannot both take the last slot. A success that proves the whole log-in clears the counts;
one that only proves the password (the code is still to come, or a settings form) gives
its own attempt back.

Two limits apply to every password or code check:

- per username and address: `LOGIN.count` attempts per `LOGIN.window` (a fixed window
  starting at the first attempt), so one address cannot guess fast;
- per account, from any address: the first `ACCOUNT_FREE` attempts go through at once,
  each later one waits for the one before it by a delay that doubles up to
  `ACCOUNT_DELAYS[-1]`; `ACCOUNT_IDLE` without any attempt starts afresh. Browsers the
  owner logged in from before (a device cookie) and live sessions (the settings forms)
  each count on an account key of their own, so guessing from elsewhere never slows the
  owner down, and a stolen session guessing in the settings does not slow the log-in.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import case, delete, update

from .. import clock
from ..errors import TooManyAttempts
from ..extensions import db
from ..models import ThrottleCounter
from ..sql import upsert_insert
from .digests import sha256_hex


@dataclass(frozen=True)
class Limit:
    """At most `count` attempts per `window` for one key."""

    name: str
    count: int
    window: dt.timedelta


LOGIN = Limit("login", 5, dt.timedelta(minutes=1))
REGISTRATION = Limit("registration", 10, dt.timedelta(hours=1))
ACCOUNT_FREE = 10
# Seconds each attempt beyond the free ones waits after the one before it: doubling, capped.
ACCOUNT_DELAYS = (1, 2, 4, 8, 16, 32, 60)
ACCOUNT_IDLE = dt.timedelta(minutes=15)
# Rows untouched for longer than every window and idle time are deleted now and then.
LONGEST_WINDOW = max(LOGIN.window, REGISTRATION.window, ACCOUNT_IDLE)

_table = ThrottleCounter.__table__
_cols = _table.c


def _key(name: str, *parts: str) -> str:
    return sha256_hex("\0".join((name, *parts)))


def _seconds_until(moment: dt.datetime, now: dt.datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))


def _take_window_slot(limit: Limit, key: str, now: dt.datetime) -> None:
    """Count one attempt against a fixed-window limit; raise TooManyAttempts when it is full."""
    expired = _cols.window_start <= now - limit.window
    statement = upsert_insert(_table).values(
        key=key, count=1, window_start=now, next_at=now, last_at=now, allowed=True
    )
    statement = statement.on_conflict_do_update(
        index_elements=[_cols.key],
        set_={
            "count": case(
                (expired, 1),
                (_cols.count >= limit.count, _cols.count),
                else_=_cols.count + 1,
            ),
            "window_start": case((expired, now), else_=_cols.window_start),
            "allowed": case((expired, True), else_=_cols.count < limit.count),
            "last_at": now,
        },
    ).returning(_cols.allowed, _cols.window_start)
    allowed, window_start = db.session.execute(statement).one()
    if not allowed:
        raise TooManyAttempts(_seconds_until(window_start + limit.window, now))


def _take_account_slot(key: str, now: dt.datetime) -> None:
    """Count one attempt against an account's back-off; raise TooManyAttempts while it waits."""
    idle = _cols.last_at <= now - ACCOUNT_IDLE
    waiting = _cols.next_at > now
    # The next attempt's earliest time, as bound values: no date arithmetic in SQL.
    next_count = _cols.count + 1
    delays = [
        (next_count == ACCOUNT_FREE + 1 + step, now + dt.timedelta(seconds=seconds))
        for step, seconds in enumerate(ACCOUNT_DELAYS)
    ]
    # Free attempts leave it in the past: a request whose clock read a moment earlier than
    # another's must not be held back by it.
    next_at = case(
        (next_count <= ACCOUNT_FREE, _cols.next_at),
        *delays,
        else_=now + dt.timedelta(seconds=ACCOUNT_DELAYS[-1]),
    )
    long_ago = now - ACCOUNT_IDLE
    statement = upsert_insert(_table).values(
        key=key, count=1, window_start=now, next_at=long_ago, last_at=now, allowed=True
    )
    statement = statement.on_conflict_do_update(
        index_elements=[_cols.key],
        set_={
            "count": case((idle, 1), (waiting, _cols.count), else_=next_count),
            "next_at": case((idle, long_ago), (waiting, _cols.next_at), else_=next_at),
            "window_start": case((idle, now), else_=_cols.window_start),
            "allowed": case((idle, True), else_=~waiting),
            "last_at": now,
        },
    ).returning(_cols.allowed, _cols.next_at)
    allowed, next_at_value = db.session.execute(statement).one()
    if not allowed:
        raise TooManyAttempts(_seconds_until(next_at_value, now))


def _give_back(keys: list[str]) -> None:
    db.session.execute(
        update(ThrottleCounter)
        .where(ThrottleCounter.key.in_(keys), ThrottleCounter.count > 0)
        .values(count=ThrottleCounter.count - 1)
        .execution_options(synchronize_session=False)
    )


def _purge(now: dt.datetime) -> int:
    return db.session.execute(
        delete(ThrottleCounter)
        .where(ThrottleCounter.last_at <= now - LONGEST_WINDOW)
        .execution_options(synchronize_session=False)
    ).rowcount


def purge_stale(now: dt.datetime) -> int:
    """Delete every counter untouched for longer than any limit looks back; return how many.

    Every log-in attempt does this too. Does not commit.
    """
    return _purge(now)


# Where an attempt comes from, for the account's back-off: each counts on its own key, so
# guesses from one kind never slow the others down.
ANYWHERE = "anywhere"
KNOWN_BROWSER = "known"
SESSION = "session"
SOURCES = (ANYWHERE, KNOWN_BROWSER, SESSION)


def _login_keys(username: str, address: str, source: str) -> tuple[str, str]:
    name = username.strip().lower()
    return _key(LOGIN.name, name, address), _key("account", name, source)


def attempt_login(username: str, address: str, source: str = ANYWHERE) -> None:
    """Count one password or code attempt for `username` from `address`, before checking it.

    `source` says where it comes from, for the account's back-off: `ANYWHERE`, a
    `KNOWN_BROWSER` (it logged in as this user before) or a live `SESSION` of the user
    (the settings forms). Raises TooManyAttempts, with the seconds to wait, when either
    limit says no; commits.
    """
    now = clock.now()
    address_key, account_key = _login_keys(username, address, source)
    _purge(now)
    try:
        _take_window_slot(LOGIN, address_key, now)
        _take_account_slot(account_key, now)
    finally:
        db.session.commit()


def give_back_login(username: str, address: str, source: str = ANYWHERE) -> None:
    """Uncount an attempt whose password or code was right, without clearing earlier ones.

    For a right password still waiting for its code, and for the settings forms:
    earlier failures keep counting. Does not commit.
    """
    _give_back(list(_login_keys(username, address, source)))


def clear_logins(username: str, address: str) -> None:
    """Forget the attempts of a username from `address` and on its account: it logged in."""
    name = username.strip().lower()
    keys = [_key(LOGIN.name, name, address)] + [_key("account", name, kind) for kind in SOURCES]
    db.session.execute(delete(ThrottleCounter).where(ThrottleCounter.key.in_(keys)))
    db.session.commit()


def attempt_registration(address: str) -> None:
    """Count one registration attempt from `address`, made or refused; raise when too many."""
    try:
        _take_window_slot(REGISTRATION, _key(REGISTRATION.name, address), clock.now())
    finally:
        db.session.commit()

"""Throttling: limits on failed log-ins and on registrations, counted in the database.

Events are rows, so every worker and app server counts the same ones. A failed log-in
is keyed by the username and the client address together: someone guessing from one
address is slowed down, while the owner can still log in from their own.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from .. import clock
from ..errors import TooManyAttempts
from ..extensions import db
from ..models import ThrottleEvent, UtcDateTime
from .digests import sha256_hex


@dataclass(frozen=True)
class Limit:
    """At most `count` events per `window` for one key."""

    name: str
    count: int
    window: dt.timedelta


LOGIN = Limit("login", 5, dt.timedelta(minutes=1))
REGISTRATION = Limit("registration", 10, dt.timedelta(hours=1))
# Kept for every limit's window; older events are deleted as new ones are written.
LONGEST_WINDOW = max(LOGIN.window, REGISTRATION.window)


def _key(limit: Limit, *parts: str) -> str:
    text = "\0".join((limit.name, *parts))
    return sha256_hex(text)


def _check(limit: Limit, key: str) -> None:
    count, oldest = db.session.execute(
        select(
            func.count(ThrottleEvent.id), func.min(ThrottleEvent.created_at, type_=UtcDateTime)
        ).where(ThrottleEvent.key == key, ThrottleEvent.created_at > clock.now() - limit.window)
    ).one()
    if count >= limit.count:
        wait = (oldest + limit.window - clock.now()).total_seconds()
        raise TooManyAttempts(max(1, math.ceil(wait)))


def _record(key: str) -> None:
    now = clock.now()
    db.session.execute(
        delete(ThrottleEvent).where(ThrottleEvent.created_at <= now - LONGEST_WINDOW)
    )
    db.session.add(ThrottleEvent(key=key, created_at=now))
    db.session.commit()


def _login_key(username: str, address: str) -> str:
    return _key(LOGIN, username.strip().lower(), address)


def check_login(username: str, address: str) -> None:
    """Raise TooManyAttempts while the username has too many recent failures from `address`."""
    _check(LOGIN, _login_key(username, address))


def record_login_failure(username: str, address: str) -> None:
    """Count one failed log-in."""
    _record(_login_key(username, address))


def clear_logins(username: str, address: str) -> None:
    """Forget the failures of a username from `address` after it logs in."""
    db.session.execute(
        delete(ThrottleEvent).where(ThrottleEvent.key == _login_key(username, address))
    )
    db.session.commit()


def check_registration(address: str) -> None:
    """Raise TooManyAttempts when `address` has made too many accounts lately."""
    _check(REGISTRATION, _key(REGISTRATION, address))


def record_registration(address: str) -> None:
    """Count one account made from `address`."""
    _record(_key(REGISTRATION, address))

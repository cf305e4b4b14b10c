"""Login throttling: a few wrong passwords for a username from one address, then a pause.

Failures are rows in the database, so every worker and app server counts the same
attempts. The key joins the username with the client address: someone guessing from
one address is slowed down, while the owner can still log in from their own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math

from sqlalchemy import delete, func, select

from ..errors import TooManyAttempts
from ..extensions import db
from ..models import FailedLogin, UtcDateTime, utcnow

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=1)


def _key(username: str, address: str) -> str:
    text = f"{username.strip().lower()}\0{address}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def check(username: str, address: str) -> None:
    """Raise TooManyAttempts while the username has too many recent failures from `address`."""
    count, oldest = db.session.execute(
        select(
            func.count(FailedLogin.id), func.min(FailedLogin.created_at, type_=UtcDateTime)
        ).where(
            FailedLogin.key == _key(username, address),
            FailedLogin.created_at > utcnow() - WINDOW,
        )
    ).one()
    if count >= MAX_FAILURES:
        wait = (oldest + WINDOW - utcnow()).total_seconds()
        raise TooManyAttempts(max(1, math.ceil(wait)))


def record_failure(username: str, address: str) -> None:
    """Count one failed attempt, and forget attempts too old to matter."""
    now = utcnow()
    db.session.execute(delete(FailedLogin).where(FailedLogin.created_at <= now - WINDOW))
    db.session.add(FailedLogin(key=_key(username, address), created_at=now))
    db.session.commit()


def clear(username: str, address: str) -> None:
    """Forget the failures of a username from `address` after it logs in."""
    db.session.execute(delete(FailedLogin).where(FailedLogin.key == _key(username, address)))
    db.session.commit()

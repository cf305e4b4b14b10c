"""Logged-in sessions, kept on the server so that ending one ends every copy of its cookie.

The browser's (signed) cookie carries a random secret; the database keeps its SHA-256
digest with the user, when it started and when it was last seen. A session ends at log
out, when it has been idle too long, when it reaches its absolute lifetime, when the
password changes or two-factor authentication is turned on or off (all but the session that
made the change), and when the user ends all other sessions. A session kept signed in
("Keep me signed in on this device") differs only in its two limits, counted in days
(SESSION_REMEMBER_DAYS idle, SESSION_REMEMBER_MAX_DAYS in all) instead of minutes and hours.

At each of those remedies, and when two-factor authentication changes, the session that
made the change is rotated: it gets a new secret and the old one stops working, so a copy
of its cookie is logged out while the browser itself stays logged in.
"""

from __future__ import annotations

import datetime as dt
import secrets

from flask import current_app
from sqlalchemy import and_, delete, or_, select, update

from .. import clock
from ..extensions import db
from ..models import User, UserSession
from ..sql import PURGE_BATCH, delete_some
from .digests import sha256_hex

# "Last seen" is written at most once a minute: idle time is measured to the minute.
LAST_SEEN_RESOLUTION = dt.timedelta(minutes=1)
USER_AGENT_MAX = 200


def _limits(kept_signed_in: bool) -> tuple[dt.timedelta, dt.timedelta]:
    """A session's idle limit and absolute lifetime: days when kept signed in."""
    config = current_app.config
    if kept_signed_in:
        return (
            dt.timedelta(days=config["SESSION_REMEMBER_DAYS"]),
            dt.timedelta(days=config["SESSION_REMEMBER_MAX_DAYS"]),
        )
    return (
        dt.timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
        dt.timedelta(hours=config["SESSION_LIFETIME_HOURS"]),
    )


def _has_ended(record: UserSession, now: dt.datetime) -> bool:
    """Whether the session has been idle too long or reached its absolute lifetime."""
    idle, lifetime = _limits(record.kept_signed_in)
    return now - record.last_seen_at > idle or now - record.created_at > lifetime


def start_session(
    user_id: int, user_agent: str | None = None, *, keep_signed_in: bool = False
) -> str:
    """Record a new session for the user; return the secret for the browser's cookie.

    `keep_signed_in`: the session lasts days rather than hours (the log-in's check box).
    A few sessions of anyone that have ended by time go on the way (`purge_expired_sessions`):
    one never presented again is otherwise never deleted.
    """
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    purge_expired_sessions(now, PURGE_BATCH)
    db.session.add(
        UserSession(
            user_id=user_id,
            digest=sha256_hex(secret),
            created_at=now,
            last_seen_at=now,
            user_agent=(user_agent or "")[:USER_AGENT_MAX],
            kept_signed_in=keep_signed_in,
        )
    )
    db.session.commit()
    return secret


def purge_expired_sessions(now: dt.datetime, limit: int | None = None) -> int:
    """Delete sessions idle too long or past their lifetime (`limit` of them; None: all).

    Returns how many. Does not commit.
    """
    ended = or_(
        *(
            and_(
                UserSession.kept_signed_in.is_(kept),
                or_(UserSession.last_seen_at < now - idle, UserSession.created_at < now - life),
            )
            for kept in (False, True)
            for idle, life in [_limits(kept)]
        )
    )
    return delete_some(UserSession, ended, limit)


def session_user(user_id: int, secret: str) -> User | None:
    """Return the user of a live session, or None once it has ended or expired.

    One query finds the user and the session together; an expired session is deleted.
    """
    found = db.session.execute(
        select(User, UserSession)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            User.id == user_id,
            UserSession.digest == sha256_hex(secret),
            User.disabled_at.is_(None),
        )
    ).one_or_none()
    if found is None:
        return None
    user, record = found
    now = clock.now()
    if _has_ended(record, now):
        db.session.delete(record)
        db.session.commit()
        return None
    if now - record.last_seen_at >= LAST_SEEN_RESOLUTION:
        record.last_seen_at = now
        db.session.commit()
    return user


def rotate_session(user_id: int, secret: str | None) -> str | None:
    """Give the user's session with `secret` a new secret; return it (None: no such session).

    The session keeps its start and last-seen times, and whether it is kept signed in: its
    lifetime is not extended.
    """
    if not secret:
        return None
    new_secret = secrets.token_urlsafe(32)
    rotated = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.digest == sha256_hex(secret))
        .values(digest=sha256_hex(new_secret))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return new_secret if rotated == 1 else None


def end_session(secret: str | None) -> None:
    """End one session (log out); its cookie, wherever copied, no longer logs anyone in."""
    if secret:
        db.session.execute(delete(UserSession).where(UserSession.digest == sha256_hex(secret)))
        db.session.commit()


def end_other_sessions(user_id: int, keep_secret: str | None) -> int:
    """End every session of the user but the one with `keep_secret`; return how many ended.

    Does not commit: callers end sessions as part of a larger change, or call
    `end_all_other_sessions`.
    """
    query = delete(UserSession).where(UserSession.user_id == user_id)
    if keep_secret:
        query = query.where(UserSession.digest != sha256_hex(keep_secret))
    return db.session.execute(query).rowcount


def end_all_other_sessions(user_id: int, keep_secret: str | None) -> int:
    """End every session of the user but the current one; return how many ended."""
    ended = end_other_sessions(user_id, keep_secret)
    db.session.commit()
    return ended


def list_sessions(user_id: int, current_secret: str | None) -> list[tuple[UserSession, bool]]:
    """The user's live sessions, most recently seen first, each with whether it is this one."""
    current = sha256_hex(current_secret) if current_secret else None
    records = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user_id)
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    )
    now = clock.now()
    return [(record, record.digest == current) for record in records if not _has_ended(record, now)]

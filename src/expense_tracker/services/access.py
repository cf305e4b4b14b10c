"""The operator's hold on accounts: disable and enable them, and one-time password-reset links.

A reset link's secret is in the link; the database keeps only its SHA-256 digest, as for
API tokens and sessions.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, or_, select, update

from .. import clock
from ..errors import Conflict, NotFound
from ..extensions import db
from ..models import ApiToken, PasswordReset, User, UserSession
from ..sql import PURGE_BATCH, delete_some
from . import accounts, passwords
from .digests import sha256_hex

RESET_HOURS = 24
SECRET_MAX = 100


class AccountDisabled(Conflict):
    """The account is disabled: enable it first."""


@dataclass(frozen=True)
class Disabled:
    """What disabling an account ended; `already` when it was disabled before."""

    already: bool
    sessions: int
    tokens: int


def _user(username: str) -> User:
    user = accounts.find_user(username.strip())
    if user is None:
        raise NotFound(f"There is no user named {username!r}.")
    return user


def disable_account(username: str) -> Disabled:
    """Disable the account: it cannot log in, and its sessions, tokens and reset links end."""
    user = _user(username)
    already = user.disabled_at is not None
    if not already:
        user.disabled_at = clock.now()
    ended_sessions = db.session.execute(
        delete(UserSession).where(UserSession.user_id == user.id)
    ).rowcount
    ended_tokens = db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id)).rowcount
    db.session.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id))
    db.session.commit()
    return Disabled(already, ended_sessions, ended_tokens)


def enable_account(username: str) -> bool:
    """Let a disabled account log in again; return False if it was not disabled."""
    user = _user(username)
    if user.disabled_at is None:
        return False
    user.disabled_at = None
    db.session.commit()
    return True


def create_password_reset(username: str, hours: int = RESET_HOURS) -> str:
    """Make a one-time password-reset link's secret for the account, valid for `hours`.

    Raises NotFound for an unknown username and AccountDisabled for a disabled account.
    """
    user = _user(username)
    if user.disabled_at is not None:
        raise AccountDisabled(f"The account {user.username!r} is disabled; enable it first.")
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    purge_spent_resets(now, PURGE_BATCH)
    db.session.add(
        PasswordReset(
            user_id=user.id,
            digest=sha256_hex(secret),
            created_at=now,
            expires_at=now + dt.timedelta(hours=hours),
        )
    )
    db.session.commit()
    return secret


def purge_spent_resets(now: dt.datetime, limit: int | None = None) -> int:
    """Delete password-reset links used or past their time (`limit` of them; None: all).

    Returns how many. Does not commit.
    """
    spent = or_(PasswordReset.used_at.is_not(None), PasswordReset.expires_at <= now)
    return delete_some(PasswordReset, spent, limit)


def _usable(secret: str, now: dt.datetime) -> tuple:
    if not secret or len(secret) > SECRET_MAX:
        raise NotFound()
    return (
        PasswordReset.digest == sha256_hex(secret),
        PasswordReset.used_at.is_(None),
        PasswordReset.expires_at > now,
    )


def check_password_reset(secret: str) -> User:
    """Return the account a reset link is for, or raise NotFound if the link cannot be used."""
    user = db.session.scalar(
        select(User)
        .join(PasswordReset, PasswordReset.user_id == User.id)
        .where(*_usable(secret, clock.now()), User.disabled_at.is_(None))
    )
    if user is None:
        raise NotFound()
    return user


def reset_password(secret: str, new: str | None, confirm: str | None) -> User:
    """Set the account's new password with a reset link, which is then used up.

    Every session of the account ends. Raises NotFound when the link cannot be used and
    ValidationError when the new password breaks a rule (the link stays usable). Of two
    uses of one link at once only one sets a password: the link is claimed by a
    conditional UPDATE, which the database runs one at a time.
    """
    user = check_password_reset(secret)
    new = new or ""
    accounts.check_new_password(new, confirm or "", "new_password", "confirm_new_password")
    password_hash = passwords.hash_password(new)
    now = clock.now()
    claimed = db.session.execute(
        update(PasswordReset).where(*_usable(secret, now)).values(used_at=now)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise NotFound()
    db.session.execute(update(User).where(User.id == user.id).values(password_hash=password_hash))
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    db.session.commit()
    return user

"""Personal access tokens: how scripts and other tools sign in to the JSON API.

A token is made only by someone who proves who they are again: the password (and a code
with two-factor authentication on), whether through the API or on the settings page, so
a stolen session cannot mint one. Each token expires after 30, 90 (the default) or 365
days, or never, as chosen when it is made.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select

from .. import clock
from ..errors import NotFound, Unauthorized, ValidationError
from ..extensions import db
from ..models import MAX_ID, ApiToken, User
from ..sql import PURGE_BATCH, delete_some
from . import accounts, throttle, two_factor
from .digests import sha256_hex
from .validation import FieldError, clean_label

PREFIX = "et_"
DEFAULT_NAME = "API token"
NAME_MAX = 100
# "Last used" is kept to the minute: writing it on every request would cost a write each.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
WRONG_CREDENTIALS = "Incorrect username or password."
WRONG_CREDENTIALS_OR_CODE = "Incorrect username, password or code."
CODE_NEEDED = "This account uses two-factor authentication: send the current code as otp."
EXPIRY_DAYS = (30, 90, 365)
DEFAULT_EXPIRY_DAYS = 90
# The settings form's choices: days, or "never".
NEVER = "never"
EXPIRY_CHOICES = (*(str(days) for days in EXPIRY_DAYS), NEVER)
WRONG_EXPIRY = "Choose 30, 90 or 365 days, or never."
# An expired token still answers EXPIRED (and is listed as expired) this long, then goes.
EXPIRED_KEPT = dt.timedelta(days=30)
EXPIRED = "This token has expired. Make a new one in Settings or with POST /api/v1/tokens."


def _clean_name(raw: str | None) -> str:
    try:
        return clean_label(raw, "name", NAME_MAX) or DEFAULT_NAME
    except FieldError as error:
        raise ValidationError({"name": str(error)}) from None


def _clean_expiry(days: int | str | None) -> int | None:
    """Days until a token expires (None: never), from a number of days or a form's choice."""
    if days is None or days == NEVER:
        return None
    if isinstance(days, str) and days in EXPIRY_CHOICES:
        return int(days)
    if isinstance(days, int) and not isinstance(days, bool) and days in EXPIRY_DAYS:
        return days
    raise ValidationError({"expires": WRONG_EXPIRY})


def create_token(
    user_id: int, name: str | None, expires_in_days: int | str | None = DEFAULT_EXPIRY_DAYS
) -> tuple[ApiToken, str]:
    """Make a token for the user; return it and its secret, which is never stored.

    Asks for no proof: callers have checked who the user is (see the two functions below).
    """
    token_name = _clean_name(name)
    days = _clean_expiry(expires_in_days)
    now = clock.now()
    purge_expired_tokens(now, PURGE_BATCH)
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user_id,
        name=token_name,
        digest=sha256_hex(secret),
        created_at=now,
        expires_at=None if days is None else now + dt.timedelta(days=days),
    )
    db.session.add(token)
    db.session.commit()
    return token, secret


def create_token_confirmed(
    user_id: int,
    name: str | None,
    expires_in_days: int | str | None,
    password: str | None,
    code: str | None,
    address: str,
) -> tuple[ApiToken, str]:
    """Make a token for a logged-in user once they type their password (and code) again.

    Throttled like the other settings forms. Raises ValidationError naming each wrong
    field (`name`, `expires`, `current_password`, `code`), TooManyAttempts when throttled.
    """
    token_name = _clean_name(name)
    days = _clean_expiry(expires_in_days)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    two_factor.confirm_identity(user, password, code, address)
    return create_token(user_id, token_name, NEVER if days is None else days)


def create_token_with_password(
    username: str | None,
    password: str | None,
    name: str | None,
    address: str,
    otp: str | None = None,
    expires_in_days: int | None = DEFAULT_EXPIRY_DAYS,
) -> tuple[ApiToken, str]:
    """Make a token for whoever the username and password (and code, with 2FA) prove to be.

    It expires after `expires_in_days` (30, 90 or 365), or never when that is None.

    Throttled like the log-in page: a wrong password, a missing code and a wrong code all
    count. Raises Unauthorized for wrong credentials, with one message whichever was wrong
    (only a right password without the code its account needs is told so).
    """
    token_name = _clean_name(name)
    days = _clean_expiry(expires_in_days)
    wrong = WRONG_CREDENTIALS if otp is None else WRONG_CREDENTIALS_OR_CODE
    user = accounts.log_in(username, password, address)
    if user is None:
        raise Unauthorized(wrong)
    if two_factor.is_enabled(user):
        if not otp:
            # A missing code counts as an attempt at one.
            throttle.attempt_login(user.username, address)
            raise Unauthorized(CODE_NEEDED)
        if two_factor.log_in(user.id, otp, address) is None:
            raise Unauthorized(wrong)
    return create_token(user.id, token_name, NEVER if days is None else days)


def purge_expired_tokens(now: dt.datetime, limit: int | None = None) -> int:
    """Delete anyone's tokens expired over EXPIRED_KEPT ago (`limit` of them; None: all).

    Returns how many. Does not commit.
    """
    return delete_some(ApiToken, ApiToken.expires_at < now - EXPIRED_KEPT, limit)


def user_for_token(secret: str) -> tuple[User, ApiToken] | None:
    """Return the user a token secret belongs to, and the token; None if it is unknown.

    Raises Unauthorized, saying so, for a token that has expired.
    """
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    found = db.session.execute(
        select(User, ApiToken)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.digest == sha256_hex(secret), User.disabled_at.is_(None))
    ).one_or_none()
    if found is None:
        return None
    user, token = found
    now = clock.now()
    if token.is_expired(now):
        raise Unauthorized(EXPIRED)
    last_used = token.last_used_at
    if last_used is None or now - last_used >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.commit()
    return user, token


def working_tokens(user_id: int) -> list[ApiToken]:
    """Return the user's tokens that have not expired, newest first."""
    now = clock.now()
    return [token for token in list_tokens(user_id) if not token.is_expired(now)]


def list_tokens(user_id: int) -> list[ApiToken]:
    """Return the user's tokens, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user_id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(user_id: int, token_id: int) -> ApiToken:
    """Delete one of the user's tokens, so it no longer works; return it, detached."""
    token = None
    if 0 < token_id <= MAX_ID:
        token = db.session.scalar(
            select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id)
        )
    if token is None:
        raise NotFound()
    db.session.delete(token)
    db.session.commit()
    return token

"""Personal access tokens: how scripts and other tools sign in to the JSON API."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select

from .. import clock
from ..errors import NotFound, Unauthorized, ValidationError
from ..extensions import db
from ..models import MAX_ID, ApiToken, User
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


def _clean_name(raw: str | None) -> str:
    try:
        return clean_label(raw, "name", NAME_MAX) or DEFAULT_NAME
    except FieldError as error:
        raise ValidationError({"name": str(error)}) from None


def create_token(user_id: int, name: str | None) -> tuple[ApiToken, str]:
    """Make a token for the user; return it and its secret, which is never stored."""
    token_name = _clean_name(name)
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user_id, name=token_name, digest=sha256_hex(secret))
    db.session.add(token)
    db.session.commit()
    return token, secret


def create_token_with_password(
    username: str | None,
    password: str | None,
    name: str | None,
    address: str,
    otp: str | None = None,
) -> tuple[ApiToken, str]:
    """Make a token for whoever the username and password (and code, with 2FA) prove to be.

    Throttled like the log-in page: a wrong password, a missing code and a wrong code all
    count. Raises Unauthorized for wrong credentials, with one message whichever was wrong
    (only a right password without the code its account needs is told so).
    """
    token_name = _clean_name(name)
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
    return create_token(user.id, token_name)


def user_for_token(secret: str) -> tuple[User, ApiToken] | None:
    """Return the user a token secret belongs to, and the token; None if it is unknown."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    found = db.session.execute(
        select(User, ApiToken)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.digest == sha256_hex(secret))
    ).one_or_none()
    if found is None:
        return None
    user, token = found
    now = clock.now()
    last_used = token.last_used_at
    if last_used is None or now - last_used >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.commit()
    return user, token


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

"""Accounts: register people and check who they are."""

from __future__ import annotations

import re
from functools import cache

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import ValidationError
from ..extensions import db
from ..models import User
from . import throttle

USERNAME = re.compile(r"[A-Za-z0-9._-]{3,32}", re.ASCII)
PASSWORD_MIN = 8
# Long enough for any passphrase, short enough that hashing it costs nothing unusual.
PASSWORD_MAX = 1024


def _hash(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@cache
def _decoy_hash(method: str) -> str:
    return generate_password_hash("decoy password", method=method)


def find_user(username: str) -> User | None:
    """Return the user with this username, ignoring case."""
    return db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def register(username: str | None, password: str | None, confirm_password: str | None) -> User:
    """Create an account, or raise ValidationError naming each field that is wrong."""
    username = (username or "").strip()
    password = password or ""
    errors: dict[str, str] = {}
    if not USERNAME.fullmatch(username):
        errors["username"] = (
            "Use 3 to 32 characters: letters, digits, dots, underscores or hyphens."
        )
    elif find_user(username) is not None:
        errors["username"] = "That username is taken. Please choose another."
    if len(password) < PASSWORD_MIN:
        errors["password"] = f"Use at least {PASSWORD_MIN} characters."
    elif len(password) > PASSWORD_MAX:
        errors["password"] = f"Use at most {PASSWORD_MAX} characters."
    elif password != (confirm_password or ""):
        errors["confirm_password"] = "The two passwords do not match."
    if errors:
        raise ValidationError(errors)
    user = User(username=username, password_hash=_hash(password))
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        # Someone registered the same name between our check and our insert.
        db.session.rollback()
        raise ValidationError(
            {"username": "That username is taken. Please choose another."}
        ) from None
    return user


def authenticate(username: str | None, password: str | None) -> User | None:
    """Return the user when the username and password match, else None.

    A missing user costs a hash check too, so timing does not tell which part was wrong.
    """
    username = (username or "").strip()
    password = password or ""
    user = find_user(username) if USERNAME.fullmatch(username) else None
    if user is None or len(password) > PASSWORD_MAX:
        check_password_hash(_decoy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return user


def log_in(username: str | None, password: str | None, address: str) -> User | None:
    """Authenticate a log-in attempt from a client address, with throttling.

    Raises TooManyAttempts after too many recent failures for the username from
    that address, before any password is checked; returns None for a wrong password.
    """
    username = (username or "").strip()
    throttle.check(username, address)
    user = authenticate(username, password)
    if user is None:
        throttle.record_failure(username, address)
        return None
    throttle.clear(username, address)
    return user

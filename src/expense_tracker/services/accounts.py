"""Accounts: register people, check who they are, and change their passwords."""

from __future__ import annotations

import re

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from ..errors import ValidationError
from ..extensions import db
from ..models import ApiToken, User
from . import passwords, sessions, throttle
from .validation import FieldError

USERNAME = re.compile(r"[A-Za-z0-9._-]{3,32}", re.ASCII)
PASSWORD_MAX = passwords.MAX_LENGTH
TAKEN = "That username is taken. Please choose another."
NOT_YOURS = "That is not your password."
# A message, not a password (bandit's B105 reads any "password" name as a secret).
WRONG_CURRENT_PASSWORD = "That is not your current password."  # nosec B105


def find_user(username: str) -> User | None:
    """Return the user with this username, ignoring case."""
    return db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def _new_password_errors(password: str, confirm: str, field: str, confirm_field: str) -> dict:
    try:
        passwords.check_policy(password)
    except FieldError as error:
        return {field: str(error)}
    if password != confirm:
        return {confirm_field: "The two passwords do not match."}
    return {}


def new_account(username: str | None, password: str | None, confirm_password: str | None) -> User:
    """Check a new account's fields and hash its password; return the user, not yet added.

    Raises ValidationError naming each field that is wrong. The slow hash is done here,
    before any transaction that adds the user takes a lock.
    """
    username = (username or "").strip()
    password = password or ""
    errors: dict[str, str] = {}
    if not USERNAME.fullmatch(username):
        errors["username"] = (
            "Use 3 to 32 characters: letters, digits, dots, underscores or hyphens."
        )
    elif find_user(username) is not None:
        errors["username"] = TAKEN
    errors |= _new_password_errors(password, confirm_password or "", "password", "confirm_password")
    if errors:
        raise ValidationError(errors)
    return User(username=username, password_hash=passwords.hash_password(password))


def check_new_password(password: str, confirm: str, field: str, confirm_field: str) -> None:
    """Raise ValidationError, under the two field names, unless the password may be set."""
    errors = _new_password_errors(password, confirm, field, confirm_field)
    if errors:
        raise ValidationError(errors)


def register(
    username: str | None,
    password: str | None,
    confirm_password: str | None,
    address: str | None = None,
) -> User:
    """Create an account, or raise ValidationError naming each field that is wrong.

    With a client address, at most 10 attempts an hour are made from it, refused ones
    included, so that probing for taken usernames is as slow as making accounts
    (TooManyAttempts after that).
    """
    if address is not None:
        throttle.attempt_registration(address)
    user = new_account(username, password, confirm_password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        # Someone registered the same name between our check and our insert.
        db.session.rollback()
        raise ValidationError({"username": TAKEN}) from None
    return user


def authenticate(username: str | None, password: str | None) -> User | None:
    """Return the user when the username and password match, else None.

    A missing user costs a hash check too, so timing does not tell which part was
    wrong. A match on an older kind of hash stores a new one.
    """
    username = (username or "").strip()
    password = password or ""
    user = find_user(username) if USERNAME.fullmatch(username) else None
    if user is None or len(password) > PASSWORD_MAX:
        passwords.spend_a_check(password)
        return None
    if not passwords.verify(user.password_hash, password):
        return None
    # A disabled account is refused only once the password was right, with the same answer
    # as a wrong one: a log-in page does not tell which accounts exist or are disabled.
    if user.disabled_at is not None:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        db.session.commit()
    return user


def log_in(
    username: str | None, password: str | None, address: str, known: bool = False
) -> User | None:
    """Authenticate a log-in attempt from a client address, with throttling.

    The attempt is counted before any password is checked (see `throttle`): raises
    TooManyAttempts while the username has too many from that address, or its account
    too many from anywhere; `known` says the browser logged in as this user before.
    Returns None for a wrong password. A user with two-factor authentication is not
    logged in yet: see `two_factor.log_in`.
    """
    username = (username or "").strip()
    source = throttle.KNOWN_BROWSER if known else throttle.ANYWHERE
    throttle.attempt_login(username, address, source)
    user = authenticate(username, password)
    if user is None:
        return None
    # With two-factor authentication the count is cleared only once the code is right too:
    # otherwise the password alone would reset the limit on guessing codes.
    if user.totp_secret is None:
        throttle.clear_logins(username, address)
    else:
        throttle.give_back_login(username, address, source)
        db.session.commit()
    return user


def change_password(
    user_id: int,
    current: str | None,
    new: str | None,
    confirm: str | None,
    keep_session: str | None,
    address: str = "",
    revoke_tokens: bool = False,
) -> int:
    """Replace the user's password, after checking the current one; return tokens revoked.

    Every other session of the user ends; the one whose secret is `keep_session`
    (the browser that made the change) stays logged in. API tokens keep working unless
    `revoke_tokens` asks to revoke them all in the same step. Wrong current passwords count
    like failed log-ins (TooManyAttempts once throttled): a stolen session cannot use
    this form to guess the password.
    """
    user = db.session.get(User, user_id)
    if user is None:
        raise ValidationError({"current_password": WRONG_CURRENT_PASSWORD})
    throttle.attempt_login(user.username, address, throttle.SESSION)
    new = new or ""
    errors: dict[str, str] = {}
    if not passwords.verify(user.password_hash, current or ""):
        errors["current_password"] = WRONG_CURRENT_PASSWORD
    else:
        throttle.give_back_login(user.username, address, throttle.SESSION)
        db.session.commit()
    errors |= _new_password_errors(new, confirm or "", "new_password", "confirm_new_password")
    if errors:
        raise ValidationError(errors)
    user.password_hash = passwords.hash_password(new)
    sessions.end_other_sessions(user_id, keep_session)
    revoked = 0
    if revoke_tokens:
        revoked = db.session.execute(
            delete(ApiToken)
            .where(ApiToken.user_id == user_id)
            .execution_options(synchronize_session=False)
        ).rowcount
    db.session.commit()
    return revoked


def delete_account(user_id: int, password: str | None, address: str) -> None:
    """Delete the user and everything theirs, once the password is typed again.

    Expenses, categories, totals, tokens, sessions and recovery codes go with the user
    (the database cascades), so every copy of every session cookie stops working.
    Wrong passwords count as failed log-ins: this form cannot be used to guess one.
    """
    user = db.session.get(User, user_id)
    if user is None:
        return
    throttle.attempt_login(user.username, address, throttle.SESSION)
    if not passwords.verify(user.password_hash, password or ""):
        raise ValidationError({"password": NOT_YOURS})
    db.session.execute(delete(User).where(User.id == user_id))
    db.session.commit()

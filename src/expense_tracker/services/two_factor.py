"""Two-factor authentication: TOTP codes from an authenticator app, and recovery codes.

A code is accepted within one 30-second step of the server's clock either way. The step
of the last accepted code is stored, and a code of that step or an older one is refused,
so a code seen by someone else is useless once used; the stored step moves forward with
one conditional UPDATE, so two requests (or two servers) cannot both use the same code.
Recovery codes are random, stored as SHA-256 digests, and marked used the same way.
Wrong codes count as failed log-ins for the username and address (see `throttle`).
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
from dataclasses import dataclass

import pyotp
from sqlalchemy import delete, func, or_, select, update

from .. import clock
from ..errors import ValidationError
from ..extensions import db
from ..models import RecoveryCode, User
from . import passwords, sessions, throttle
from .accounts import WRONG_CURRENT_PASSWORD
from .digests import sha256_hex

ISSUER = "Expense Tracker"
STEP_SECONDS = 30
DIGITS = 6
# Steps either side of now that still count, for an authenticator's clock a little off.
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
# 24 symbols from 31 (no 0, 1, i, l or o to misread) carry 118 bits: enough for a plain
# SHA-256 digest to keep them safe, as ASVS asks of secrets stored without a slow hash.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 24
RECOVERY_GROUP = 4
# How long the code step of a log-in may take after the password was accepted.
PENDING_LOGIN = dt.timedelta(minutes=5)
CODE_MAX = 64

TOTP = "totp"
RECOVERY = "recovery_code"

WRONG_CODE = "That code is not right. Check the time on your device and try a new code."
ENTER_CODE = "Enter the 6-digit code from your authenticator app, or a recovery code."
ALREADY_ON = "Two-factor authentication is already on."

_SEPARATORS = re.compile(r"[\s-]+")


@dataclass(frozen=True)
class Status:
    """Whether a user has two-factor authentication on, and how many recovery codes are left."""

    enabled: bool
    recovery_codes_left: int


@dataclass(frozen=True)
class _Proof:
    """A code that checked out: a TOTP step, or the digest of an unused recovery code."""

    method: str
    step: int | None = None
    digest: str | None = None


def new_secret() -> str:
    """Return a new random TOTP secret (160 bits, base32), not yet stored anywhere."""
    return pyotp.random_base32()


def grouped(secret: str) -> str:
    """The secret in groups of four, as people type it into an authenticator app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def status(user_id: int) -> Status:
    """Whether two-factor authentication is on for the user, and unused recovery codes."""
    user = db.session.get(User, user_id)
    left = db.session.scalar(
        select(func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)
        )
    )
    return Status(user is not None and user.totp_secret is not None, left or 0)


def is_enabled(user: User) -> bool:
    """Whether logging in as this user needs a second factor."""
    return user.totp_secret is not None


def _normalise(code: str | None) -> str:
    return _SEPARATORS.sub("", (code or "")[:CODE_MAX]).lower()


def _totp_step(secret: str, code: str, now: dt.datetime) -> int | None:
    """The time step within the allowed drift whose code this is, or None."""
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _check(user: User, secret: str, raw_code: str | None, now: dt.datetime) -> _Proof | None:
    """Whether the code is good for the user right now, without using it up."""
    code = _normalise(raw_code)
    step = _totp_step(secret, code, now)
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            return None
        return _Proof(TOTP, step=step)
    if len(code) != RECOVERY_LENGTH:
        return None
    digest = sha256_hex(code)
    found = db.session.scalar(
        select(RecoveryCode.id).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.digest == digest,
            RecoveryCode.used_at.is_(None),
        )
    )
    return _Proof(RECOVERY, digest=digest) if found is not None else None


def _use(user_id: int, proof: _Proof, now: dt.datetime) -> bool:
    """Use the code up, atomically; False when another request used it first."""
    if proof.method == TOTP:
        query = (
            update(User)
            .where(
                User.id == user_id,
                or_(User.totp_last_step.is_(None), User.totp_last_step < proof.step),
            )
            .values(totp_last_step=proof.step)
        )
    else:
        query = (
            update(RecoveryCode)
            .where(
                RecoveryCode.user_id == user_id,
                RecoveryCode.digest == proof.digest,
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=now)
        )
    return db.session.execute(query.execution_options(synchronize_session=False)).rowcount == 1


def _verify(user: User, code: str | None, now: dt.datetime) -> str | None:
    """Check and use up a code of a user with two-factor on; return its method, or None."""
    if user.totp_secret is None:
        return None
    proof = _check(user, user.totp_secret, code, now)
    if proof is None or not _use(user.id, proof, now):
        return None
    return proof.method


def _new_recovery_codes(user_id: int) -> list[str]:
    """Replace the user's recovery codes with new ones; return them, readable. No commit."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        db.session.add(RecoveryCode(user_id=user_id, digest=sha256_hex(raw)))
        codes.append(
            "-".join(raw[i : i + RECOVERY_GROUP] for i in range(0, RECOVERY_LENGTH, RECOVERY_GROUP))
        )
    return codes


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise ValidationError({"code": WRONG_CODE})
    return user


def enable(
    user_id: int,
    secret: str,
    code: str | None,
    now: dt.datetime | None = None,
    *,
    password: str | None,
    address: str,
    keep_session: str | None = None,
) -> list[str]:
    """Turn two-factor authentication on with `secret`, after the password and a code.

    The current password is asked again, as on the other settings forms that guard the
    account (`confirm_identity`, counted like log-ins from a live session): a stolen session
    cookie alone cannot tie the account to a thief's app and lock its owner out. `code`
    proves the app has `secret`; it counts as used and cannot log in afterwards.

    Returns the new recovery codes, the only time they can be read. Every session of the
    user but the one whose secret is `keep_session` ends: they were started without a code.
    Raises ValidationError naming each wrong field (`current_password`, `code`) and storing
    nothing, TooManyAttempts when throttled.
    """
    now = now or clock.now()
    user = _user(user_id)
    if user.totp_secret is not None:
        raise ValidationError({"code": ALREADY_ON})
    errors: dict[str, str] = {}
    try:
        # Two-factor is off, so this checks the password alone; it is counted first.
        confirm_identity(user, password, None, address, now)
    except ValidationError as error:
        errors.update(error.errors)
    step = _totp_step(secret, _normalise(code), now)
    if step is None:
        errors["code"] = WRONG_CODE
    if errors:
        # Also takes back the attempt given back for a right password: as when turning
        # it off, only a confirmation that succeeds is not counted.
        db.session.rollback()
        raise ValidationError(errors)
    # Conditional, so that two confirmations at once cannot leave two sets of codes.
    turned_on = db.session.execute(
        update(User)
        .where(User.id == user_id, User.totp_secret.is_(None))
        .values(totp_secret=secret, totp_last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    if turned_on != 1:
        db.session.rollback()
        raise ValidationError({"code": ALREADY_ON})
    codes = _new_recovery_codes(user_id)
    sessions.end_other_sessions(user_id, keep_session)
    db.session.commit()
    db.session.expire(user)
    return codes


def _throttled_verify(
    user: User, code: str | None, address: str, now: dt.datetime, source: str
) -> str | None:
    """Verify a code under the log-in limits for the user's name, `address` and account.

    The attempt is counted first (TooManyAttempts while a limit is reached); a wrong
    code stays counted, a right one is given back.
    """
    throttle.attempt_login(user.username, address, source)
    method = _verify(user, code, now)
    if method is None:
        db.session.rollback()
    else:
        throttle.give_back_login(user.username, address, source)
        db.session.commit()
    return method


def disable(
    user_id: int,
    password: str | None,
    code: str | None,
    address: str,
    now: dt.datetime | None = None,
    *,
    keep_session: str | None = None,
) -> None:
    """Turn two-factor authentication off; needs the current password and a code.

    Every session of the user but the one whose secret is `keep_session` ends, as at a
    password change. Raises ValidationError naming each wrong field, TooManyAttempts when
    throttled.
    """
    now = now or clock.now()
    user = _user(user_id)
    throttle.attempt_login(user.username, address, throttle.SESSION)
    errors: dict[str, str] = {}
    if not passwords.verify(user.password_hash, password or ""):
        errors["current_password"] = WRONG_CURRENT_PASSWORD
    proof = _check(user, user.totp_secret, code, now) if user.totp_secret else None
    if proof is None:
        errors["code"] = WRONG_CODE
    if errors or not _use(user.id, proof, now):
        db.session.rollback()
        raise ValidationError(errors or {"code": WRONG_CODE})
    user.totp_secret = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    sessions.end_other_sessions(user_id, keep_session)
    throttle.give_back_login(user.username, address, throttle.SESSION)
    db.session.commit()


def confirm_identity(
    user: User,
    password: str | None,
    code: str | None,
    address: str,
    now: dt.datetime | None = None,
) -> None:
    """Check the password and, with two-factor on, a code, asked again of a logged-in user.

    Counted like log-ins from a live session; a right code is used up. Raises
    ValidationError naming each wrong field, TooManyAttempts when throttled. Does not
    commit: the caller's change does, with the code used up.
    """
    now = now or clock.now()
    throttle.attempt_login(user.username, address, throttle.SESSION)
    errors: dict[str, str] = {}
    if not passwords.verify(user.password_hash, password or ""):
        errors["current_password"] = WRONG_CURRENT_PASSWORD
    proof = None
    if user.totp_secret is not None:
        proof = _check(user, user.totp_secret, code, now)
        if proof is None:
            errors["code"] = WRONG_CODE
    if errors or (proof is not None and not _use(user.id, proof, now)):
        db.session.rollback()
        raise ValidationError(errors or {"code": WRONG_CODE})
    throttle.give_back_login(user.username, address, throttle.SESSION)


def regenerate_recovery_codes(
    user_id: int, code: str | None, address: str, now: dt.datetime | None = None
) -> list[str]:
    """Replace the user's recovery codes with new ones, after a code; return the new ones.

    Raises ValidationError for a wrong code, TooManyAttempts when throttled.
    """
    now = now or clock.now()
    user = _user(user_id)
    if _throttled_verify(user, code, address, now, throttle.SESSION) is None:
        raise ValidationError({"code": WRONG_CODE})
    codes = _new_recovery_codes(user_id)
    db.session.commit()
    return codes


def pending_since() -> float:
    """The time to remember for a log-in whose password was right: a POSIX timestamp."""
    return clock.now().timestamp()


def pending_login_expired(started_at: float, now: dt.datetime | None = None) -> bool:
    """Whether a log-in whose password was accepted at `started_at` waited too long for its code.

    `started_at` is a POSIX timestamp, as kept in the signed session cookie.
    """
    elapsed = (now or clock.now()).timestamp() - started_at
    return not 0 <= elapsed <= PENDING_LOGIN.total_seconds()


def log_in(
    user_id: int,
    code: str | None,
    address: str,
    now: dt.datetime | None = None,
    known: bool = False,
) -> tuple[User, str] | None:
    """Finish a log-in whose password was right with its second factor.

    Returns the user and how they proved it (`TOTP` or `RECOVERY`), or None for a
    wrong code, which counts as a failed log-in. Raises TooManyAttempts when throttled.
    """
    now = now or clock.now()
    user = db.session.get(User, user_id)
    if user is None or user.totp_secret is None:
        return None
    source = throttle.KNOWN_BROWSER if known else throttle.ANYWHERE
    method = _throttled_verify(user, code, address, now, source)
    if method is None:
        return None
    throttle.clear_logins(user.username, address)
    return user, method

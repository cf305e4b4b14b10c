"""Who may register: the REGISTRATION setting, and single-use invitation links.

`open`: anyone may register. `invite`: only with an invitation link, made by a user in
Settings or by the operator's `invite` command. `closed`: only the operator's `create-user`
command makes accounts. An invitation's secret is in the link; the database keeps only its
SHA-256 digest, as for API tokens and sessions.
"""

from __future__ import annotations

import datetime as dt
import secrets

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..errors import Forbidden, NotFound, ValidationError
from ..extensions import db
from ..models import MAX_ID, Invitation, User
from ..sql import PURGE_BATCH, delete_some
from . import accounts, throttle
from .digests import sha256_hex

OPEN, INVITE, CLOSED = "open", "invite", "closed"
INVITATION_DAYS = 7
# Enough for a family; a stolen session cannot fill the table with live links.
OPEN_INVITATIONS_MAX = 20
SECRET_MAX = 100
TOO_MANY = (
    f"You have {OPEN_INVITATIONS_MAX} unused invitations already."
    " Revoke one, or wait until one is used or expires."
)
CLOSED_MESSAGE = "This server does not take new accounts. Ask whoever runs it to make you one."
INVITE_ONLY_MESSAGE = (
    "This server takes new accounts by invitation only."
    " Ask someone who has an account here for an invitation link."
)
NOT_INVITING_MESSAGE = "Invitations are not in use on this server."


class RegistrationClosed(Forbidden):
    """The REGISTRATION setting does not allow this way of making an account."""


def mode() -> str:
    """Return the REGISTRATION setting: "open", "invite" or "closed"."""
    return current_app.config["REGISTRATION"]


def require_open() -> None:
    """Raise RegistrationClosed, saying how accounts are made here, unless registering is open."""
    if mode() != OPEN:
        raise RegistrationClosed(INVITE_ONLY_MESSAGE if mode() == INVITE else CLOSED_MESSAGE)


def register_openly(
    username: str | None, password: str | None, confirm_password: str | None, address: str
) -> User:
    """Register from the open registration page; RegistrationClosed unless registering is open."""
    require_open()
    return accounts.register(username, password, confirm_password, address=address)


def create_invitation(user_id: int | None, days: int = INVITATION_DAYS) -> tuple[Invitation, str]:
    """Make an invitation link's secret, valid for `days`; return the invitation and secret.

    `user_id` is the inviting user (who may invite only when REGISTRATION is invite), or
    None for the operator (who may unless it is closed). Raises ValidationError when the
    user has too many unused invitations.
    """
    if mode() == CLOSED or (user_id is not None and mode() != INVITE):
        raise RegistrationClosed(CLOSED_MESSAGE if mode() == CLOSED else NOT_INVITING_MESSAGE)
    now = clock.now()
    purge_expired_invitations(now, PURGE_BATCH)
    if user_id is not None:
        pending = db.session.scalar(
            select(func.count(Invitation.id)).where(
                *_pending(now), Invitation.created_by_id == user_id
            )
        )
        if pending >= OPEN_INVITATIONS_MAX:
            raise ValidationError({"invitation": TOO_MANY})
    secret = secrets.token_urlsafe(32)
    invitation = Invitation(
        created_by_id=user_id,
        digest=sha256_hex(secret),
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    db.session.add(invitation)
    db.session.commit()
    return invitation, secret


def purge_expired_invitations(now: dt.datetime, limit: int | None = None) -> int:
    """Delete anyone's invitations past their time, used or not (`limit`; None: all).

    Returns how many. Does not commit. Their links said "cannot be used" already, and
    still do; who invited whom is in the audit log.
    """
    return delete_some(Invitation, Invitation.expires_at <= now, limit)


def _pending(now: dt.datetime) -> tuple:
    return Invitation.used_at.is_(None), Invitation.expires_at > now


def list_invitations(user_id: int) -> list[Invitation]:
    """The user's invitations that can still be used, newest first."""
    return list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.created_by_id == user_id, *_pending(clock.now()))
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
    )


def visible_invitations(user_id: int) -> list[Invitation] | None:
    """The user's usable invitations when users may invite; None when they may not."""
    return list_invitations(user_id) if mode() == INVITE else None


def revoke_invitation(user_id: int, invitation_id: int) -> None:
    """Delete one of the user's unused invitations, so that its link no longer works."""
    invitation = None
    if 0 < invitation_id <= MAX_ID:
        invitation = db.session.scalar(
            select(Invitation).where(
                Invitation.id == invitation_id,
                Invitation.created_by_id == user_id,
                Invitation.used_at.is_(None),
            )
        )
    if invitation is None:
        raise NotFound()
    db.session.delete(invitation)
    db.session.commit()


def _digest(secret: str) -> str:
    if not secret or len(secret) > SECRET_MAX:
        raise NotFound()
    return sha256_hex(secret)


def check_invitation(secret: str) -> Invitation:
    """Return the invitation whose link this is, or raise NotFound if it cannot be used.

    Raises RegistrationClosed when REGISTRATION is closed: no link works then.
    """
    if mode() == CLOSED:
        raise RegistrationClosed(CLOSED_MESSAGE)
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.digest == _digest(secret), *_pending(clock.now()))
    )
    if invitation is None:
        raise NotFound()
    return invitation


def register_invited(
    secret: str,
    username: str | None,
    password: str | None,
    confirm_password: str | None,
    address: str | None = None,
) -> User:
    """Make an account with an invitation link, which is then used up.

    Raises RegistrationClosed when REGISTRATION is closed, NotFound when the link is
    unknown, expired, revoked or used, and ValidationError for wrong fields (the link stays
    usable). Of several people using one link at once exactly one gets the account: the
    invitation is claimed by a conditional UPDATE, which the database runs one at a time.
    """
    check_invitation(secret)
    if address is not None:
        throttle.attempt_registration(address)
    user = accounts.new_account(username, password, confirm_password)
    now = clock.now()
    claimed = db.session.execute(
        update(Invitation)
        .where(Invitation.digest == _digest(secret), *_pending(now))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise NotFound()
    db.session.add(user)
    try:
        db.session.flush()
        db.session.execute(
            update(Invitation)
            .where(Invitation.digest == _digest(secret))
            .values(used_by_id=user.id)
        )
        db.session.commit()
    except IntegrityError:
        # Someone registered the same name between our check and our insert; the
        # invitation's claim is undone with it.
        db.session.rollback()
        raise ValidationError({"username": accounts.TAKEN}) from None
    return user

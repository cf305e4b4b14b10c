"""Rows past their use, all deleted at once: `flask --app expense_tracker purge-expired`.

Ordinary writes delete a few of their own kind on the way (an upload, old uploads; a
log-in, ended sessions; a new token, long-expired tokens; a new invitation or reset link,
spent ones; a log-in attempt, stale throttle counters), so a server nobody runs cron on stays
bounded too; the command empties the backlog at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .. import clock
from ..extensions import db
from . import access, imports, invitations, sessions, throttle, tokens


@dataclass(frozen=True)
class Purged:
    """How many rows of each kind went."""

    uploads: int
    tokens: int
    invitations: int
    resets: int
    sessions: int
    counters: int


def purge_expired(now: dt.datetime | None = None) -> Purged:
    """Delete every row past its use, of every user, in one transaction; say how many."""
    now = now or clock.now()
    purged = Purged(
        uploads=imports.purge_expired_uploads(now),
        tokens=tokens.purge_expired_tokens(now),
        invitations=invitations.purge_expired_invitations(now),
        resets=access.purge_spent_resets(now),
        sessions=sessions.purge_expired_sessions(now),
        counters=throttle.purge_stale(now),
    )
    db.session.commit()
    return purged

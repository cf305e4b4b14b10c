"""Server-side sessions: they end at log out, when idle, at their lifetime, everywhere."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update

from expense_tracker import clock as app_clock
from expense_tracker.extensions import db
from expense_tracker.models import UserSession
from expense_tracker.services import sessions

from ..factories import make_user


@pytest.fixture
def clock(time_machine):
    """Stop the clock; `clock(minutes=...)` moves it forward by that much."""
    time_machine.move_to(app_clock.now(), tick=False)

    def advance(**delta) -> None:
        time_machine.shift(dt.timedelta(**delta))

    return advance


def test_a_session_is_stored_only_as_a_digest(app):
    user = make_user()

    secret = sessions.start_session(user.id, "Firefox")

    record = db.session.scalars(select(UserSession)).one()
    assert secret not in record.digest and len(record.digest) == 64
    assert record.user_agent == "Firefox"
    assert sessions.session_user(user.id, secret) == user


def test_the_secret_only_works_for_its_own_user(app):
    alice, bob = make_user("alice"), make_user("bob")
    secret = sessions.start_session(alice.id)

    assert sessions.session_user(bob.id, secret) is None
    assert sessions.session_user(alice.id, "not the secret") is None


def test_ending_a_session_makes_its_secret_useless(app):
    user = make_user()
    secret = sessions.start_session(user.id)
    other = sessions.start_session(user.id)

    sessions.end_session(secret)

    assert sessions.session_user(user.id, secret) is None
    assert sessions.session_user(user.id, other) == user


def test_a_session_idle_too_long_ends(app, clock):
    user = make_user()
    secret = sessions.start_session(user.id)
    idle = app.config["SESSION_IDLE_MINUTES"]

    clock(minutes=idle - 1)
    assert sessions.session_user(user.id, secret) == user  # and it is seen again now
    clock(minutes=idle - 1)
    assert sessions.session_user(user.id, secret) == user
    clock(minutes=idle + 1)
    assert sessions.session_user(user.id, secret) is None
    assert db.session.scalars(select(UserSession)).all() == []


def test_a_busy_session_still_ends_at_its_lifetime(app, clock):
    user = make_user()
    secret = sessions.start_session(user.id)

    for _ in range(app.config["SESSION_LIFETIME_HOURS"] * 4 - 1):
        clock(minutes=15)
        assert sessions.session_user(user.id, secret) == user
    clock(minutes=16)

    assert sessions.session_user(user.id, secret) is None


def test_timeouts_are_settings(app, clock):
    app.config["SESSION_IDLE_MINUTES"] = 5
    user = make_user()
    secret = sessions.start_session(user.id)

    clock(minutes=6)

    assert sessions.session_user(user.id, secret) is None


def test_ending_all_other_sessions_keeps_this_one(app):
    alice, bob = make_user("alice"), make_user("bob")
    mine = sessions.start_session(alice.id, "Phone")
    others = [sessions.start_session(alice.id, "Laptop") for _ in range(2)]
    bobs = sessions.start_session(bob.id)

    assert sessions.end_all_other_sessions(alice.id, mine) == 2

    assert [s.user_agent for s, current in sessions.list_sessions(alice.id, mine)] == ["Phone"]
    assert all(sessions.session_user(alice.id, secret) is None for secret in others)
    assert sessions.session_user(bob.id, bobs) == bob


def test_sessions_are_listed_latest_first_with_the_current_one_marked(app, clock):
    user = make_user()
    first = sessions.start_session(user.id, "Laptop")
    clock(minutes=2)
    second = sessions.start_session(user.id, "Phone")

    seen_from_laptop = sessions.list_sessions(user.id, first)
    seen_from_phone = sessions.list_sessions(user.id, second)

    assert [(s.user_agent, current) for s, current in seen_from_laptop] == [
        ("Phone", False),
        ("Laptop", True),
    ]
    assert [(s.user_agent, current) for s, current in seen_from_phone] == [
        ("Phone", True),
        ("Laptop", False),
    ]


def test_rotating_a_session_gives_it_a_new_secret_and_kills_the_old_one(app, clock):
    user = make_user()
    old = sessions.start_session(user.id)
    started = db.session.scalar(select(UserSession.created_at))

    new = sessions.rotate_session(user.id, old)

    assert new is not None and new != old
    assert sessions.session_user(user.id, old) is None
    assert sessions.session_user(user.id, new).id == user.id
    # Same session, same lifetime: rotating does not extend it.
    assert db.session.scalar(select(UserSession.created_at)) == started
    assert db.session.scalar(select(db.func.count(UserSession.id))) == 1


def test_another_users_session_cannot_be_rotated(app):
    owner, other = make_user("alice"), make_user("bob")
    secret = sessions.start_session(owner.id)

    assert sessions.rotate_session(other.id, secret) is None
    assert sessions.session_user(owner.id, secret).id == owner.id


def test_logging_in_deletes_a_few_sessions_that_ended_by_time_on_the_way(user, monkeypatch):
    for _ in range(3):
        sessions.start_session(user.id)
    stale = app_clock.now() - dt.timedelta(days=1)
    db.session.execute(update(UserSession).values(last_seen_at=stale))
    db.session.commit()
    monkeypatch.setattr(sessions, "PURGE_BATCH", 2)

    sessions.start_session(user.id)

    assert db.session.scalar(select(func.count(UserSession.id))) == 2  # one ended, the new one


def test_the_purge_on_the_way_keeps_a_kept_session_idle_for_a_day(user, monkeypatch):
    kept = sessions.start_session(user.id, keep_signed_in=True)
    sessions.start_session(user.id)
    stale = app_clock.now() - dt.timedelta(days=1)
    db.session.execute(update(UserSession).values(last_seen_at=stale))
    db.session.commit()

    sessions.start_session(user.id)

    assert db.session.scalar(select(func.count(UserSession.id))) == 2  # the kept one, the new
    assert sessions.session_user(user.id, kept).id == user.id


# "Keep me signed in on this device": a session that lasts while it is used, within a cap.


def test_a_kept_session_outlives_the_ordinary_idle_timeout_and_lifetime(app, clock):
    user = make_user()
    kept = sessions.start_session(user.id, "Phone", keep_signed_in=True)
    ordinary = sessions.start_session(user.id, "Laptop")

    clock(hours=app.config["SESSION_LIFETIME_HOURS"] + 1)

    assert sessions.session_user(user.id, kept).id == user.id
    assert sessions.session_user(user.id, ordinary) is None


def test_a_kept_session_is_extended_while_used_and_ends_when_idle_for_its_days(app, clock):
    user = make_user()
    secret = sessions.start_session(user.id, keep_signed_in=True)
    days = app.config["SESSION_REMEMBER_DAYS"]

    clock(days=days - 1)
    assert sessions.session_user(user.id, secret) == user  # and it is seen again now
    clock(days=days - 1)
    assert sessions.session_user(user.id, secret) == user
    clock(days=days, minutes=1)
    assert sessions.session_user(user.id, secret) is None
    assert db.session.scalars(select(UserSession)).all() == []


def test_a_kept_session_in_daily_use_still_ends_at_its_absolute_cap(app, clock):
    user = make_user()
    secret = sessions.start_session(user.id, keep_signed_in=True)
    cap = app.config["SESSION_REMEMBER_MAX_DAYS"]

    for _ in range(cap - 1):
        clock(days=1)
        assert sessions.session_user(user.id, secret) == user
    clock(days=1, minutes=1)

    assert sessions.session_user(user.id, secret) is None


def test_rotating_a_kept_session_keeps_it_kept(app, clock):
    user = make_user()
    old = sessions.start_session(user.id, keep_signed_in=True)

    new = sessions.rotate_session(user.id, old)
    clock(hours=app.config["SESSION_LIFETIME_HOURS"] + 1)

    assert sessions.session_user(user.id, new) == user
    assert db.session.scalar(select(UserSession.kept_signed_in)) is True


def test_kept_sessions_are_listed_while_alive_and_marked_as_kept(app, clock):
    user = make_user()
    kept = sessions.start_session(user.id, "Phone", keep_signed_in=True)
    sessions.start_session(user.id, "Laptop")

    clock(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)

    listed = sessions.list_sessions(user.id, kept)
    assert [(s.user_agent, s.kept_signed_in, current) for s, current in listed] == [
        ("Phone", True, True)
    ]


def test_ending_other_sessions_ends_kept_ones_too(app):
    user = make_user()
    mine = sessions.start_session(user.id, "Laptop")
    kept = sessions.start_session(user.id, "Phone", keep_signed_in=True)

    assert sessions.end_all_other_sessions(user.id, mine) == 1

    assert sessions.session_user(user.id, kept) is None

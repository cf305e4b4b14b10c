"""The upgrade to token expiry and throttle counters: tokens keep working, counts carry over."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from expense_tracker.extensions import db

from .helpers import make_app


def test_upgrading_turns_throttle_events_into_one_counter_per_key(blank_database_url):
    app = make_app(blank_database_url)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0012_budgets"]).exit_code == 0
    first = dt.datetime(2026, 12, 3, 11, 59, 0, tzinfo=dt.UTC)
    events = [
        {"key": "a" * 64, "t": first},
        {"key": "a" * 64, "t": first + dt.timedelta(seconds=10)},
        {"key": "a" * 64, "t": first + dt.timedelta(seconds=20)},
        {"key": "b" * 64, "t": first + dt.timedelta(seconds=5)},
    ]
    with app.app_context():
        db.session.execute(
            text("INSERT INTO throttle_events (key, created_at) VALUES (:key, :t)"), events
        )
        db.session.commit()
        db.engine.dispose()

    result = runner.invoke(args=["db", "upgrade"])

    assert result.exit_code == 0, result.output
    with app.app_context():
        rows = db.session.execute(
            text("SELECT key, count, window_start, last_at FROM throttle_counters ORDER BY key")
        ).all()
        db.engine.dispose()
    as_utc = [(key[:1], count, str(start)[:19], str(last)[:19]) for key, count, start, last in rows]
    assert as_utc == [
        ("a", 3, "2026-12-03 11:59:00", "2026-12-03 11:59:20"),
        ("b", 1, "2026-12-03 11:59:05", "2026-12-03 11:59:05"),
    ]


def test_upgrading_keeps_every_token_working_without_an_expiry(blank_database_url):
    app = make_app(blank_database_url)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0012_budgets"]).exit_code == 0
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    with app.app_context():
        db.session.execute(
            text(
                "INSERT INTO users (id, username, password_hash, created_at)"
                " VALUES (1, 'a', 'x', :t)"
            ),
            {"t": now},
        )
        db.session.execute(
            text(
                "INSERT INTO api_tokens (id, user_id, name, digest, created_at)"
                " VALUES (1, 1, 'Old script', :digest, :t)"
            ),
            {"digest": "d" * 64, "t": now},
        )
        db.session.commit()
        db.engine.dispose()

    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0

    with app.app_context():
        rows = db.session.execute(text("SELECT id, name, expires_at FROM api_tokens")).all()
        db.engine.dispose()
    assert [tuple(row) for row in rows] == [(1, "Old script", None)]

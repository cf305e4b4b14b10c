"""The upgrade to kept sessions and the first-run step: nothing already there changes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from expense_tracker.extensions import db

from .helpers import make_app


def test_upgrading_keeps_sessions_ordinary_and_counts_accounts_as_welcomed(blank_database_url):
    app = make_app(blank_database_url)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0015_invitations_disabled_users"]).exit_code == 0
    made = dt.datetime(2026, 11, 1, 9, 30, tzinfo=dt.UTC)
    seen = dt.datetime(2026, 12, 3, 11, 0, tzinfo=dt.UTC)
    with app.app_context():
        db.session.execute(
            text(
                "INSERT INTO users (id, username, password_hash, created_at, theme)"
                " VALUES (1, 'a', 'x', :t, 'system')"
            ),
            {"t": made},
        )
        db.session.execute(
            text(
                "INSERT INTO user_sessions (user_id, digest, created_at, last_seen_at, user_agent)"
                " VALUES (1, :d, :t, :t, 'Firefox')"
            ),
            {"d": "d" * 64, "t": seen},
        )
        db.session.commit()
        db.engine.dispose()

    result = runner.invoke(args=["db", "upgrade"])

    assert result.exit_code == 0, result.output
    with app.app_context():
        kept = db.session.execute(
            text("SELECT kept_signed_in, user_agent FROM user_sessions")
        ).all()
        welcomed = db.session.scalar(text("SELECT welcomed_at FROM users"))
        db.engine.dispose()
    assert [(bool(flag), agent) for flag, agent in kept] == [(False, "Firefox")]
    assert str(welcomed)[:19] == "2026-11-01 09:30:00"

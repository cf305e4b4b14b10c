"""Upgrading to category colours spreads the ten colours over each user's categories."""

from __future__ import annotations

from sqlalchemy import text

from expense_tracker import clock
from expense_tracker.extensions import db

from .helpers import make_app


def test_upgrading_gives_each_users_categories_the_colours_in_turn(blank_database_url):
    app = make_app(blank_database_url)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0007_two_factor"]).exit_code == 0
    now = clock.now()
    # User 1 has twelve categories, user 2 two, with ids interleaved.
    owners = [1] * 5 + [2] + [1] * 6 + [2] + [1]
    with app.app_context():
        db.session.execute(
            text(
                "INSERT INTO users (id, username, password_hash, created_at)"
                " VALUES (:id, :u, 'x', :t)"
            ),
            [{"id": 1, "u": "one", "t": now}, {"id": 2, "u": "two", "t": now}],
        )
        db.session.execute(
            text(
                "INSERT INTO categories (id, user_id, name, name_key, created_at)"
                " VALUES (:id, :user, :name, :name, :t)"
            ),
            [
                {"id": n, "user": user, "name": f"k{n}", "t": now}
                for n, user in enumerate(owners, start=1)
            ],
        )
        db.session.commit()

    result = runner.invoke(args=["db", "upgrade"])

    assert result.exit_code == 0, result.output
    with app.app_context():
        rows = db.session.execute(text("SELECT user_id, color FROM categories ORDER BY id")).all()
        db.engine.dispose()
    assert [color for user, color in rows if user == 1] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]
    assert [color for user, color in rows if user == 2] == [0, 1]

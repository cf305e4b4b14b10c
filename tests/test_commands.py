"""The data commands: import-legacy, export and backup, as an operator runs them."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, insert, select, text, update
from werkzeug.security import generate_password_hash

from expense_tracker.extensions import db
from expense_tracker.models import Expense
from expense_tracker.services import backups
from expense_tracker.services.categories import resolve_category

from .factories import make_expense, make_user
from .helpers import log_in, make_app

OLD_PASSWORD = "an old password"


def legacy_files(tmp_path):
    """The original app's two files: one good user, one bad; expenses for each, one bad."""
    old_hash = generate_password_hash(OLD_PASSWORD, method="pbkdf2:sha256:1000")
    users = tmp_path / "users.csv"
    users.write_text(f"id,username,password\n1,ada,{old_hash}\n2,bo b,{old_hash}\n")
    expenses = tmp_path / "expenses.csv"
    expenses.write_text(
        "id,user_id,date,amount,category,description\n"
        "1,1,2024-01-05,12.5,Food,Lunch\n"
        "2,1,2024-01-06,3.0,Travel,Bus\n"
        "3,2,2024-01-06,4,Food,Tea\n"
        "4,1,2024-01-32,4,Food,Cake\n"
    )
    return users, expenses


def test_import_legacy_reports_counts_and_every_refused_row(app, runner, tmp_path):
    users, expenses = legacy_files(tmp_path)

    result = runner.invoke(args=["import-legacy", "--users", users, "--expenses", expenses])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Not imported: users.csv line 3: the username 'bo b' is not 3 to 32 letters, digits,"
        " dots, underscores or hyphens.",
        "Not imported: expenses.csv line 4: its user 2 was not imported (users.csv line 3).",
        "Not imported: expenses.csv line 5: date: That date does not exist.",
        "Imported 1 users and 2 expenses; 1 user rows and 2 expense rows were not taken.",
    ]
    assert runner.invoke(args=["rebuild-totals", "--check"]).exit_code == 0


def test_imported_users_log_in_with_their_old_passwords(app, client, runner, tmp_path):
    users, expenses = legacy_files(tmp_path)
    runner.invoke(args=["import-legacy", "--users", users, "--expenses", expenses])

    response = log_in(client, "ada", OLD_PASSWORD)
    dashboard = client.get("/?period=all").get_data(as_text=True)

    assert response.status_code == 302
    assert "Lunch" in dashboard and "15.50" in dashboard


def test_import_legacy_dry_run_and_a_missing_column(app, runner, tmp_path):
    users, expenses = legacy_files(tmp_path)
    broken = tmp_path / "broken.csv"
    broken.write_text("user,date,amount\n")

    dry = runner.invoke(
        args=["import-legacy", "--users", users, "--expenses", expenses, "--dry-run"]
    )
    missing = runner.invoke(args=["import-legacy", "--users", users, "--expenses", broken])

    assert dry.exit_code == 0 and "Would import 1 users and 2 expenses" in dry.output
    assert "Dry run: nothing was stored." in dry.output
    assert missing.exit_code == 1 and "broken.csv has no user_id column" in missing.output
    with app.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM users")) == 0


def test_export_writes_a_users_expenses_as_csv_or_json(app, runner, tmp_path):
    with app.app_context():
        person = make_user("ada")
        make_expense(person, amount="2", date="2024-01-05", description="=1+1")
    target = tmp_path / "ada.json"

    written = runner.invoke(args=["export", "ada", str(tmp_path / "ada.csv")])
    as_json = runner.invoke(args=["export", "ADA", str(target)])
    assert as_json.exit_code == 0, as_json.output
    again = runner.invoke(args=["export", "ada", str(target)])

    assert written.exit_code == 0 and "Exported 1 expenses of ada" in written.output
    assert (tmp_path / "ada.csv").read_text(encoding="utf-8-sig").splitlines() == [
        "date,amount,currency,category,description",
        "2024-01-05,2.00,EUR,Food,'=1+1",
    ]
    assert json.loads(target.read_text())[0]["description"] == "=1+1"
    assert again.exit_code == 1 and "use --force" in again.output


def test_backup_refuses_postgresql_and_points_to_pg_dump():
    engine = create_engine("postgresql+psycopg://someone@localhost/expenses")

    with pytest.raises(backups.BackupError, match="pg_dump"):
        backups.sqlite_path(engine)


@pytest.fixture
def sqlite_app(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'live.sqlite'}")
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_backup_is_consistent_while_the_app_keeps_writing(sqlite_app, tmp_path, monkeypatch):
    # Many small steps, so the writer commits between them.
    monkeypatch.setattr(backups, "PAGES_PER_STEP", 8)
    with sqlite_app.app_context():
        person = make_user("ada")
        category_id = resolve_category(person.id, "Food").id
        rows = [
            dict(user_id=person.id, category_id=category_id, date=dt.date(2024, 1, n % 28 + 1),
                 amount=n + 1, description=f"Expense {n} " + "x" * 80)
            for n in range(20_000)
        ]  # fmt: skip
        db.session.execute(insert(Expense), rows)
        db.session.commit()
    database = tmp_path / "live.sqlite"
    stop = threading.Event()
    written: list[int] = []

    def keep_writing() -> None:
        connection = sqlite3.connect(database, isolation_level=None)
        connection.execute("PRAGMA busy_timeout=10000")
        while not stop.is_set():
            connection.execute(
                "INSERT INTO throttle_counters"
                " (key, count, window_start, next_at, last_at, allowed)"
                " VALUES (?, 1, '2024-01-01', '2024-01-01', '2024-01-01', 1)",
                (f"{len(written)}",),
            )
            written.append(1)
            time.sleep(0.001)
        connection.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        deadline = time.monotonic() + 30
        while len(written) < 20:
            assert writer.is_alive() and time.monotonic() < deadline, "the writer stopped"
            time.sleep(0.01)
        before = len(written)
        result = sqlite_app.test_cli_runner().invoke(args=["backup", str(tmp_path / "b.sqlite")])
        during = len(written) - before
    finally:
        stop.set()
        writer.join()

    assert result.exit_code == 0, result.output
    assert during > 0, "the writer should have committed while the backup ran"
    copy = sqlite3.connect(tmp_path / "b.sqlite")
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT count(*) FROM expenses").fetchone()[0] == 20_000
        events = copy.execute("SELECT count(*) FROM throttle_counters").fetchone()[0]
        assert before <= events <= len(written)
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        copy.close()
    assert not list(tmp_path.glob(".b.sqlite.*"))


def test_backup_refuses_to_overwrite_unless_forced(sqlite_app, tmp_path):
    target = tmp_path / "b.sqlite"
    target.write_text("precious")
    runner = sqlite_app.test_cli_runner()

    refused = runner.invoke(args=["backup", str(target)])
    assert refused.exit_code == 1 and "use --force" in refused.output
    assert target.read_text() == "precious"

    forced = runner.invoke(args=["backup", str(target), "--force"])
    assert forced.exit_code == 0, forced.output
    assert sqlite3.connect(target).execute("SELECT count(*) FROM users").fetchone()[0] == 0


def test_purge_uploads_drops_expired_pending_uploads_and_says_how_many(app, runner, user):
    from expense_tracker import clock
    from expense_tracker.models import Import
    from expense_tracker.services import imports

    with app.app_context():
        old = imports.start_import(user.id, "old.csv", b"date,amount,category\n2026-01-05,1,A\n")
        new = imports.start_import(user.id, "new.csv", b"date,amount,category\n2026-01-05,1,A\n")
        old_id, new_id = old.id, new.id
        old.created_at = clock.now() - imports.PENDING_LIFETIME - dt.timedelta(minutes=1)
        db.session.commit()

    result = runner.invoke(args=["purge-uploads"])

    assert result.exit_code == 0, result.output
    assert "Purged 1 pending upload" in result.output
    with app.app_context():
        assert db.session.get(Import, old_id) is None
        assert db.session.get(Import, new_id) is not None


def test_purge_expired_drops_what_has_expired_and_keeps_the_rest(app, runner, user):
    from expense_tracker import clock
    from expense_tracker.models import (
        ApiToken,
        Invitation,
        PasswordReset,
        ThrottleCounter,
        UserSession,
    )
    from expense_tracker.services import access, invitations, sessions, throttle, tokens

    app.config["REGISTRATION"] = "invite"
    long_ago = clock.now() - dt.timedelta(days=400)
    with app.app_context():
        # Made first, then aged: each of these writes purges a few of its kind on the way.
        gone = [tokens.create_token(user.id, "gone", 30)[0].id]
        tokens.create_token(user.id, "kept", None)
        gone.append(invitations.create_invitation(user.id)[0].id)
        invitations.create_invitation(user.id)
        used = access.create_password_reset(user.username)
        access.reset_password(used, "a brand new passphrase", "a brand new passphrase")
        access.create_password_reset(user.username)  # still usable
        sessions.start_session(user.id)
        sessions.start_session(user.id)
        throttle.attempt_registration("192.0.2.1")
        first = db.session.scalar(select(db.func.min(UserSession.id)))
        for statement in (
            update(ApiToken).where(ApiToken.id == gone[0]).values(expires_at=long_ago),
            update(Invitation).where(Invitation.id == gone[1]).values(expires_at=long_ago),
            update(UserSession)
            .where(UserSession.id == first)
            .values(created_at=long_ago, last_seen_at=long_ago),
            update(ThrottleCounter).values(last_at=long_ago),
        ):
            db.session.execute(statement)
        db.session.commit()

    result = runner.invoke(args=["purge-expired"])

    assert result.exit_code == 0, result.output
    assert "1 API token expired over 30 days ago" in result.output
    with app.app_context():
        assert db.session.scalars(select(ApiToken.name)).all() == ["kept"]
        assert db.session.scalar(select(db.func.count(Invitation.id))) == 1
        assert db.session.scalar(select(db.func.count(PasswordReset.id))) == 1
        assert db.session.scalar(select(db.func.count(UserSession.id))) == 1
        assert db.session.scalar(select(db.func.count(ThrottleCounter.key))) == 0


def test_purge_uploads_is_still_the_same_command(app, runner):
    result = runner.invoke(args=["purge-uploads"])

    assert result.exit_code == 0, result.output
    assert "1 API token" not in result.output and "Purged 0 pending uploads" in result.output

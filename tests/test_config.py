"""Configuration from the environment, and migrations that match the models."""

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from expense_tracker import clock, create_app
from expense_tracker.config import (
    ConfigurationError,
    fill_instance_defaults,
    normalize_database_url,
)
from expense_tracker.extensions import db

from .helpers import make_app


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@host:5432/db", "postgresql+psycopg://u:p@host:5432/db"),
        ("postgresql://u:p@host/db", "postgresql+psycopg://u:p@host/db"),
        ("postgresql+psycopg://u:p@host/db", "postgresql+psycopg://u:p@host/db"),
        ("sqlite:////tmp/x.sqlite", "sqlite:////tmp/x.sqlite"),
    ],
)
def test_database_url_accepts_the_postgres_scheme(url, expected):
    assert normalize_database_url(url) == expected


def test_environment_selects_the_database_and_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite'}")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")

    app = create_app()

    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'env.sqlite'}"
    assert app.config["SECRET_KEY"] == "from-the-environment"


def test_the_environment_sets_the_default_currency_and_locale(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite'}")
    monkeypatch.setenv("CURRENCY", "CHF")
    monkeypatch.setenv("LOCALE", "de_CH")

    app = create_app()

    assert (app.config["CURRENCY"], app.config["LOCALE"]) == ("CHF", "de_CH")


@pytest.mark.parametrize(("name", "value"), [("CURRENCY", "DEM"), ("LOCALE", "xx_XX")])
def test_an_unknown_default_currency_or_locale_stops_start_up(monkeypatch, name, value):
    monkeypatch.setenv(name, value)

    with pytest.raises(ConfigurationError, match=name):
        create_app()


def test_settings_passed_to_the_factory_win_over_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql://elsewhere/db")

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'mine.sqlite'}"})

    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("mine.sqlite")


def test_without_settings_sqlite_and_a_kept_secret_key_live_in_the_instance_folder(tmp_path):
    first: dict = {}
    second: dict = {}

    fill_instance_defaults(first, str(tmp_path / "instance"))
    fill_instance_defaults(second, str(tmp_path / "instance"))

    key_file = tmp_path / "instance" / "secret_key"
    assert first["SECRET_KEY"] == second["SECRET_KEY"] == key_file.read_text()
    assert len(first["SECRET_KEY"]) == 64
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert first["SQLALCHEMY_DATABASE_URI"] == (
        f"sqlite:///{tmp_path / 'instance' / 'expense_tracker.sqlite'}"
    )


def test_sqlite_is_set_up_for_concurrent_use(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'pragmas.sqlite'}"})

    with app.app_context():
        pragmas = {
            name: db.session.execute(db.text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "busy_timeout", "foreign_keys")
        }

    assert pragmas == {"journal_mode": "wal", "busy_timeout": 10000, "foreign_keys": 1}


# Expression indexes cannot be compared by autogenerate; the test checks that one by behaviour.
@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_db_upgrade_builds_exactly_the_models_schema(blank_database_url):
    app = make_app(blank_database_url)

    result = app.test_cli_runner().invoke(args=["db", "upgrade"])

    assert result.exit_code == 0, result.output
    with app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        insert = text(
            "INSERT INTO users (username, password_hash, created_at) VALUES (:u, 'x', :t)"
        )
        connection.execute(insert, {"u": "Alice", "t": clock.now()})
        with pytest.raises(IntegrityError):
            connection.execute(insert, {"u": "aLICE", "t": clock.now()})
    with app.app_context():
        db.engine.dispose()
    assert differences == []


def test_rebuild_totals_command_checks_and_repairs(app, user, add_expense):
    add_expense(user, amount="7", date="2026-11-05")
    with app.app_context():
        db.session.execute(text("UPDATE monthly_totals SET total_cents = 1"))
        db.session.commit()
    runner = app.test_cli_runner()

    checked = runner.invoke(args=["rebuild-totals", "--check"])
    rebuilt = runner.invoke(args=["rebuild-totals"])
    rechecked = runner.invoke(args=["rebuild-totals", "--check"])

    assert checked.exit_code == 1
    assert "kept 0.01 in 1 expenses, the expenses add up to 7.00 in 1" in checked.output
    assert rebuilt.exit_code == 0 and "1 were wrong" in rebuilt.output
    assert rechecked.exit_code == 0 and "agree" in rechecked.output


def test_upgrading_fills_monthly_totals_from_existing_expenses(blank_database_url):
    app = make_app(blank_database_url)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0001_initial"]).exit_code == 0
    with app.app_context():
        now = clock.now()
        for statement, values in [
            ("INSERT INTO users VALUES (1, 'old', 'x', :now)", {}),
            ("INSERT INTO categories VALUES (1, 1, 'Food', 'food', :now)", {}),
            (
                "INSERT INTO expenses VALUES (1, 1, 1, :d, 1250, 'a', :now, :now),"
                " (2, 1, 1, :d, 250, 'b', :now, :now)",
                {"d": dt.date(2026, 11, 5)},
            ),
        ]:
            db.session.execute(text(statement), {"now": now, **values})
        db.session.commit()

    result = runner.invoke(args=["db", "upgrade"])

    assert result.exit_code == 0, result.output
    with app.app_context():
        rows = db.session.execute(text("SELECT month, total_cents, count FROM monthly_totals"))
        assert [(str(m)[:10], c, n) for m, c, n in rows] == [("2026-11-01", 1500, 2)]
        db.engine.dispose()


def test_the_environment_sets_session_timeouts_and_proxies_even_in_production(
    monkeypatch, tmp_path
):
    from expense_tracker.config import ProductionConfig

    monkeypatch.setenv("SECRET_KEY", "k" * 20 + "0123456789abcdef")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite'}")
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "5")
    monkeypatch.setenv("SESSION_LIFETIME_HOURS", "2")
    monkeypatch.setenv("TRUSTED_PROXIES", "1")

    app = create_app(ProductionConfig)

    assert app.config["SESSION_IDLE_MINUTES"] == 5
    assert app.config["SESSION_LIFETIME_HOURS"] == 2
    assert app.config["TRUSTED_PROXIES"] == 1


@pytest.mark.parametrize(
    ("name", "value"), [("SESSION_IDLE_MINUTES", "0"), ("TRUSTED_PROXIES", "x")]
)
def test_a_bad_number_in_the_environment_stops_the_start(monkeypatch, name, value):
    from expense_tracker.config import ConfigurationError

    monkeypatch.setenv(name, value)

    with pytest.raises(ConfigurationError, match=name):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_upgrading_from_the_first_schema_keeps_every_row(blank_database_url):
    app = make_app(blank_database_url)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0001_initial"]).exit_code == 0
    now = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    users = [
        {"id": n, "u": f"user{n}", "h": f"pbkdf2:sha256:1000$s{n}$ab", "t": now} for n in (1, 2, 3)
    ]
    categories = [
        {"id": n, "user": n % 3 + 1, "name": f"Kind {n}", "key": f"kind {n}", "t": now}
        for n in range(1, 10)
    ]
    expenses = [
        {
            "id": n,
            "user": categories[n % 9]["user"],
            "category": n % 9 + 1,
            "d": dt.date(2024, 1, 1) + dt.timedelta(days=n * 7 % 700),
            "cents": n * 37 % 100_000 + 1,
            "text": f"Expense {n} ünïcode",
            "t": now,
        }
        for n in range(1, 501)
    ]
    with app.app_context():
        db.session.execute(text("INSERT INTO users VALUES (:id, :u, :h, :t)"), users)
        db.session.execute(
            text("INSERT INTO categories VALUES (:id, :user, :name, :key, :t)"), categories
        )
        db.session.execute(
            text("INSERT INTO expenses VALUES (:id, :user, :category, :d, :cents, :text, :t, :t)"),
            expenses,
        )
        db.session.commit()
        before = {
            table: db.session.execute(text(f"SELECT * FROM {table} ORDER BY id")).all()
            for table in ("users", "categories", "expenses")
        }
        db.engine.dispose()

    result = runner.invoke(args=["db", "upgrade"])

    assert result.exit_code == 0, result.output
    with app.app_context():
        after = {
            table: db.session.execute(text(f"SELECT * FROM {table} ORDER BY id")).all()
            for table in ("users", "categories", "expenses")
        }
        assert [len(rows) for rows in after.values()] == [3, 9, 500]
        # Later revisions may add columns (two-factor settings on users); the first ones stay.
        assert {
            table: [tuple(row)[: len(before[table][0])] for row in rows]
            for table, rows in after.items()
        } == {table: [tuple(row) for row in rows] for table, rows in before.items()}
        db.engine.dispose()
    checked = runner.invoke(args=["rebuild-totals", "--check"])
    assert checked.exit_code == 0, checked.output


@pytest.mark.parametrize("value", ["Invite", " closed "])
def test_the_environment_chooses_who_may_register(monkeypatch, value):
    monkeypatch.setenv("REGISTRATION", value)

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})

    assert app.config["REGISTRATION"] == value.strip().lower()


def test_registration_is_open_unless_the_environment_says_otherwise(monkeypatch):
    monkeypatch.delenv("REGISTRATION", raising=False)

    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["REGISTRATION"] == "open"


@pytest.mark.parametrize("value", ["invitation", "yes", "0"])
def test_an_unknown_registration_mode_stops_the_start(monkeypatch, value):
    monkeypatch.setenv("REGISTRATION", value)

    with pytest.raises(ConfigurationError, match="REGISTRATION must be open, invite or closed"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_the_environment_names_the_trusted_hosts(monkeypatch):
    monkeypatch.setenv("TRUSTED_HOSTS", " expenses.example.org, .example.net ,")

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})

    assert app.config["TRUSTED_HOSTS"] == ["expenses.example.org", ".example.net"]


def test_without_trusted_hosts_any_host_is_served(monkeypatch):
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})

    assert app.config["TRUSTED_HOSTS"] is None


def test_the_environment_gives_the_base_url_of_shared_links(monkeypatch):
    monkeypatch.setenv("BASE_URL", " https://expenses.example.org/money/ ")

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})

    assert app.config["BASE_URL"] == "https://expenses.example.org/money"


@pytest.mark.parametrize(
    "value", ["expenses.example.org", "ftp://x.example", "https://x.example/?a=1"]
)
def test_a_base_url_that_is_no_address_stops_the_start(monkeypatch, value):
    monkeypatch.setenv("BASE_URL", value)

    with pytest.raises(ConfigurationError, match="BASE_URL must be"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})

"""Fixtures: the app on a database whose schema is built once per test session.

Which databases a test runs on (tests/README.md says why):
- tests/unit/ needs none: pure functions, no app;
- every other test runs on SQLite;
- tests of queries, locking, constraints, migrations and concurrency run on PostgreSQL too:
  everything in tests/services/ and in the top folder, and any test marked `both_databases`.

Each test gets the session's app for its database with the tables empty; what a test changes
in `app.config` is put back after it. A test that needs other settings builds its own app
with `helpers.make_app`, and one that needs no tables at all (migrations) takes
`blank_database_url`.

The whole session runs on one day (tests/__init__.py): today, or the one TEST_TODAY names.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, delete, text
from werkzeug.serving import make_server

from expense_tracker import clock
from expense_tracker.extensions import db

from .factories import PASSWORD, make_expense, make_user
from .helpers import log_in, make_app
from .postgres import TemporaryCluster, database_url_of, find_bindir

# Hypothesis draws the same examples on every run and remembers none between runs: the suite
# is green or red by the code alone, not by the luck of a draw.
settings.register_profile("suite", derandomize=True, database=None)
settings.load_profile("suite")

DATABASES = ("sqlite", "postgresql")
TESTS = Path(__file__).parent
# Folders whose tests run on PostgreSQL too; elsewhere only `both_databases` tests do.
BOTH_DATABASES = (TESTS / "services",)


def unavailable(reason: str) -> None:
    """Skip on a laptop that lacks a part; in CI a missing part is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required when CI=true)", pytrace=False)
    pytest.skip(reason)


def pytest_report_header(config: pytest.Config) -> str:
    return f"today: {clock.today():%A %Y-%m-%d} (TEST_TODAY sets it)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the browser tests `browser`, so that `-m` can pick them or leave them out."""
    browser = TESTS / "browser"
    for item in items:
        if browser in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


# Which databases ------------------------------------------------------------------------------


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each test that uses a database on SQLite, and on PostgreSQL where that matters."""
    wanted = {"database_url", "blank_database_url"} & set(metafunc.fixturenames)
    if not wanted or _parametrized_by_hand(metafunc, wanted):
        return
    path = Path(metafunc.definition.path)
    on_both = (
        path.parent == TESTS
        or any(folder in path.parents for folder in BOTH_DATABASES)
        or metafunc.definition.get_closest_marker("both_databases") is not None
    )
    names = DATABASES if on_both else ("sqlite",)
    # Parametrizing the first of them parametrizes the other through it.
    metafunc.parametrize("database", names, indirect=True, scope="function")


def _parametrized_by_hand(metafunc: pytest.Metafunc, names: set[str]) -> bool:
    for marker in metafunc.definition.iter_markers("parametrize"):
        argnames = marker.args[0]
        if isinstance(argnames, str):
            argnames = [name.strip() for name in argnames.split(",")]
        if {"database", *names} & set(argnames):
            return True
    return False


@pytest.fixture
def database(request) -> str:
    """The kind of database this test runs on: "sqlite" or "postgresql"."""
    return getattr(request, "param", "sqlite")


# PostgreSQL ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_server(worker_id) -> Iterator[str]:
    """The URL of a PostgreSQL server whose user may create databases.

    TEST_POSTGRES_URL names an existing server; otherwise a throwaway cluster is started
    when PostgreSQL is installed. Each test worker has databases of its own on it.
    """
    if os.environ.get("TEST_POSTGRES_URL"):
        yield os.environ["TEST_POSTGRES_URL"]
        return
    bindir = find_bindir()
    if bindir is None:
        unavailable("PostgreSQL is not installed (no initdb found)")
    cluster = TemporaryCluster(bindir).start()
    try:
        yield cluster.url
    finally:
        cluster.stop()


def _fresh_database(server_url: str, name: str) -> str:
    """Create the database `name` on the server, empty, replacing any of that name."""
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return database_url_of(server_url, name)


@pytest.fixture(scope="session")
def postgres_url(postgres_server, worker_id) -> str:
    """A PostgreSQL database of this worker's with the schema built, for the session."""
    url = _fresh_database(postgres_server, f"expense_tracker_tests_{worker_id}")
    _build_schema(url)
    return url


@pytest.fixture(scope="session")
def blank_postgres_url(postgres_server, worker_id) -> str:
    """A PostgreSQL database of this worker's for tests that build the schema themselves."""
    return _fresh_database(postgres_server, f"expense_tracker_blank_{worker_id}")


def reset_postgres(url: str) -> None:
    """Give the next test an empty public schema: no tables at all."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


# The session's databases and apps -------------------------------------------------------------


def _build_schema(url: str) -> None:
    app = make_app(url)
    with app.app_context():
        db.create_all()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory) -> str:
    """A SQLite database with the schema built, for the session."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'tests.sqlite'}"
    _build_schema(url)
    return url


@dataclass
class SessionDatabase:
    """A database built once; `empty()` deletes every row and restarts the ids."""

    url: str
    app: object = None

    def __post_init__(self) -> None:
        self.engine = create_engine(self.url)
        self.tables = list(reversed(db.metadata.sorted_tables))

    def empty(self) -> None:
        with self.engine.begin() as connection:
            if self.engine.dialect.name == "postgresql":
                # Waiting here means a test left a transaction open: fail instead of hanging.
                connection.execute(text("SET LOCAL lock_timeout = '10s'"))
                names = ", ".join(f'"{table.name}"' for table in self.tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                # Tables have no AUTOINCREMENT: ids start again from 1 once a table is empty.
                for table in self.tables:
                    connection.execute(delete(table))


@pytest.fixture(scope="session")
def session_databases(request) -> Iterator[dict[str, SessionDatabase]]:
    """The session's database of each kind, built on first use."""
    built: dict[str, SessionDatabase] = {}

    class Databases(dict):
        def __missing__(self, kind: str) -> SessionDatabase:
            fixture = "sqlite_url" if kind == "sqlite" else "postgres_url"
            built[kind] = SessionDatabase(request.getfixturevalue(fixture))
            self[kind] = built[kind]
            return built[kind]

    yield Databases()
    for database in built.values():
        database.engine.dispose()
        if database.app is not None:
            with database.app.app_context():
                db.engine.dispose()


@pytest.fixture
def database_url(database, session_databases) -> Iterator[str]:
    """A database of this test's kind with the schema and no rows; emptied after the test."""
    session_database = session_databases[database]
    yield session_database.url
    session_database.empty()


@pytest.fixture
def blank_database_url(request, database, tmp_path) -> str:
    """An empty database of this test's kind without any tables, for migrations."""
    if database == "sqlite":
        return f"sqlite:///{tmp_path / 'blank.sqlite'}"
    url = request.getfixturevalue("blank_postgres_url")
    reset_postgres(url)
    return url


@pytest.fixture
def app(database, database_url, session_databases):
    """The session's app on this test's database; config changes are undone afterwards."""
    session_database = session_databases[database]
    if session_database.app is None:
        session_database.app = make_app(database_url)
    app = session_database.app
    settings = dict(app.config)
    yield app
    with app.app_context():
        db.session.remove()
    app.config.clear()
    app.config.update(settings)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@dataclass(frozen=True)
class Person:
    """A registered user as tests know them: plain values, usable in any app context."""

    id: int
    username: str
    password: str = PASSWORD


def _person(app, username: str) -> Person:
    with app.app_context():
        made = make_user(username)
        return Person(made.id, made.username)


@pytest.fixture
def user(app):
    return _person(app, "alice")


@pytest.fixture
def other_user(app):
    return _person(app, "bob")


@pytest.fixture
def add_expense(app):
    """Store an expense for a person through the service; return its id."""

    def add(person: Person, **fields) -> int:
        with app.app_context():
            return make_expense(person, **fields).id

    return add


@pytest.fixture
def audit_lines(caplog):
    """The audit log's lines so far; it writes to its own handler, not to the root logger."""
    audit_log = logging.getLogger("expense_tracker.audit")
    audit_log.addHandler(caplog.handler)
    yield lambda: [r.getMessage() for r in caplog.records if r.name == audit_log.name]
    audit_log.removeHandler(caplog.handler)


@pytest.fixture
def auth_client(client, user):
    """A client logged in as `user`."""
    log_in(client, user.username, user.password)
    return client


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """Serve `app` on a free loopback port from a background thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # A short poll keeps shutdown quick: serve_forever checks for it once per interval.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()

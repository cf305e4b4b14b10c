"""Fixtures: a fresh app and database per test, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from expense_tracker.extensions import db

from .factories import PASSWORD, make_expense, make_user
from .helpers import log_in, make_app
from .postgres import TemporaryCluster, find_bindir

DATABASES = ["sqlite", "postgresql"]


def unavailable(reason: str) -> None:
    """Skip on a laptop that lacks a part; in CI a missing part is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required when CI=true)", pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class Person:
    """A registered user as tests know them: plain values, usable in any app context."""

    id: int
    username: str
    password: str = PASSWORD


@pytest.fixture(scope="session")
def postgres_url():
    """The URL of a PostgreSQL server for this test session.

    TEST_POSTGRES_URL names an existing server; otherwise a throwaway cluster is
    started when PostgreSQL is installed.
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


def reset_postgres(url: str) -> None:
    """Give the next test an empty public schema."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path):
    """An empty database of each kind in turn."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite'}"
    url = request.getfixturevalue("postgres_url")
    reset_postgres(url)
    return url


@pytest.fixture
def app(database_url):
    """An app on a fresh database with the schema created."""
    app = make_app(database_url)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


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

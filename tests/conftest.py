"""Fixtures: a fresh app and database per test, clients, and users to act as."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from expense_tracker import create_app
from expense_tracker.config import TestConfig
from expense_tracker.extensions import db

from .factories import PASSWORD, make_expense, make_user
from .helpers import log_in


@dataclass(frozen=True)
class Person:
    """A registered user as tests know them: plain values, usable in any app context."""

    id: int
    username: str
    password: str = PASSWORD


@pytest.fixture
def app(tmp_path):
    """An app on its own SQLite file with the schema created."""
    config = type(
        "Config",
        (TestConfig,),
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.sqlite'}"},
    )
    app = create_app(config)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
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

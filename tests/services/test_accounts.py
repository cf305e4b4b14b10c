"""Registering and authenticating people."""

import pytest

from expense_tracker import create_app
from expense_tracker.errors import ValidationError
from expense_tracker.extensions import db
from expense_tracker.models import User
from expense_tracker.services import accounts

from ..factories import PASSWORD, make_user


def test_registering_stores_a_hashed_password(app):
    user = accounts.register("carol", PASSWORD, PASSWORD)

    stored = db.session.get(User, user.id)
    assert stored.username == "carol"
    assert PASSWORD not in stored.password_hash
    assert stored.password_hash.startswith("pbkdf2:sha256:1$")


def test_production_config_hashes_with_werkzeug_scrypt(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite'}"})
    with app.app_context():
        db.create_all()

        user = accounts.register("carol", PASSWORD, PASSWORD)

        assert user.password_hash.startswith("scrypt:")


@pytest.mark.parametrize(
    "username", ["abc", "a" * 32, "first.last", "under_score", "dash-ed", "Ab9"]
)
def test_valid_usernames_are_accepted(app, username):
    assert accounts.register(username, PASSWORD, PASSWORD).username == username


@pytest.mark.parametrize(
    "username", ["", "ab", "a" * 33, "has space", "émile", "semi;colon", "a/b"]
)
def test_invalid_usernames_are_rejected(app, username):
    with pytest.raises(ValidationError) as error:
        accounts.register(username, PASSWORD, PASSWORD)

    assert set(error.value.errors) == {"username"}
    assert db.session.query(User).count() == 0


def test_usernames_are_unique_ignoring_case(app):
    make_user("Alice")

    with pytest.raises(ValidationError) as error:
        accounts.register("aLICE", PASSWORD, PASSWORD)

    assert error.value.errors == {"username": "That username is taken. Please choose another."}


def test_short_password_is_rejected(app):
    with pytest.raises(ValidationError) as error:
        accounts.register("carol", "seven77", "seven77")

    assert error.value.errors == {"password": "Use at least 8 characters."}


def test_passwords_must_match(app):
    with pytest.raises(ValidationError) as error:
        accounts.register("carol", PASSWORD, PASSWORD + "x")

    assert error.value.errors == {"confirm_password": "The two passwords do not match."}


def test_every_wrong_field_is_reported_at_once(app):
    with pytest.raises(ValidationError) as error:
        accounts.register("x", "short", "short")

    assert set(error.value.errors) == {"username", "password"}


def test_authenticate_accepts_the_right_password_ignoring_username_case(app):
    user = make_user("Alice")

    assert accounts.authenticate("alice", PASSWORD) == user
    assert accounts.authenticate(" ALICE ", PASSWORD) == user


@pytest.mark.parametrize(
    ("username", "password"),
    [("alice", "wrong password"), ("nobody", PASSWORD), ("", ""), ("alice", ""), ("a" * 500, "x")],
)
def test_authenticate_rejects_wrong_credentials(app, username, password):
    make_user("alice")

    assert accounts.authenticate(username, password) is None


def test_overlong_password_is_rejected(app):
    with pytest.raises(ValidationError) as error:
        accounts.register("carol", "x" * 1025, "x" * 1025)

    assert error.value.errors == {"password": "Use at most 1024 characters."}


def test_a_name_taken_between_check_and_insert_is_reported_as_taken(app, monkeypatch):
    make_user("carol")
    # Another request registered the name after this one checked it.
    monkeypatch.setattr(accounts, "find_user", lambda username: None)

    with pytest.raises(ValidationError) as error:
        accounts.register("Carol", PASSWORD, PASSWORD)

    assert error.value.errors == {"username": "That username is taken. Please choose another."}
    assert db.session.query(User).count() == 1

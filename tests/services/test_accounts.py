"""Registering and authenticating people."""

import statistics
import time

import pytest
from werkzeug.security import generate_password_hash

from expense_tracker import create_app
from expense_tracker.errors import TooManyAttempts, ValidationError
from expense_tracker.extensions import db
from expense_tracker.models import User
from expense_tracker.services import accounts, sessions, throttle

from ..factories import PASSWORD, make_user


def test_registering_stores_a_hashed_password(app):
    user = accounts.register("carol", PASSWORD, PASSWORD)

    stored = db.session.get(User, user.id)
    assert stored.username == "carol"
    assert PASSWORD not in stored.password_hash
    assert stored.password_hash.startswith("$argon2id$")


def test_outside_tests_hashes_use_owasps_argon2id_parameters(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite'}"})
    with app.app_context():
        db.create_all()

        user = accounts.register("carol", PASSWORD, PASSWORD)

        # OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 iterations, 1 lane.
        assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.parametrize("password", ["iloveyou", "Password1", " qwertyuiop "])
def test_common_passwords_are_refused(app, password):
    with pytest.raises(ValidationError) as error:
        accounts.register("carol", password, password)

    assert error.value.errors == {"password": "That password is too common. Please choose another."}


def test_long_passwords_with_any_characters_are_accepted(app):
    password = "ünïcödé & spaces, 128 long " * 5
    assert len(password) >= 128

    user = accounts.register("carol", password, password)

    assert accounts.authenticate("carol", password) == user


@pytest.mark.parametrize(
    "method", ["scrypt", "pbkdf2:sha256", "pbkdf2:sha256:1000"], ids=["scrypt", "pbkdf2", "weak"]
)
def test_older_werkzeug_hashes_work_and_are_upgraded_at_log_in(app, method):
    user = make_user("alice")
    user.password_hash = generate_password_hash(PASSWORD, method=method)
    db.session.commit()

    assert accounts.authenticate("alice", "wrong password") is None
    assert db.session.get(User, user.id).password_hash.startswith(method.split(":")[0])

    assert accounts.authenticate("alice", PASSWORD) == user
    assert db.session.get(User, user.id).password_hash.startswith("$argon2id$")
    assert accounts.authenticate("alice", PASSWORD) == user


def test_argon2_hashes_weaker_than_configured_are_upgraded(app):
    user = make_user("alice")
    weaker = user.password_hash
    app.config["ARGON2_TIME_COST"] = 3

    assert accounts.authenticate("alice", PASSWORD) == user

    assert user.password_hash != weaker and ",t=3," in user.password_hash


def test_ten_accounts_an_hour_from_one_address(app):
    for number in range(throttle.REGISTRATION.count):
        accounts.register(f"user{number}", PASSWORD, PASSWORD, address="192.0.2.1")

    with pytest.raises(TooManyAttempts) as error:
        accounts.register("one-more", PASSWORD, PASSWORD, address="192.0.2.1")

    assert 3500 < error.value.retry_after <= 3600
    assert accounts.register("elsewhere", PASSWORD, PASSWORD, address="192.0.2.2")


def test_refused_registrations_count_towards_the_limit(app):
    make_user("alice")
    for _ in range(throttle.REGISTRATION.count):
        with pytest.raises(ValidationError):
            accounts.register("alice", PASSWORD, PASSWORD, address="192.0.2.1")

    # Probing for taken names is as slow as making accounts.
    with pytest.raises(TooManyAttempts):
        accounts.register("alice", PASSWORD, PASSWORD, address="192.0.2.1")
    with pytest.raises(TooManyAttempts):
        accounts.register("carol", PASSWORD, PASSWORD, address="192.0.2.1")


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


def test_changing_the_password_needs_the_current_one(app):
    user = make_user("alice")

    with pytest.raises(ValidationError) as error:
        accounts.change_password(user.id, "wrong", "a new passphrase", "a new passphrase", None)

    assert error.value.errors == {"current_password": "That is not your current password."}
    assert accounts.authenticate("alice", PASSWORD) == user


def test_a_new_password_follows_the_same_rules(app):
    user = make_user("alice")

    with pytest.raises(ValidationError) as error:
        accounts.change_password(user.id, PASSWORD, "iloveyou", "iloveyou", None)
    with pytest.raises(ValidationError) as mismatch:
        accounts.change_password(user.id, PASSWORD, "a new passphrase", "another", None)

    assert set(error.value.errors) == {"new_password"}
    assert mismatch.value.errors == {"confirm_new_password": "The two passwords do not match."}


def test_changing_the_password_ends_every_other_session(app):
    user = make_user("alice")
    kept = sessions.start_session(user.id)
    other = sessions.start_session(user.id)

    accounts.change_password(user.id, PASSWORD, "a new passphrase", "a new passphrase", kept)

    assert accounts.authenticate("alice", "a new passphrase") == user
    assert accounts.authenticate("alice", PASSWORD) is None
    assert sessions.session_user(user.id, kept) == user
    assert sessions.session_user(user.id, other) is None


def test_an_unknown_username_costs_about_as_much_as_a_wrong_password(app):
    # With the real cost, so that hashing dominates as it does in production.
    app.config.update(ARGON2_TIME_COST=2, ARGON2_MEMORY_KIB=19 * 1024)
    make_user("alice")

    def seconds(username: str) -> float:
        # CPU time of this thread, which is where argon2 runs: other processes' load on a
        # shared machine does not move it, as it moves the wall clock.
        started = time.thread_time()
        assert accounts.authenticate(username, "wrong password") is None
        return time.thread_time() - started

    seconds("alice"), seconds("nobody")  # the decoy hash is made once, on first use
    known = statistics.median(seconds("alice") for _ in range(5))
    unknown = statistics.median(seconds("nobody") for _ in range(5))

    assert 0.5 < unknown / known < 2, (known, unknown)

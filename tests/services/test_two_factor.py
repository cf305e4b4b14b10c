"""Two-factor authentication: TOTP codes used once, within a step of drift; recovery codes."""

from __future__ import annotations

import datetime as dt
import hashlib

import pyotp
import pytest
from sqlalchemy import select

from expense_tracker.errors import TooManyAttempts, ValidationError
from expense_tracker.extensions import db
from expense_tracker.models import RecoveryCode, User
from expense_tracker.services import accounts, sessions, throttle, two_factor
from expense_tracker.services.accounts import WRONG_CURRENT_PASSWORD

from ..factories import PASSWORD, make_user

NOW = dt.datetime(2026, 11, 24, 12, 0, 10, tzinfo=dt.UTC)
ADDRESS = "192.0.2.1"


def code_at(secret: str, when: dt.datetime) -> str:
    return pyotp.TOTP(secret).at(when)


def later(seconds: int) -> dt.datetime:
    return NOW + dt.timedelta(seconds=seconds)


def enable(user_id: int, secret: str, code: str, now: dt.datetime) -> list[str]:
    """Turn two-factor on for a user made with the factories' password."""
    return two_factor.enable(user_id, secret, code, now, password=PASSWORD, address=ADDRESS)


@pytest.fixture
def enabled():
    """A user with two-factor on (confirmed at NOW); their secret and recovery codes."""
    user = make_user()
    secret = two_factor.new_secret()
    codes = enable(user.id, secret, code_at(secret, NOW), now=NOW)
    return user, secret, codes


def test_enabling_needs_a_right_code_from_the_app(app):
    user = make_user()
    secret = two_factor.new_secret()

    wrong = f"{(int(code_at(secret, NOW)) + 1) % 10**6:06d}"

    with pytest.raises(ValidationError) as error:
        enable(user.id, secret, wrong, now=NOW)

    assert error.value.errors == {"code": two_factor.WRONG_CODE}
    assert db.session.get(User, user.id).totp_secret is None
    assert not two_factor.status(user.id).enabled


def nothing_was_stored(user_id: int, other_session: str) -> bool:
    """No secret, no recovery codes, and the other session still alive."""
    return (
        db.session.get(User, user_id).totp_secret is None
        and db.session.scalars(select(RecoveryCode)).all() == []
        and sessions.session_user(user_id, other_session) is not None
    )


@pytest.mark.parametrize("password", [None, "", "not my password"])
def test_enabling_needs_the_current_password(app, password):
    user = make_user()
    other_session = sessions.start_session(user.id, "A phone")
    secret = two_factor.new_secret()

    with pytest.raises(ValidationError) as error:
        two_factor.enable(
            user.id, secret, code_at(secret, NOW), now=NOW, password=password, address=ADDRESS
        )

    assert error.value.errors == {"current_password": WRONG_CURRENT_PASSWORD}
    assert nothing_was_stored(user.id, other_session)


def test_a_wrong_password_and_a_wrong_code_are_both_named(app):
    user = make_user()
    other_session = sessions.start_session(user.id, "A phone")
    secret = two_factor.new_secret()

    with pytest.raises(ValidationError) as error:
        two_factor.enable(
            user.id, secret, "12345", now=NOW, password="not my password", address=ADDRESS
        )

    assert error.value.errors == {
        "current_password": WRONG_CURRENT_PASSWORD,
        "code": two_factor.WRONG_CODE,
    }
    assert nothing_was_stored(user.id, other_session)


def test_wrong_passwords_when_enabling_are_throttled_like_the_other_settings_forms(app):
    user = make_user()
    secret = two_factor.new_secret()
    for _ in range(throttle.LOGIN.count):
        with pytest.raises(ValidationError):
            two_factor.enable(
                user.id, secret, code_at(secret, NOW), now=NOW, password="a guess", address=ADDRESS
            )

    with pytest.raises(TooManyAttempts):
        two_factor.enable(
            user.id, secret, code_at(secret, NOW), now=NOW, password=PASSWORD, address=ADDRESS
        )
    assert db.session.get(User, user.id).totp_secret is None
    # Counted as a live session's guesses: the log-in page is not slowed down.
    assert accounts.log_in("alice", PASSWORD, "203.0.113.1") is not None


def test_enabling_stores_the_secret_and_ten_recovery_codes_only_as_digests(app, enabled):
    user, secret, codes = enabled

    stored = db.session.scalars(select(RecoveryCode.digest)).all()
    assert db.session.get(User, user.id).totp_secret == secret
    assert len(codes) == len(set(codes)) == 10
    assert all(len(code) == 29 and code.count("-") == 5 for code in codes)
    expected = {hashlib.sha256(code.replace("-", "").encode()).hexdigest() for code in codes}
    assert set(stored) == expected
    assert not any(code.replace("-", "") in digest for code in codes for digest in stored)
    assert two_factor.status(user.id) == two_factor.Status(True, 10)


def test_enabling_twice_is_refused(app, enabled):
    user, secret, _ = enabled

    with pytest.raises(ValidationError):
        enable(user.id, secret, code_at(secret, later(60)), now=later(60))


@pytest.mark.parametrize("drift", [-30, 0, 30])
def test_codes_within_one_step_of_drift_log_in(app, enabled, drift):
    user, secret, _ = enabled
    now = later(300)

    found = two_factor.log_in(
        user.id, code_at(secret, now + dt.timedelta(seconds=drift)), ADDRESS, now
    )

    assert found == (user, two_factor.TOTP)


@pytest.mark.parametrize("drift", [-60, 60])
def test_codes_two_steps_away_are_refused(app, enabled, drift):
    user, secret, _ = enabled
    now = later(300)

    assert (
        two_factor.log_in(user.id, code_at(secret, now + dt.timedelta(seconds=drift)), ADDRESS, now)
        is None
    )


def test_the_same_code_cannot_be_used_twice(app, enabled):
    user, secret, _ = enabled
    now = later(300)
    code = code_at(secret, now)

    assert two_factor.log_in(user.id, code, ADDRESS, now) is not None
    assert two_factor.log_in(user.id, code, ADDRESS, now) is None
    assert two_factor.log_in(user.id, code, ADDRESS, later(310)) is None


def test_a_code_older_than_the_last_used_one_is_refused(app, enabled):
    user, secret, _ = enabled
    now = later(300)
    assert two_factor.log_in(user.id, code_at(secret, now), ADDRESS, now)

    # The previous step's code is within the drift allowed, but older than the one used.
    assert two_factor.log_in(user.id, code_at(secret, later(270)), ADDRESS, now) is None


def test_the_code_that_turned_it_on_cannot_log_in(app, enabled):
    user, secret, _ = enabled

    assert two_factor.log_in(user.id, code_at(secret, NOW), ADDRESS, NOW) is None


def test_a_step_used_elsewhere_meanwhile_is_refused(app, enabled, monkeypatch):
    """The check and the use are apart; the use is a conditional UPDATE, so a second loses."""
    user, secret, _ = enabled
    now = later(300)
    check = two_factor._check

    def check_then_another_server_uses_it(*args):
        proof = check(*args)
        db.session.execute(
            User.__table__.update().where(User.id == user.id).values(totp_last_step=proof.step)
        )
        return proof

    monkeypatch.setattr(two_factor, "_check", check_then_another_server_uses_it)

    assert two_factor.log_in(user.id, code_at(secret, now), ADDRESS, now) is None


def test_a_recovery_code_used_elsewhere_meanwhile_is_refused(app, enabled, monkeypatch):
    user, _, codes = enabled
    check = two_factor._check

    def check_then_another_server_uses_it(*args):
        proof = check(*args)
        db.session.execute(RecoveryCode.__table__.update().values(used_at=NOW))
        return proof

    monkeypatch.setattr(two_factor, "_check", check_then_another_server_uses_it)

    assert two_factor.log_in(user.id, codes[0], ADDRESS, later(60)) is None


def test_a_recovery_code_logs_in_once(app, enabled):
    user, _, codes = enabled

    assert two_factor.log_in(user.id, codes[3], ADDRESS, later(60)) == (user, two_factor.RECOVERY)
    assert two_factor.log_in(user.id, codes[3], ADDRESS, later(90)) is None
    used = db.session.scalars(select(RecoveryCode).where(RecoveryCode.used_at.is_not(None))).one()
    assert used.used_at == later(60)
    assert two_factor.status(user.id).recovery_codes_left == 9


def test_recovery_codes_are_typed_ignoring_case_spaces_and_hyphens(app, enabled):
    user, _, codes = enabled
    typed = " " + codes[0].replace("-", " ").upper() + " "

    assert two_factor.log_in(user.id, typed, ADDRESS, later(60)) == (user, two_factor.RECOVERY)


def test_another_users_recovery_code_does_not_work(app, enabled):
    _, _, codes = enabled
    bob = make_user("bob")
    secret = two_factor.new_secret()
    enable(bob.id, secret, code_at(secret, NOW), now=NOW)

    assert two_factor.log_in(bob.id, codes[0], ADDRESS, later(60)) is None


def test_wrong_codes_count_as_failed_log_ins_until_throttled(app, enabled):
    user, secret, _ = enabled
    for _ in range(throttle.LOGIN.count):
        assert two_factor.log_in(user.id, "not a code", ADDRESS, later(60)) is None

    with pytest.raises(TooManyAttempts):
        two_factor.log_in(user.id, code_at(secret, later(60)), ADDRESS, later(60))


def test_a_right_code_clears_the_failures(app, enabled):
    user, secret, _ = enabled
    for _ in range(throttle.LOGIN.count - 1):
        two_factor.log_in(user.id, "123", ADDRESS, later(60))

    assert two_factor.log_in(user.id, code_at(secret, later(60)), ADDRESS, later(60))
    # The count starts again: a whole limit of wrong codes is checked, not refused.
    for _ in range(throttle.LOGIN.count):
        assert two_factor.log_in(user.id, "123", ADDRESS, later(60)) is None


def test_turning_off_needs_the_password_and_a_code(app, enabled):
    user, secret, _ = enabled
    now = later(300)

    with pytest.raises(ValidationError) as no_password:
        two_factor.disable(user.id, "wrong password", code_at(secret, now), ADDRESS, now)
    with pytest.raises(ValidationError) as no_code:
        two_factor.disable(user.id, PASSWORD, "123456", ADDRESS, now)

    assert set(no_password.value.errors) == {"current_password"}
    assert set(no_code.value.errors) == {"code"}
    assert two_factor.status(user.id).enabled


def test_turning_off_removes_the_secret_and_the_recovery_codes(app, enabled):
    user, _, codes = enabled

    two_factor.disable(user.id, PASSWORD, codes[0], ADDRESS, later(60))

    stored = db.session.get(User, user.id)
    assert stored.totp_secret is None and stored.totp_last_step is None
    assert db.session.scalars(select(RecoveryCode)).all() == []
    assert two_factor.status(user.id) == two_factor.Status(False, 0)


def test_making_new_recovery_codes_replaces_the_old_ones(app, enabled):
    user, secret, old = enabled
    now = later(300)

    new = two_factor.regenerate_recovery_codes(user.id, code_at(secret, now), ADDRESS, now)

    assert len(new) == 10 and not set(new) & set(old)
    assert two_factor.log_in(user.id, old[0], ADDRESS, later(330)) is None
    assert two_factor.log_in(user.id, new[0], ADDRESS, later(330)) == (user, two_factor.RECOVERY)


def test_making_new_recovery_codes_needs_a_right_code(app, enabled):
    user, _, old = enabled

    with pytest.raises(ValidationError):
        two_factor.regenerate_recovery_codes(user.id, "654321x", ADDRESS, later(60))

    assert two_factor.log_in(user.id, old[0], ADDRESS, later(60))


def test_a_pending_log_in_expires_after_five_minutes(app):
    started = NOW.timestamp()

    assert not two_factor.pending_login_expired(started, later(299))
    assert two_factor.pending_login_expired(started, later(301))
    assert two_factor.pending_login_expired(started, later(-5))


def test_the_secret_is_shown_in_groups_and_as_an_otpauth_address(app):
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

    assert two_factor.grouped(secret) == "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"
    uri = two_factor.provisioning_uri(secret, "alice")
    assert uri.startswith("otpauth://totp/Expense%20Tracker:alice?secret=" + secret)

"""Throttling: one atomic step per attempt, a ceiling per account, and the owner still gets in."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from expense_tracker import clock
from expense_tracker.errors import TooManyAttempts
from expense_tracker.services import accounts, throttle, two_factor

from ..factories import PASSWORD, make_user

THREADS = 20


def guesses_at_once(app, guess, count: int = THREADS) -> tuple[int, list[Exception]]:
    """Run `guess(n)` from `count` threads released together; return how many got checked.

    A guess that raises TooManyAttempts was refused before any check; one that returns
    was checked.
    """
    barrier = threading.Barrier(count)
    checked: list[int] = []
    errors: list[Exception] = []

    def attempt(n: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                guess(n)
                checked.append(n)
            except TooManyAttempts:
                pass
            except Exception as error:  # noqa: BLE001 - any other failure fails the test
                errors.append(error)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(checked), errors


def test_a_burst_of_wrong_passwords_from_one_address_checks_at_most_the_limit(app):
    make_user("alice")

    checked, errors = guesses_at_once(
        app, lambda n: accounts.log_in("alice", f"wrong {n}", "192.0.2.1")
    )

    assert errors == []
    assert checked == throttle.LOGIN.count


def test_a_burst_of_wrong_codes_from_one_address_checks_at_most_the_limit(app):
    user = make_user("alice")
    secret = two_factor.new_secret()
    two_factor.enable(
        user.id, secret, two_factor.pyotp.TOTP(secret).now(), password=PASSWORD, address="192.0.2.9"
    )
    user_id = user.id

    checked, errors = guesses_at_once(
        app, lambda n: two_factor.log_in(user_id, f"{n:06d}", "192.0.2.1")
    )

    assert errors == []
    assert checked == throttle.LOGIN.count


def test_a_burst_of_wrong_passwords_when_turning_two_factor_on_checks_at_most_the_limit(app):
    """Each guess is counted before the password is checked, so a burst cannot slip past."""
    user = make_user("alice")
    secret = two_factor.new_secret()
    code = two_factor.pyotp.TOTP(secret).now()
    user_id = user.id

    def guess(n: int) -> None:
        try:
            two_factor.enable(user_id, secret, code, password=f"wrong {n}", address="192.0.2.1")
        except accounts.ValidationError:
            pass

    checked, errors = guesses_at_once(app, guess)

    assert errors == []
    assert checked == throttle.LOGIN.count
    assert not two_factor.status(user_id).enabled


def guess_from_many_addresses(addresses: int = 40, each: int = 5) -> int:
    """Wrong passwords for alice, `each` from each of `addresses`; return how many were checked."""
    checked = 0
    for number in range(addresses):
        for _ in range(each):
            try:
                accounts.log_in("alice", "wrong", f"198.51.100.{number}")
            except TooManyAttempts:
                continue
            checked += 1
    return checked


def test_guesses_from_many_addresses_are_slowed_down_for_the_whole_account(app, time_machine):
    make_user("alice")
    time_machine.move_to(clock.now(), tick=False)

    checked = guess_from_many_addresses()

    # The free attempts, and the first one that starts the back-off.
    assert checked == throttle.ACCOUNT_FREE + 1
    with pytest.raises(TooManyAttempts) as error:
        accounts.log_in("alice", PASSWORD, "203.0.113.1")
    assert error.value.retry_after == throttle.ACCOUNT_DELAYS[0]


def test_the_account_back_off_doubles_up_to_its_cap(app, time_machine):
    make_user("alice")
    time_machine.move_to(clock.now(), tick=False)
    guess_from_many_addresses()
    waits = []

    for number in range(len(throttle.ACCOUNT_DELAYS) + 2):
        with pytest.raises(TooManyAttempts) as error:
            accounts.log_in("alice", "wrong", f"203.0.113.{number}")
        waits.append(error.value.retry_after)
        time_machine.shift(error.value.retry_after)
        assert accounts.log_in("alice", "wrong", f"203.0.113.{number}") is None

    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_the_owners_known_browser_logs_in_while_others_guess(app, time_machine):
    make_user("alice")
    time_machine.move_to(clock.now(), tick=False)
    guess_from_many_addresses()

    user = accounts.log_in("alice", PASSWORD, "203.0.113.1", known=True)

    assert user is not None and user.username == "alice"


def test_a_successful_log_in_ends_the_back_off(app, time_machine):
    make_user("alice")
    time_machine.move_to(clock.now(), tick=False)
    guess_from_many_addresses()

    accounts.log_in("alice", PASSWORD, "203.0.113.1", known=True)

    assert accounts.log_in("alice", "wrong", "203.0.113.2") is None


def test_the_account_back_off_ends_after_minutes_without_attempts(app, time_machine):
    make_user("alice")
    time_machine.move_to(clock.now(), tick=False)
    guess_from_many_addresses()

    time_machine.shift(throttle.ACCOUNT_IDLE)

    assert accounts.log_in("alice", PASSWORD, "203.0.113.1") is not None


def test_a_right_password_with_two_factor_pending_does_not_use_up_an_attempt(app):
    user = make_user("alice")
    secret = two_factor.new_secret()
    two_factor.enable(
        user.id, secret, two_factor.pyotp.TOTP(secret).now(), password=PASSWORD, address="192.0.2.9"
    )

    for _ in range(throttle.LOGIN.count + 2):
        assert accounts.log_in("alice", PASSWORD, "192.0.2.1") is not None


def test_wrong_current_passwords_on_the_password_form_are_throttled(app):
    user = make_user("alice")
    for _ in range(throttle.LOGIN.count):
        with pytest.raises(accounts.ValidationError):
            accounts.change_password(user.id, "wrong", "a new passphrase", "a new passphrase",
                                     None, address="192.0.2.1")  # fmt: skip

    with pytest.raises(TooManyAttempts):
        accounts.change_password(
            user.id, PASSWORD, "a new passphrase", "a new passphrase", None, address="192.0.2.1"
        )
    assert accounts.authenticate("alice", PASSWORD) is not None


def test_counters_untouched_for_longer_than_every_window_are_deleted(app, time_machine):
    from sqlalchemy import func, select

    from expense_tracker.extensions import db
    from expense_tracker.models import ThrottleCounter

    make_user("alice")
    accounts.log_in("alice", "wrong", "192.0.2.1")
    time_machine.move_to(clock.now() + throttle.LONGEST_WINDOW + dt.timedelta(seconds=1))

    accounts.log_in("bob", "wrong", "192.0.2.1")

    assert db.session.scalar(select(func.count()).select_from(ThrottleCounter)) == 2


def test_guesses_on_the_settings_forms_back_off_without_slowing_the_log_in(app, time_machine):
    user = make_user("alice")
    time_machine.move_to(clock.now(), tick=False)
    checked = 0
    for number in range(throttle.ACCOUNT_FREE + 5):
        try:
            accounts.delete_account(user.id, "a guess", f"198.51.100.{number}")
        except accounts.ValidationError:
            checked += 1
        except TooManyAttempts:
            pass

    assert checked == throttle.ACCOUNT_FREE + 1
    assert accounts.log_in("alice", PASSWORD, "203.0.113.1") is not None

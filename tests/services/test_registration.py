"""Who may have an account: invitations, disabled accounts and password-reset links."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from expense_tracker import clock as app_clock
from expense_tracker.errors import NotFound, Unauthorized, ValidationError
from expense_tracker.extensions import db
from expense_tracker.models import Invitation, PasswordReset, User, UserSession
from expense_tracker.services import (
    access,
    accounts,
    invitations,
    sessions,
    tokens,
)

from ..factories import PASSWORD, make_user

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def clock(time_machine):
    """Stop the clock; `clock(days=...)` moves it forward by that much."""
    time_machine.move_to(app_clock.now(), tick=False)

    def advance(**delta) -> None:
        time_machine.shift(dt.timedelta(**delta))

    return advance


@pytest.fixture
def invite_only(app):
    app.config["REGISTRATION"] = "invite"


def join(secret: str, username: str = "carol", address: str = "192.0.2.9") -> User:
    return invitations.register_invited(secret, username, PASSWORD, PASSWORD, address=address)


# Invitations ------------------------------------------------------------------------------------


def test_an_invitation_is_stored_only_as_a_digest(app, invite_only):
    alice = make_user()

    invitation, secret = invitations.create_invitation(alice.id)

    stored = db.session.scalars(select(Invitation)).one()
    assert secret not in stored.digest and len(stored.digest) == 64
    assert stored.created_by_id == alice.id
    assert stored.expires_at - stored.created_at == dt.timedelta(days=7)
    assert invitation.id == stored.id


def test_an_invitation_makes_one_account_and_is_then_used_up(app, invite_only):
    alice = make_user()
    invitation, secret = invitations.create_invitation(alice.id)

    carol = join(secret)

    assert accounts.authenticate("carol", PASSWORD) == carol
    stored = db.session.get(Invitation, invitation.id)
    assert stored.used_at is not None and stored.used_by_id == carol.id
    with pytest.raises(NotFound):
        join(secret, "dave")
    assert accounts.find_user("dave") is None
    assert invitations.list_invitations(alice.id) == []


def test_a_refused_registration_leaves_the_invitation_usable(app, invite_only):
    alice = make_user()
    _, secret = invitations.create_invitation(alice.id)

    with pytest.raises(ValidationError) as refused:
        invitations.register_invited(secret, "alice", PASSWORD, "other", address="192.0.2.9")

    assert set(refused.value.errors) == {"username", "confirm_password"}
    assert join(secret).username == "carol"


def test_a_name_taken_meanwhile_is_refused_and_the_invitation_stays_usable(
    app, invite_only, monkeypatch
):
    alice = make_user()
    _, secret = invitations.create_invitation(alice.id)
    make_user("carol")
    # Another request registered the name after this one checked it.
    with monkeypatch.context() as patched:
        patched.setattr(accounts, "find_user", lambda username: None)
        with pytest.raises(ValidationError) as refused:
            join(secret, "Carol")

    assert refused.value.errors == {"username": accounts.TAKEN}
    assert invitations.check_invitation(secret).used_at is None
    assert join(secret, "dave").username == "dave"


def test_an_invitation_expires(app, invite_only, clock):
    alice = make_user()
    _, secret = invitations.create_invitation(alice.id)

    clock(days=7, seconds=1)

    with pytest.raises(NotFound):
        invitations.check_invitation(secret)
    with pytest.raises(NotFound):
        join(secret)
    assert invitations.list_invitations(alice.id) == []


@pytest.mark.parametrize("secret", ["", "nonsense", "x" * 5000, "\ud800"])
def test_an_unknown_invitation_is_not_found(app, invite_only, secret):
    with pytest.raises(NotFound):
        invitations.check_invitation(secret)


def test_a_revoked_invitation_no_longer_works(app, invite_only):
    alice = make_user()
    invitation, secret = invitations.create_invitation(alice.id)

    invitations.revoke_invitation(alice.id, invitation.id)

    with pytest.raises(NotFound):
        join(secret)


def test_only_its_maker_can_see_or_revoke_an_invitation(app, invite_only):
    alice, bob = make_user("alice"), make_user("bob")
    invitation, secret = invitations.create_invitation(alice.id)

    with pytest.raises(NotFound):
        invitations.revoke_invitation(bob.id, invitation.id)

    assert invitations.list_invitations(bob.id) == []
    assert [i.id for i in invitations.list_invitations(alice.id)] == [invitation.id]
    assert join(secret).username == "carol"


def test_users_may_invite_only_when_registration_is_by_invitation(app):
    alice = make_user()

    for mode in ("open", "closed"):
        app.config["REGISTRATION"] = mode
        with pytest.raises(invitations.RegistrationClosed):
            invitations.create_invitation(alice.id)


def test_the_operator_may_invite_unless_registration_is_closed(app):
    app.config["REGISTRATION"] = "open"
    _, secret = invitations.create_invitation(None, days=2)
    app.config["REGISTRATION"] = "closed"
    with pytest.raises(invitations.RegistrationClosed):
        invitations.create_invitation(None)
    with pytest.raises(invitations.RegistrationClosed):
        join(secret)

    app.config["REGISTRATION"] = "invite"
    assert join(secret).username == "carol"


def test_open_registration_is_refused_unless_registration_is_open(app):
    for mode in ("invite", "closed"):
        app.config["REGISTRATION"] = mode
        with pytest.raises(invitations.RegistrationClosed):
            invitations.register_openly("carol", PASSWORD, PASSWORD, address="192.0.2.9")
    app.config["REGISTRATION"] = "open"
    assert invitations.register_openly("carol", PASSWORD, PASSWORD, address="192.0.2.9")


def test_a_user_has_at_most_so_many_open_invitations(app, invite_only):
    alice = make_user()
    for _ in range(invitations.OPEN_INVITATIONS_MAX):
        invitations.create_invitation(alice.id)

    with pytest.raises(ValidationError, match="invitations"):
        invitations.create_invitation(alice.id)


def test_two_people_using_one_invitation_at_once_make_exactly_one_account(app, invite_only):
    alice = make_user()
    _, secret = invitations.create_invitation(alice.id)
    people = 4
    barrier = threading.Barrier(people)
    made, refused, errors = [], [], []

    def register(n: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                made.append(join(secret, f"person{n}", address=f"192.0.2.{n}").id)
            except NotFound:
                refused.append(n)
            except Exception as error:  # noqa: BLE001 - any other failure fails the test below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(made) == 1 and len(refused) == people - 1
    assert db.session.scalar(select(func.count(User.id))) == 2


# Disabled accounts ------------------------------------------------------------------------------


def test_disabling_an_account_ends_its_sessions_and_tokens_and_refuses_log_in(app):
    alice, bob = make_user("alice"), make_user("bob")
    session_secret = sessions.start_session(alice.id)
    _, token_secret = tokens.create_token(alice.id, "script")
    bobs_session = sessions.start_session(bob.id)

    access.disable_account("ALICE")

    assert sessions.session_user(alice.id, session_secret) is None
    assert tokens.user_for_token(token_secret) is None
    assert accounts.log_in("alice", PASSWORD, "192.0.2.1") is None
    assert accounts.authenticate("alice", PASSWORD) is None
    assert sessions.session_user(bob.id, bobs_session) == bob


def test_a_disabled_account_cannot_mint_an_api_token(app):
    make_user("alice")
    access.disable_account("alice")

    with pytest.raises(Unauthorized, match=tokens.WRONG_CREDENTIALS):
        tokens.create_token_with_password("alice", PASSWORD, "x", "192.0.2.1")


def test_a_session_started_as_the_account_is_disabled_does_not_work(app):
    alice = make_user("alice")
    access.disable_account("alice")

    # A log-in whose password was checked just before the account was disabled.
    secret = sessions.start_session(alice.id)

    assert sessions.session_user(alice.id, secret) is None


def test_enabling_an_account_lets_it_log_in_again(app):
    make_user("alice")
    access.disable_account("alice")

    access.enable_account("alice")

    assert accounts.log_in("alice", PASSWORD, "192.0.2.1") is not None


def test_disabling_or_enabling_an_unknown_account_is_not_found(app):
    with pytest.raises(NotFound):
        access.disable_account("nobody")
    with pytest.raises(NotFound):
        access.enable_account("nobody")


def test_disabling_twice_or_enabling_an_enabled_account_says_so(app):
    make_user("alice")
    assert access.enable_account("alice") is False
    assert access.disable_account("alice").already is False
    assert access.disable_account("alice").already is True


# Password-reset links ---------------------------------------------------------------------------


def test_a_reset_link_is_stored_only_as_a_digest_and_expires(app, clock):
    alice = make_user()

    secret = access.create_password_reset("alice")

    stored = db.session.scalars(select(PasswordReset)).one()
    assert secret not in stored.digest and len(stored.digest) == 64
    assert stored.user_id == alice.id
    assert access.check_password_reset(secret).id == alice.id
    clock(hours=access.RESET_HOURS, seconds=1)
    with pytest.raises(NotFound):
        access.check_password_reset(secret)
    with pytest.raises(NotFound):
        access.reset_password(secret, NEW_PASSWORD, NEW_PASSWORD)


def test_a_reset_sets_the_password_once_and_ends_every_session(app):
    alice, bob = make_user("alice"), make_user("bob")
    old_session = sessions.start_session(alice.id)
    bobs_session = sessions.start_session(bob.id)
    secret = access.create_password_reset("alice")

    access.reset_password(secret, NEW_PASSWORD, NEW_PASSWORD)

    assert accounts.authenticate("alice", NEW_PASSWORD) == alice
    assert accounts.authenticate("alice", PASSWORD) is None
    assert sessions.session_user(alice.id, old_session) is None
    assert sessions.session_user(bob.id, bobs_session) == bob
    with pytest.raises(NotFound):
        access.reset_password(secret, "yet another passphrase", "yet another passphrase")
    assert accounts.authenticate("alice", NEW_PASSWORD) == alice


def test_a_reset_checks_the_new_password_and_stays_usable_when_refused(app):
    make_user("alice")
    secret = access.create_password_reset("alice")

    with pytest.raises(ValidationError) as refused:
        access.reset_password(secret, "short", "short")

    assert set(refused.value.errors) == {"new_password"}
    access.reset_password(secret, NEW_PASSWORD, NEW_PASSWORD)
    assert accounts.authenticate("alice", NEW_PASSWORD) is not None


def test_a_disabled_account_gets_no_reset_link_and_its_links_stop(app):
    make_user("alice")
    secret = access.create_password_reset("alice")

    access.disable_account("alice")

    with pytest.raises(NotFound):
        access.reset_password(secret, NEW_PASSWORD, NEW_PASSWORD)
    with pytest.raises(access.AccountDisabled):
        access.create_password_reset("alice")


def test_two_resets_with_one_link_at_once_set_one_password(app):
    alice = make_user("alice")
    secret = access.create_password_reset("alice")
    people = 4
    barrier = threading.Barrier(people)
    done, refused, errors = [], [], []

    def reset(n: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                access.reset_password(secret, f"new passphrase {n}", f"new passphrase {n}")
                done.append(n)
            except NotFound:
                refused.append(n)
            except Exception as error:  # noqa: BLE001 - any other failure fails the test below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=reset, args=(n,)) for n in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(done) == 1 and len(refused) == people - 1
    assert accounts.authenticate("alice", f"new passphrase {done[0]}") == alice
    assert db.session.scalar(select(func.count(UserSession.id))) == 0

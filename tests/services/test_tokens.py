"""Tokens: made only with the password (and code) asked again, and with an expiry."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest

from expense_tracker import clock
from expense_tracker.errors import Unauthorized, ValidationError
from expense_tracker.services import accounts, tokens, two_factor

from ..factories import PASSWORD, make_user

ADDRESS = "192.0.2.1"


def test_a_token_from_a_session_needs_the_current_password(app):
    user = make_user()

    with pytest.raises(ValidationError) as error:
        tokens.create_token_confirmed(user.id, "Script", "90", "not it", None, ADDRESS)

    assert set(error.value.errors) == {"current_password"}
    assert tokens.list_tokens(user.id) == []


def test_with_two_factor_on_a_token_needs_a_code_used_once(app, time_machine):
    time_machine.move_to(clock.now(), tick=False)
    user = make_user()
    secret = two_factor.new_secret()
    before = clock.now() - dt.timedelta(minutes=1)
    two_factor.enable(
        user.id,
        secret,
        pyotp.TOTP(secret).at(before),
        now=before,
        password=PASSWORD,
        address=ADDRESS,
    )
    code = pyotp.TOTP(secret).now()

    with pytest.raises(ValidationError) as missing:
        tokens.create_token_confirmed(user.id, "Script", "90", PASSWORD, None, ADDRESS)
    tokens.create_token_confirmed(user.id, "Script", "90", PASSWORD, code, ADDRESS)
    with pytest.raises(ValidationError) as reused:
        tokens.create_token_confirmed(user.id, "Again", "90", PASSWORD, code, ADDRESS)

    assert set(missing.value.errors) == set(reused.value.errors) == {"code"}
    assert [token.name for token in tokens.list_tokens(user.id)] == ["Script"]


@pytest.mark.parametrize(
    ("choice", "days"), [("30", 30), ("90", 90), ("365", 365), ("never", None), (None, None)]
)
def test_each_expiry_choice(app, time_machine, choice, days):
    time_machine.move_to(clock.now(), tick=False)
    user = make_user()

    token, _ = tokens.create_token_confirmed(user.id, "Script", choice, PASSWORD, None, ADDRESS)

    expected = None if days is None else clock.now() + dt.timedelta(days=days)
    assert token.expires_at == expected


@pytest.mark.parametrize("choice", ["0", "60", "forever", "", 30.0, True])
def test_other_expiries_are_refused(app, choice):
    user = make_user()

    with pytest.raises(ValidationError) as error:
        tokens.create_token_confirmed(user.id, "Script", choice, PASSWORD, None, ADDRESS)

    assert set(error.value.errors) == {"expires"}


def test_a_token_stops_working_the_moment_it_expires(app, time_machine):
    time_machine.move_to(clock.now(), tick=False)
    user = make_user()
    _, secret = tokens.create_token(user.id, "Script", 30)

    time_machine.shift(dt.timedelta(days=30) - dt.timedelta(seconds=1))
    assert tokens.user_for_token(secret)[0].id == user.id
    time_machine.shift(dt.timedelta(seconds=1))
    with pytest.raises(Unauthorized):
        tokens.user_for_token(secret)
    assert [token.name for token in tokens.working_tokens(user.id)] == []
    assert [token.name for token in tokens.list_tokens(user.id)] == ["Script"]


def test_a_password_change_keeps_the_tokens_unless_asked_to_revoke_them(app):
    user = make_user()
    tokens.create_token(user.id, "Script")

    kept = accounts.change_password(user.id, PASSWORD, "a new passphrase", "a new passphrase", None)
    assert kept == 0 and len(tokens.list_tokens(user.id)) == 1

    revoked = accounts.change_password(
        user.id, "a new passphrase", PASSWORD, PASSWORD, None, revoke_tokens=True
    )
    assert revoked == 1 and tokens.list_tokens(user.id) == []


def test_making_a_token_deletes_tokens_expired_over_a_month_ago_on_the_way(user, monkeypatch):
    from sqlalchemy import select, update

    from expense_tracker.extensions import db
    from expense_tracker.models import ApiToken

    old, _ = tokens.create_token(user.id, "old", 30)
    recent, _ = tokens.create_token(user.id, "recent", 30)
    now = clock.now()
    for token, ago in (
        (old, tokens.EXPIRED_KEPT + dt.timedelta(days=1)),
        (recent, dt.timedelta(1)),
    ):
        db.session.execute(
            update(ApiToken).where(ApiToken.id == token.id).values(expires_at=now - ago)
        )
    db.session.commit()

    tokens.create_token(user.id, "new", 30)

    names = db.session.scalars(select(ApiToken.name).order_by(ApiToken.id)).all()
    assert names == ["recent", "new"]  # the recently expired one still says it expired

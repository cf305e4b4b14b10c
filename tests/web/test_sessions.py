"""Sessions end on the server: a copied cookie dies at log out and at a password change."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest

from expense_tracker import clock

from ..factories import PASSWORD
from ..helpers import csrf_token, log_in, post_form, text


def copy_of(app, client):
    """Another browser holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def is_logged_in(client) -> bool:
    return client.get("/settings").status_code == 200


def test_a_copied_cookie_stops_working_when_its_owner_logs_out(app, auth_client):
    thief = copy_of(app, auth_client)
    assert is_logged_in(thief)

    post_form(auth_client, "/auth/logout", {})

    assert not is_logged_in(thief)
    assert not is_logged_in(auth_client)


def test_logging_in_starts_a_new_session(app, client, user):
    csrf_token(client, "/auth/login")
    before = client.get_cookie("session").value

    log_in(client, user.username, user.password)

    after = client.get_cookie("session").value
    assert after != before
    stale = app.test_client()
    stale.set_cookie("session", before)
    assert not is_logged_in(stale)


def test_logging_in_twice_gives_two_independent_sessions(app, user):
    phone, laptop = app.test_client(), app.test_client()
    log_in(phone, user.username, user.password)
    log_in(laptop, user.username, user.password)

    post_form(phone, "/auth/logout", {})

    assert is_logged_in(laptop) and not is_logged_in(phone)


def change_password(client, current=PASSWORD, new="a brand new passphrase", confirm=None):
    return post_form(
        client,
        "/settings/password",
        {
            "current_password": current,
            "new_password": new,
            "confirm_new_password": new if confirm is None else confirm,
        },
        token_page="/settings",
    )


def test_the_settings_page_has_the_change_password_form(auth_client):
    page = text(auth_client.get("/settings"))

    for label in ("Current password", "New password", "Confirm new password"):
        assert f">{label}</label>" in page
    assert ">Change password</button>" in page


def test_changing_the_password_logs_out_every_other_session(app, user, auth_client):
    other = app.test_client()
    log_in(other, user.username, user.password)
    thief = copy_of(app, other)

    response = change_password(auth_client)

    assert response.status_code == 302
    assert "Your password has been changed" in text(auth_client.get("/settings"))
    assert is_logged_in(auth_client)
    assert not is_logged_in(other) and not is_logged_in(thief)
    assert log_in(app.test_client(), user.username, "a brand new passphrase").status_code == 302
    assert log_in(app.test_client(), user.username, PASSWORD).status_code == 400


def test_a_wrong_current_password_is_shown_beside_its_field(app, user, auth_client):
    response = change_password(auth_client, current="not my password")

    assert response.status_code == 400
    page = text(response)
    assert re.search(r'id="current_password-error">That is not your current password.<', page)
    assert log_in(app.test_client(), user.username, PASSWORD).status_code == 302


def test_ending_all_other_sessions_from_the_settings_page(app, user, auth_client):
    others = [app.test_client() for _ in range(2)]
    for other in others:
        log_in(other, user.username, user.password)
    assert text(auth_client.get("/settings")).count('class="session-agent"') == 3

    response = post_form(auth_client, "/settings/sessions/end-others", {}, token_page="/settings")

    assert response.status_code == 302
    page = text(auth_client.get("/settings"))
    assert "Logged out 2 other sessions." in page and "This device" in page
    assert page.count('class="session-agent"') == 1
    assert is_logged_in(auth_client)
    assert not any(is_logged_in(other) for other in others)


def test_a_session_ends_after_the_idle_timeout(app, auth_client, time_machine):
    time_machine.move_to(clock.now() + dt.timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1))

    response = auth_client.get("/settings")

    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_cookies_are_http_only_and_same_site_lax(client):
    response = client.get("/auth/login")

    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development serves plain HTTP


# Every remedy rotates this browser's session: a copy of its cookie dies, the browser stays in.

SETUP_KEY = re.compile(r'data-testid="setup-key">([A-Z2-7 ]+)<')


@pytest.fixture
def totp_clock(time_machine):
    """The clock stopped 5 s into a 30 s code step; `.move(seconds)` moves it on."""
    step = int(clock.now().timestamp()) // 30 + 1
    time_machine.move_to(dt.datetime.fromtimestamp(step * 30 + 5, dt.UTC), tick=False)

    class Clock:
        def move(self, seconds: int) -> None:
            time_machine.shift(dt.timedelta(seconds=seconds))

        def code(self, secret: str) -> str:
            return pyotp.TOTP(secret).now()

    return Clock()


def turn_two_factor_on(client, totp) -> str:
    page = text(client.get("/settings/two-factor/setup"))
    secret = SETUP_KEY.search(page).group(1).replace(" ", "")
    response = post_form(
        client,
        "/settings/two-factor/setup",
        {"current_password": PASSWORD, "code": totp.code(secret)},
        token_page="/settings/two-factor/setup",
    )
    assert response.status_code == 200, text(response)
    totp.move(30)
    return secret


def with_two_factor_on(client, totp) -> str:
    return turn_two_factor_on(client, totp)


def nothing_first(client, totp) -> None:
    return None


def change_the_password(client, totp, secret) -> None:
    assert change_password(client).status_code == 302


def end_the_other_sessions(client, totp, secret) -> None:
    response = post_form(client, "/settings/sessions/end-others", {}, token_page="/settings")
    assert response.status_code == 302


def turn_it_on(client, totp, secret) -> None:
    turn_two_factor_on(client, totp)


def turn_it_off(client, totp, secret) -> None:
    response = post_form(
        client,
        "/settings/two-factor/disable",
        {"disable-current_password": PASSWORD, "disable-code": totp.code(secret)},
        token_page="/settings",
    )
    assert response.status_code == 302, text(response)


def make_new_recovery_codes(client, totp, secret) -> None:
    response = post_form(
        client,
        "/settings/two-factor/recovery-codes",
        {"codes-code": totp.code(secret)},
        token_page="/settings",
    )
    assert response.status_code == 200, text(response)


@pytest.mark.parametrize(
    ("prepare", "remedy"),
    [
        (nothing_first, change_the_password),
        (nothing_first, end_the_other_sessions),
        (nothing_first, turn_it_on),
        (with_two_factor_on, turn_it_off),
        (with_two_factor_on, make_new_recovery_codes),
    ],
    ids=["password", "end-others", "two-factor-on", "two-factor-off", "recovery-codes"],
)
def test_a_copy_of_this_sessions_cookie_dies_at_each_remedy(
    app, auth_client, totp_clock, prepare, remedy
):
    secret = prepare(auth_client, totp_clock)
    thief = copy_of(app, auth_client)
    assert is_logged_in(thief)

    remedy(auth_client, totp_clock, secret)

    assert is_logged_in(auth_client)
    assert not is_logged_in(thief)


def log_in_elsewhere(app, user, totp, secret):
    """Another browser logged in to the account (with a code when two-factor is on)."""
    other = app.test_client()
    response = log_in(other, user.username, user.password)
    if secret is not None:
        response = post_form(
            other, "/auth/login/code", {"code": totp.code(secret)}, token_page="/auth/login/code"
        )
        totp.move(30)
    assert response.status_code == 302, text(response)
    return other


@pytest.mark.parametrize(
    ("prepare", "remedy"),
    [(nothing_first, turn_it_on), (with_two_factor_on, turn_it_off)],
    ids=["two-factor-on", "two-factor-off"],
)
def test_turning_two_factor_on_or_off_logs_out_every_other_session(
    app, user, auth_client, totp_clock, prepare, remedy
):
    secret = prepare(auth_client, totp_clock)
    other = log_in_elsewhere(app, user, totp_clock, secret)
    assert is_logged_in(other)

    remedy(auth_client, totp_clock, secret)

    assert is_logged_in(auth_client)
    assert not is_logged_in(other)

"""Throttling through the pages: the owner's browser gets in while others guess."""

from __future__ import annotations

import pytest

from expense_tracker import clock
from expense_tracker.services import throttle

from ..factories import PASSWORD
from ..helpers import log_in, post_form


def guess_from_many_addresses(app, username: str) -> None:
    """Wrong passwords from more addresses than the account's free attempts allow."""
    for number in range(throttle.ACCOUNT_FREE + 5):
        guesser = app.test_client()
        guesser.environ_base["REMOTE_ADDR"] = f"198.51.100.{number}"
        log_in(guesser, username, "a wrong guess")


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(clock.now(), tick=False)


def test_guessing_from_many_addresses_slows_a_new_browser_down(app, user, frozen):
    guess_from_many_addresses(app, user.username)
    newcomer = app.test_client()
    newcomer.environ_base["REMOTE_ADDR"] = "203.0.113.7"

    response = log_in(newcomer, user.username, PASSWORD)

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"


def test_the_browser_the_owner_logged_in_from_before_still_gets_in(app, user, frozen):
    laptop = app.test_client()
    laptop.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    log_in(laptop, user.username, PASSWORD)
    post_form(laptop, "/auth/logout", {})
    guess_from_many_addresses(app, user.username)

    response = log_in(laptop, user.username, PASSWORD)

    assert response.status_code == 302
    assert laptop.get("/settings").status_code == 200


def test_a_device_cookie_for_another_user_does_not_help(app, user, other_user, frozen):
    laptop = app.test_client()
    log_in(laptop, other_user.username, other_user.password)
    post_form(laptop, "/auth/logout", {})
    guess_from_many_addresses(app, user.username)

    assert log_in(laptop, user.username, PASSWORD).status_code == 429


def change_password(client, current: str):
    return post_form(
        client,
        "/settings/password",
        {
            "current_password": current,
            "new_password": "a brand new passphrase",
            "confirm_new_password": "a brand new passphrase",
        },
        token_page="/settings",
    )


def test_wrong_current_passwords_on_the_password_form_count_like_log_ins(auth_client):
    for _ in range(throttle.LOGIN.count):
        assert change_password(auth_client, "a wrong guess").status_code == 400

    response = change_password(auth_client, PASSWORD)

    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)


def test_the_device_cookie_is_http_only_same_site_and_lasts_a_year(client, user):
    response = log_in(client, user.username, PASSWORD)

    [device] = [
        value for value in response.headers.getlist("Set-Cookie") if value.startswith("device=")
    ]
    assert "HttpOnly" in device and "SameSite=Lax" in device and "Path=/" in device
    assert f"Max-Age={365 * 24 * 3600}" in device


def test_in_production_the_device_cookie_is_secure_and_host_prefixed(app):
    from flask import Response

    from expense_tracker.auth import devices

    app.config.update(SESSION_COOKIE_NAME="__Host-session", SESSION_COOKIE_SECURE=True)
    with app.test_request_context("/auth/login", base_url="https://localhost"):
        [cookie] = devices.remember(Response(), "alice").headers.getlist("Set-Cookie")

    assert cookie.startswith("__Host-device=")
    assert "Secure" in cookie and "Path=/" in cookie and "Domain" not in cookie

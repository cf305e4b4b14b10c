"""'Keep me signed in on this device': a cookie with an expiry, a session that lasts days."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from expense_tracker import clock, create_app
from expense_tracker.services import two_factor

from ..factories import PASSWORD, make_user
from ..helpers import make_app, post_form, text

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
KEEP_BOX = re.compile(r'<input type="checkbox" id="remember" name="remember" value="y"[^>]*>')


def log_in(client, user, *, keep: bool):
    data = {"username": user.username, "password": user.password}
    if keep:
        data["remember"] = "y"
    return post_form(client, "/auth/login", data, token_page="/auth/login")


def is_logged_in(client) -> bool:
    return client.get("/settings").status_code == 200


def cookie_expiry(client) -> dt.datetime | None:
    expires = client.get_cookie("session").expires
    return None if expires is None else expires.astimezone(dt.UTC)


def days_from_now(expiry: dt.datetime) -> float:
    return (expiry - clock.now()) / dt.timedelta(days=1)


def test_the_log_in_page_offers_the_box_unticked(client):
    page = text(client.get("/auth/login"))

    box = KEEP_BOX.search(page)
    assert box and "checked" not in box.group(0)
    assert '<label for="remember">Keep me signed in on this device</label>' in page


def test_ticking_the_box_gives_a_cookie_that_expires_in_30_days(app, client, user):
    response = log_in(client, user, keep=True)

    assert response.status_code == 302
    assert days_from_now(cookie_expiry(client)) == pytest.approx(30, abs=0.01)
    cookie = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie


def test_without_the_box_the_cookie_ends_with_the_browser(client, user):
    log_in(client, user, keep=False)

    assert is_logged_in(client)
    assert cookie_expiry(client) is None


def test_a_kept_session_outlasts_12_hours_and_its_cookie_moves_on(app, user, time_machine):
    kept, ordinary = app.test_client(), app.test_client()
    log_in(kept, user, keep=True)
    log_in(ordinary, user, keep=False)

    time_machine.move_to(clock.now() + dt.timedelta(hours=13))

    assert is_logged_in(kept)
    assert days_from_now(cookie_expiry(kept)) == pytest.approx(30, abs=0.01)
    assert not is_logged_in(ordinary)


def test_a_kept_session_ends_after_30_days_unused(app, client, user, time_machine):
    log_in(client, user, keep=True)

    time_machine.move_to(clock.now() + dt.timedelta(days=30, minutes=2))

    assert not is_logged_in(client)


def test_logging_out_ends_a_kept_session_and_every_copy_of_its_cookie(app, client, user):
    log_in(client, user, keep=True)
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)

    post_form(client, "/auth/logout", {})

    assert not is_logged_in(thief) and not is_logged_in(client)
    assert cookie_expiry(client) is None


def test_a_password_change_elsewhere_ends_a_kept_session(app, user, auth_client):
    phone = app.test_client()
    log_in(phone, user, keep=True)

    response = post_form(
        auth_client,
        "/settings/password",
        {
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm_new_password": "a brand new passphrase",
        },
        token_page="/settings",
    )

    assert response.status_code == 302
    assert not is_logged_in(phone)


def test_settings_mark_the_kept_session(app, user):
    phone, laptop = app.test_client(), app.test_client()
    log_in(phone, user, keep=True)
    log_in(laptop, user, keep=False)

    page = text(laptop.get("/settings"))

    assert page.count('class="session-agent"') == 2
    assert page.count('class="badge-kept">Kept signed in<') == 1
    assert "30 days without activity" in page


@pytest.fixture
def totp(app, user, time_machine):
    """Two-factor on for `user`; returns a function giving the code of the clock's step."""
    import pyotp

    step = int(clock.now().timestamp()) // 30 + 1
    time_machine.move_to(dt.datetime.fromtimestamp(step * 30 + 5, dt.UTC), tick=False)
    with app.app_context():
        secret = two_factor.new_secret()
        two_factor.enable(
            user.id, secret, pyotp.TOTP(secret).now(), password=user.password, address="192.0.2.9"
        )
    time_machine.shift(dt.timedelta(seconds=60))
    return lambda: pyotp.TOTP(secret).now()


@pytest.mark.parametrize("keep", [True, False], ids=["ticked", "unticked"])
def test_the_choice_survives_the_code_step(client, user, totp, keep):
    log_in(client, user, keep=keep)

    page = text(client.get("/auth/login/code"))
    box = KEEP_BOX.search(page)
    assert box and ("checked" in box.group(0)) is keep
    data = {"code": totp(), **({"remember": "y"} if keep else {})}
    response = post_form(client, "/auth/login/code", data, token_page="/auth/login/code")

    assert response.status_code == 302 and is_logged_in(client)
    assert (cookie_expiry(client) is not None) is keep


def test_no_persistent_cookie_before_the_code_is_given(client, user, totp):
    log_in(client, user, keep=True)

    assert cookie_expiry(client) is None
    assert not is_logged_in(client)


def test_the_days_are_a_setting_the_cookie_follows(database_url, monkeypatch):
    monkeypatch.setenv("SESSION_REMEMBER_DAYS", "7")
    app = make_app(database_url)
    with app.app_context():
        make_user("bob")
    client = app.test_client()

    post_form(
        client,
        "/auth/login",
        {"username": "bob", "password": PASSWORD, "remember": "y"},
        token_page="/auth/login",
    )

    assert app.config["SESSION_REMEMBER_DAYS"] == 7
    assert days_from_now(cookie_expiry(client)) == pytest.approx(7, abs=0.01)


def test_pages_renew_the_kept_cookie_but_static_files_never_carry_it(client, user):
    log_in(client, user, keep=True)

    page = client.get("/")
    asset = client.get("/static/style.css")

    assert any(c.startswith("session=") for c in page.headers.getlist("Set-Cookie"))
    assert asset.status_code == 200 and "Set-Cookie" not in asset.headers


def test_unticking_the_box_at_the_code_step_counts(client, user, totp):
    log_in(client, user, keep=True)

    post_form(client, "/auth/login/code", {"code": totp()}, token_page="/auth/login/code")

    assert is_logged_in(client)
    assert cookie_expiry(client) is None


def test_in_production_the_kept_cookie_is_secure_and_host_prefixed(database_url, monkeypatch):
    from expense_tracker.config import ProductionConfig

    monkeypatch.setenv("SECRET_KEY", "k" * 20 + "0123456789abcdef")
    monkeypatch.setenv("DATABASE_URL", database_url)
    app = create_app(ProductionConfig)
    with app.app_context():
        make_user("bob")
    client = app.test_client()
    # Over HTTPS, Flask-WTF also checks that the form came from this site.
    https = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/"}}
    token = CSRF.search(text(client.get("/auth/login", **https))).group(1)

    response = client.post(
        "/auth/login",
        data={"csrf_token": token, "username": "bob", "password": PASSWORD, "remember": "y"},
        **https,
    )

    assert response.status_code == 302
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if "session=" in c]
    assert cookie.startswith("__Host-session=")
    for attribute in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/", "Expires="):
        assert attribute in cookie

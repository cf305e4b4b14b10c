"""Two-factor authentication through the pages: set up in settings, a code step at log-in."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest

from expense_tracker import clock as app_clock
from expense_tracker.extensions import SESSION_SECRET
from expense_tracker.services import throttle, two_factor

from ..factories import PASSWORD
from ..helpers import csrf_token, log_in, post_form, text

SETUP_KEY = re.compile(r'data-testid="setup-key">([A-Z2-7 ]+)<')
RECOVERY_CODE = re.compile(r"<code>([a-z2-9]{4}(?:-[a-z2-9]{4}){5})</code>")


@pytest.fixture
def clock(time_machine):
    """The clock, stopped at T0; `clock.move(seconds=...)` moves it on."""
    # T0 is 5 s into the codes' next 30 s step: after any log-in, as a session cookie
    # signed later than "now" would not be believed.
    step = int(app_clock.now().timestamp()) // 30 + 1
    time_machine.move_to(dt.datetime.fromtimestamp(step * 30 + 5, dt.UTC), tick=False)

    class Clock:
        def move(self, **delta) -> None:
            time_machine.shift(dt.timedelta(**delta))

        def code(self, secret: str) -> str:
            """The authenticator app's code at the clock's time."""
            return pyotp.TOTP(secret).now()

    return Clock()


@pytest.fixture
def secured(app, user, clock):
    """`user` with two-factor on since T0; their secret and recovery codes. The clock: T0+60s."""
    with app.app_context():
        secret = two_factor.new_secret()
        codes = two_factor.enable(
            user.id, secret, clock.code(secret), password=user.password, address="192.0.2.9"
        )
    clock.move(seconds=60)
    return secret, codes


def send_code(client, code: str, next_url: str | None = None, token_page="/auth/login/code"):
    url = "/auth/login/code" + (f"?next={next_url}" if next_url else "")
    return post_form(client, url, {"code": code}, token_page=token_page)


def is_logged_in(client) -> bool:
    return client.get("/settings").status_code == 200


# Log-in


def test_the_password_alone_does_not_log_in(client, user, secured):
    response = log_in(client, user.username, user.password)

    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login/code"
    assert not is_logged_in(client)
    page = text(client.get("/auth/login/code"))
    assert "Enter the 6-digit code from your authenticator app, or a recovery code." in page


def test_the_password_and_a_code_log_in_and_go_where_the_user_was_headed(
    client, user, secured, clock
):
    secret, _ = secured
    log_in(client, user.username, user.password, next_url="/settings")

    response = send_code(client, clock.code(secret), next_url="/settings")

    assert response.status_code == 302 and response.headers["Location"] == "/settings"
    assert is_logged_in(client)


def test_the_code_step_starts_a_new_server_side_session(app, client, user, secured, clock):
    secret, _ = secured
    log_in(client, user.username, user.password)
    pending = client.get_cookie("session").value

    send_code(client, clock.code(secret))

    assert client.get_cookie("session").value != pending
    stale = app.test_client()
    stale.set_cookie("session", pending)
    assert not is_logged_in(stale)


def test_a_wrong_code_is_400_with_the_message_beside_the_field(client, user, secured):
    log_in(client, user.username, user.password)

    response = send_code(client, "123456")

    assert response.status_code == 400
    page = text(response)
    assert 'id="code-error">That code is not right.' in page
    assert 'aria-invalid="true"' in page
    assert not is_logged_in(client)


def test_a_used_code_cannot_log_in_again(app, user, secured, clock):
    secret, _ = secured
    first, second = app.test_client(), app.test_client()
    log_in(first, user.username, user.password)
    log_in(second, user.username, user.password)
    code = clock.code(secret)

    assert send_code(first, code).status_code == 302
    assert send_code(second, code).status_code == 400
    assert not is_logged_in(second)


def test_a_recovery_code_logs_in_once_and_says_how_many_are_left(app, user, secured):
    _, codes = secured
    log_in(client := app.test_client(), user.username, user.password)

    response = send_code(client, codes[0])

    assert response.status_code == 302
    assert "You used a recovery code; 9 left." in text(client.get("/"))
    again = app.test_client()
    log_in(again, user.username, user.password)
    assert send_code(again, codes[0]).status_code == 400


def test_five_wrong_codes_then_429_even_with_the_right_one(client, user, secured, clock):
    secret, _ = secured
    log_in(client, user.username, user.password)
    for _ in range(throttle.LOGIN.count):
        assert send_code(client, "000000x").status_code == 400

    blocked = send_code(client, clock.code(secret))

    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    assert "Too many failed attempts" in text(blocked)
    assert not is_logged_in(client)


def test_the_right_password_again_does_not_reset_the_count_of_wrong_codes(
    client, user, secured, clock
):
    secret, _ = secured
    for _ in range(throttle.LOGIN.count):
        log_in(client, user.username, user.password)
        send_code(client, "999999x")

    again = log_in(client, user.username, user.password)

    assert again.status_code == 429


def test_the_code_step_expires_after_five_minutes(client, user, secured, clock):
    secret, _ = secured
    log_in(client, user.username, user.password)
    clock.move(minutes=5, seconds=1)

    response = send_code(client, clock.code(secret), token_page="/auth/login")

    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert "That took too long. Please log in again." in text(client.get("/auth/login"))
    assert not is_logged_in(client)
    assert client.get("/auth/login/code").headers["Location"] == "/auth/login"


def test_the_code_page_without_a_password_first_goes_to_log_in(client):
    assert client.get("/auth/login/code").headers["Location"] == "/auth/login"


def test_log_ins_with_a_code_are_logged(client, user, secured, clock, audit_lines):
    secret, codes = secured
    log_in(client, user.username, user.password)
    send_code(client, "123456x")
    send_code(client, codes[1])

    lines = audit_lines()
    assert [line.split(" ", 1)[0] for line in lines] == [
        "login.password_accepted",
        "login.second_factor_failed",
        "login.succeeded",
        "recovery_code.used",
    ]
    assert 'method="recovery_code"' in lines[2]


# Settings


def confirm_setup(client, code: str, password: str | None = PASSWORD):
    data = {"code": code}
    if password is not None:
        data["current_password"] = password
    return post_form(
        client, "/settings/two-factor/setup", data, token_page="/settings/two-factor/setup"
    )


def setup_key(client) -> str:
    return SETUP_KEY.search(text(client.get("/settings/two-factor/setup")))[1].replace(" ", "")


def test_settings_offer_to_turn_it_on_when_it_is_off(auth_client):
    page = text(auth_client.get("/settings"))

    assert ">Two-factor authentication</h2>" in page
    assert 'href="/settings/two-factor/setup">Turn on two-factor authentication</a>' in page


def test_turning_it_on_shows_a_qr_code_and_the_key_then_ten_recovery_codes(
    auth_client, user, clock
):
    setup = auth_client.get("/settings/two-factor/setup")
    page = text(setup)
    secret = SETUP_KEY.search(page)[1].replace(" ", "")
    assert setup.headers["Cache-Control"] == "no-store"
    assert '<svg role="img" aria-label="QR code of the setup key"' in page
    assert "<script" not in page.split("<main", 1)[1] and "style=" not in page
    # The same key until it is confirmed, however often the page is opened.
    assert secret in text(auth_client.get("/settings/two-factor/setup")).replace(" ", "")

    done = confirm_setup(auth_client, clock.code(secret))

    assert done.status_code == 200
    assert "Two-factor authentication is on" in text(done)
    assert len(set(RECOVERY_CODE.findall(text(done)))) == 10
    assert "they will not be shown again" in text(done)
    settings = text(auth_client.get("/settings"))
    assert "You have 10 unused recovery codes." in settings
    assert ">Turn off two-factor authentication</button>" in settings


def test_the_setup_form_asks_for_the_password_before_the_code(auth_client):
    page = text(auth_client.get("/settings/two-factor/setup"))

    field = re.search(
        r'<label for="current_password">Your password</label>\s*<input ([^>]*)>', page
    )
    assert field is not None
    assert 'type="password"' in field[1] and 'autocomplete="current-password"' in field[1]
    assert page.index('id="current_password"') < page.index('id="code"')


@pytest.mark.parametrize("password", [None, "", "not my password"])
def test_turning_it_on_needs_the_password_shown_beside_its_field(auth_client, clock, password):
    secret = setup_key(auth_client)

    response = confirm_setup(auth_client, clock.code(secret), password=password)

    assert response.status_code == 400
    page = text(response)
    assert 'id="current_password-error">That is not your current password.<' in page
    assert 'id="code-error"' not in page
    assert "Turn on two-factor authentication</a>" in text(auth_client.get("/settings"))


def test_wrong_passwords_on_the_setup_form_are_throttled(auth_client, clock):
    secret = setup_key(auth_client)
    for _ in range(throttle.LOGIN.count):
        assert confirm_setup(auth_client, clock.code(secret), "a guess").status_code == 400

    assert confirm_setup(auth_client, clock.code(secret)).status_code == 429
    assert "Turn on two-factor authentication</a>" in text(auth_client.get("/settings"))


def test_a_refused_set_up_is_logged_with_the_wrong_fields(auth_client, clock, audit_lines):
    setup_key(auth_client)

    confirm_setup(auth_client, "12345", "not my password")

    lines = audit_lines()
    assert [line.split(" ", 1)[0] for line in lines] == ["two_factor.enable_refused"]
    assert 'fields="current_password,code"' in lines[0]


def test_a_wrong_code_at_set_up_is_shown_beside_the_field_and_keeps_the_key(auth_client):
    page = text(auth_client.get("/settings/two-factor/setup"))
    key = SETUP_KEY.search(page)[1]

    response = confirm_setup(auth_client, "12345")

    assert response.status_code == 400
    assert 'id="code-error">That code is not right.' in text(response)
    assert 'id="current_password-error"' not in text(response)
    assert key in text(response)
    assert "Turn on two-factor authentication</a>" in text(auth_client.get("/settings"))


def test_the_qr_code_holds_the_otpauth_address(auth_client, user):
    """The SVG is segno's drawing of the address; decoding it is left to the browser test."""
    page = text(auth_client.get("/settings/two-factor/setup"))
    secret = SETUP_KEY.search(page)[1].replace(" ", "")
    expected = two_factor.provisioning_uri(secret, user.username)

    from expense_tracker.settings.two_factor import qr_code_svg

    assert str(qr_code_svg(expected)) in page


def settings_secured(app, user, auth_client, clock) -> tuple[str, list[str]]:
    """Turn it on for the logged-in `user` through the service; move the clock on a step.

    The browser's session is kept, as the settings page keeps it; any other would end.
    """
    with auth_client.session_transaction() as cookie:
        keep = cookie[SESSION_SECRET]
    with app.app_context():
        secret = two_factor.new_secret()
        codes = two_factor.enable(
            user.id,
            secret,
            clock.code(secret),
            password=user.password,
            address="192.0.2.9",
            keep_session=keep,
        )
    clock.move(seconds=60)
    return secret, codes


def test_turning_it_off_needs_the_password_and_a_code(app, user, auth_client, clock):
    secret, _ = settings_secured(app, user, auth_client, clock)

    refused = post_form(
        auth_client,
        "/settings/two-factor/disable",
        {"disable-current_password": "wrong password", "disable-code": "111111x"},
        token_page="/settings",
    )
    done = post_form(
        auth_client,
        "/settings/two-factor/disable",
        {"disable-current_password": PASSWORD, "disable-code": clock.code(secret)},
        token_page="/settings",
    )

    assert refused.status_code == 400
    page = text(refused)
    assert 'id="disable-current_password-error">That is not your current password.' in page
    assert 'id="disable-code-error">That code is not right.' in page
    assert done.status_code == 302
    settings = text(auth_client.get("/settings"))
    assert "Two-factor authentication is off." in settings
    assert "Turn on two-factor authentication</a>" in settings


def test_making_new_recovery_codes_needs_a_code_and_replaces_the_old_ones(
    app, user, auth_client, clock
):
    secret, old = settings_secured(app, user, auth_client, clock)

    refused = post_form(
        auth_client,
        "/settings/two-factor/recovery-codes",
        {"codes-code": "x"},
        token_page="/settings",
    )
    done = post_form(
        auth_client,
        "/settings/two-factor/recovery-codes",
        {"codes-code": clock.code(secret)},
        token_page="/settings",
    )

    assert refused.status_code == 400
    assert 'id="codes-code-error">That code is not right.' in text(refused)
    assert done.status_code == 200 and "Your new recovery codes" in text(done)
    new = RECOVERY_CODE.findall(text(done))
    assert len(new) == 10 and not set(new) & set(old)
    other = app.test_client()
    log_in(other, user.username, user.password)
    assert send_code(other, old[0]).status_code == 400
    assert send_code(other, new[0]).status_code == 302


@pytest.mark.parametrize(
    "url, data",
    [
        ("/settings/two-factor/setup", {"current_password": PASSWORD, "code": "123456"}),
        ("/settings/two-factor/disable", {"disable-current_password": PASSWORD}),
        ("/settings/two-factor/recovery-codes", {"codes-code": "123456"}),
    ],
)
def test_every_two_factor_settings_form_needs_the_csrf_token(auth_client, url, data):
    auth_client.get("/settings/two-factor/setup")

    response = auth_client.post(url, data=data)

    assert response.status_code == 400
    assert "This form has expired" in text(response)


def test_the_code_step_needs_the_csrf_token(client, user, secured, clock):
    secret, _ = secured
    log_in(client, user.username, user.password)
    csrf_token(client, "/auth/login/code")

    response = client.post("/auth/login/code", data={"code": clock.code(secret)})

    assert response.status_code == 400
    assert not is_logged_in(client)


def test_turning_on_and_off_is_logged(app, user, auth_client, clock, audit_lines):
    page = text(auth_client.get("/settings/two-factor/setup"))
    secret = SETUP_KEY.search(page)[1].replace(" ", "")
    confirm_setup(auth_client, clock.code(secret))
    clock.move(seconds=30)
    post_form(
        auth_client,
        "/settings/two-factor/recovery-codes",
        {"codes-code": clock.code(secret)},
        token_page="/settings",
    )
    clock.move(seconds=30)
    post_form(
        auth_client,
        "/settings/two-factor/disable",
        {"disable-current_password": PASSWORD, "disable-code": clock.code(secret)},
        token_page="/settings",
    )

    events = [line.split(" ", 1)[0] for line in audit_lines()]
    assert events == ["two_factor.enabled", "recovery_codes.regenerated", "two_factor.disabled"]

"""The settings page: create, list and revoke API tokens."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest

from expense_tracker import clock
from expense_tracker.extensions import SESSION_SECRET
from expense_tracker.services import throttle, two_factor

from ..factories import PASSWORD
from ..helpers import csrf_token, log_in, post_form, text

SECRET = re.compile(r'id="new-token-secret"[^>]*value="(et_[^"]+)"')


def create_token(
    client, name: str = "Laptop script", password: str | None = PASSWORD, **fields: str
):
    data = {"token-name": name, **{f"token-{key}": value for key, value in fields.items()}}
    if password is not None:
        data["token-current_password"] = password
    return post_form(client, "/settings/tokens", data, token_page="/settings")


def test_settings_is_private_and_linked_from_the_header(client, auth_client):
    assert 'href="/settings"' in text(auth_client.get("/"))
    visitor = client.application.test_client().get("/settings")
    assert visitor.status_code == 302 and "/auth/login" in visitor.headers["Location"]


def test_a_new_token_is_shown_once_and_works_with_the_api(auth_client):
    response = create_token(auth_client)

    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    secret = SECRET.search(text(response)).group(1)
    api = auth_client.application.test_client()
    assert (
        api.get("/api/v1/expenses", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 200
    )

    listing = text(auth_client.get("/settings"))
    assert "Laptop script" in listing and ">Never</td>" not in listing  # used once already
    assert secret not in listing


def test_tokens_are_listed_with_name_created_and_last_used(auth_client):
    create_token(auth_client, "First")
    create_token(auth_client, "Second")

    page = text(auth_client.get("/settings"))

    assert page.index("Second") < page.index("First")  # newest first
    assert page.count(">Never</td>") == 2
    for heading in ("Name", "Created", "Last used"):
        assert f'scope="col">{heading}</th>' in page


def test_a_bad_name_is_shown_beside_the_field_and_nothing_is_made(auth_client):
    response = create_token(auth_client, "x" * 101)

    assert response.status_code == 400
    page = text(response)
    assert 'class="field-error"' in page and "Use at most 100 characters" in page
    assert "You have no tokens yet." in page


def test_revoking_a_token_makes_it_stop_working(auth_client):
    secret = SECRET.search(text(create_token(auth_client))).group(1)
    token_id = re.search(r"/settings/tokens/(\d+)/revoke", text(auth_client.get("/settings")))[1]

    response = post_form(
        auth_client, f"/settings/tokens/{token_id}/revoke", {}, token_page="/settings"
    )

    assert response.status_code == 302
    page = text(auth_client.get("/settings"))
    assert "Revoked the token" in page and "You have no tokens yet." in page
    api = auth_client.application.test_client()
    assert (
        api.get("/api/v1/expenses", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 401
    )


def test_another_users_token_cannot_be_revoked_from_the_page(app, auth_client, other_user):
    from expense_tracker.services import tokens

    with app.app_context():
        theirs = tokens.create_token(other_user.id, "Theirs")[0].id

    response = post_form(
        auth_client, f"/settings/tokens/{theirs}/revoke", {}, token_page="/settings"
    )

    assert response.status_code == 404
    with app.app_context():
        assert [t.name for t in tokens.list_tokens(other_user.id)] == ["Theirs"]


def test_token_forms_need_the_csrf_token(auth_client):
    csrf_token(auth_client, "/settings")
    response = auth_client.post(
        "/settings/tokens", data={"token-name": "x", "token-current_password": PASSWORD}
    )
    assert response.status_code == 400
    assert "You have no tokens yet." in text(auth_client.get("/settings"))


# Asking again who it is, and expiry


@pytest.mark.parametrize("password", [None, "", "not my password"])
def test_a_token_needs_the_current_password(auth_client, password):
    response = create_token(auth_client, password=password)

    assert response.status_code == 400
    page = text(response)
    assert re.search(r'id="token-current_password-error">That is not your current password.<', page)
    assert "You have no tokens yet." in page and not SECRET.search(page)


def test_wrong_passwords_on_the_token_form_are_throttled(auth_client):
    for _ in range(throttle.LOGIN.count):
        assert create_token(auth_client, password="a guess").status_code == 400

    assert create_token(auth_client).status_code == 429


def test_with_two_factor_on_a_token_needs_a_code_too(app, user, auth_client, time_machine):
    time_machine.move_to(clock.now(), tick=False)
    with auth_client.session_transaction() as cookie:
        keep = cookie[SESSION_SECRET]  # the browser's session, kept as the settings page keeps it
    with app.app_context():
        secret = two_factor.new_secret()
        before = clock.now() - dt.timedelta(minutes=1)
        two_factor.enable(
            user.id,
            secret,
            pyotp.TOTP(secret).at(before),
            now=before,
            password=user.password,
            address="192.0.2.9",
            keep_session=keep,
        )

    without = create_token(auth_client)
    wrong = create_token(auth_client, code="000000")
    right = create_token(auth_client, code=pyotp.TOTP(secret).now())

    assert without.status_code == wrong.status_code == 400
    assert 'id="token-code-error">' in text(without)
    assert right.status_code == 201 and SECRET.search(text(right))


def test_the_form_offers_the_expiries_with_ninety_days_chosen(auth_client):
    page = text(auth_client.get("/settings"))

    options = re.findall(r'<option value="(\w+)"( selected)?>', page[page.index("token-expires") :])
    assert [value for value, _ in options[:4]] == ["30", "90", "365", "never"]
    assert [value for value, selected in options[:4] if selected] == ["90"]


def test_the_chosen_expiry_is_listed(auth_client, time_machine):
    time_machine.move_to(clock.now(), tick=False)
    create_token(auth_client, "Month", expires="30")
    create_token(auth_client, "Forever", expires="never")

    page = text(auth_client.get("/settings"))

    in_30_days = (clock.now() + dt.timedelta(days=30)).isoformat()
    assert f'<time datetime="{in_30_days}">' in page
    assert page.count(">Does not expire<") == 1


def test_an_unknown_expiry_is_shown_beside_the_field(auth_client):
    response = create_token(auth_client, expires="1000")

    assert response.status_code == 400
    assert 'id="token-expires-error">' in text(response)


def test_an_expired_token_is_listed_as_expired(auth_client, user, time_machine):
    time_machine.move_to(clock.now(), tick=False)
    create_token(auth_client, "Old", expires="30")

    time_machine.move_to(clock.now() + dt.timedelta(days=31), tick=False)
    log_in(auth_client, user.username, PASSWORD)  # the session itself ended long ago
    page = text(auth_client.get("/settings"))

    assert re.search(r'class="badge-expired">Expired<', page)


# A password change tells which tokens still work, and can revoke them


def change_password(client, **extra: str):
    data = {
        "current_password": PASSWORD,
        "new_password": "a brand new passphrase",
        "confirm_new_password": "a brand new passphrase",
        **extra,
    }
    return post_form(client, "/settings/password", data, token_page="/settings")


def test_the_password_form_offers_to_revoke_the_tokens(auth_client):
    create_token(auth_client, "Laptop script")
    create_token(auth_client, "Phone")

    page = text(auth_client.get("/settings"))

    assert ">Also revoke my 2 API tokens</label>" in page


def test_after_a_password_change_the_page_says_which_tokens_still_work(auth_client):
    create_token(auth_client, "Laptop script")

    change_password(auth_client)
    page = text(auth_client.get("/settings"))

    assert "Your API token “Laptop script” still works." in page


def test_a_password_change_can_revoke_every_token(app, auth_client):
    secret = SECRET.search(text(create_token(auth_client, "Laptop script"))).group(1)

    assert change_password(auth_client, revoke_tokens="y").status_code == 302

    page = text(auth_client.get("/settings"))
    assert "Revoked your 1 API token." in page and "You have no tokens yet." in page
    api = app.test_client()
    assert (
        api.get("/api/v1/expenses", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 401
    )

"""Tokens: made with a password or on the settings page, stored hashed, revocable."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from sqlalchemy import select

from expense_tracker import clock
from expense_tracker.extensions import db
from expense_tracker.models import ApiToken
from expense_tracker.services import throttle, two_factor

from ..factories import PASSWORD
from ..helpers import log_in
from .conftest import ApiClient, assert_problem


def create(client, username="alice", password=PASSWORD, **extra):
    return client.post("/api/v1/tokens", json={"username": username, "password": password, **extra})


def test_a_username_and_password_get_a_token_that_works(app, client, user):
    response = create(client, name="Phone shortcut")

    assert response.status_code == 201
    body = response.get_json()
    assert body["name"] == "Phone shortcut" and body["token"].startswith("et_")
    listed = ApiClient(client, body["token"]).get("/api/v1/tokens")
    assert listed.status_code == 200
    assert [t["id"] for t in listed.get_json()["items"]] == [body["id"]]


def test_a_token_without_a_name_gets_a_default_one(client, user):
    assert create(client).get_json()["name"] == "API token"


def test_only_a_digest_of_the_token_is_stored(app, client, user):
    secret = create(client).get_json()["token"]

    with app.app_context():
        stored = db.session.scalars(select(ApiToken)).one()
    assert secret not in (stored.digest, stored.name)
    assert len(stored.digest) == 64


def test_a_wrong_password_or_unknown_user_is_401_with_one_message(client, user):
    wrong = assert_problem(create(client, password="not the password"), 401)
    unknown = assert_problem(create(client, username="nobody"), 401)

    assert wrong["detail"] == unknown["detail"] == "Incorrect username or password."


def test_missing_fields_and_wrong_types_are_422(client, user):
    missing = assert_problem(client.post("/api/v1/tokens", json={}), 422)
    typed = assert_problem(create(client, name=5), 422)

    assert set(missing["errors"]) == {"username", "password"}
    assert typed["errors"] == {"name": "Send the name as a JSON string."}


def test_a_name_too_long_is_422(client, user):
    body = assert_problem(create(client, name="x" * 101), 422)
    assert body["errors"] == {"name": "Use at most 100 characters for the name."}


def test_five_wrong_passwords_then_429_even_with_the_right_one(client, user):
    for _ in range(throttle.LOGIN.count):
        assert_problem(create(client, password="guess"), 401)

    blocked = create(client)

    body = assert_problem(blocked, 429)
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    assert "Too many failed attempts" in body["detail"]


def test_throttling_counts_per_client_address(app, client, user):
    for _ in range(throttle.LOGIN.count):
        create(client, password="guess")

    elsewhere = app.test_client().post(
        "/api/v1/tokens",
        json={"username": "alice", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )

    assert elsewhere.status_code == 201


def test_the_log_in_page_and_the_api_share_the_count(client, user):
    for _ in range(throttle.LOGIN.count):
        create(client, password="guess")

    page = log_in(client, "alice", PASSWORD)

    assert page.status_code == 429
    assert "Too many failed attempts" in page.get_data(as_text=True)


def test_throttling_expires_after_the_window(app, client, user, time_machine):
    for _ in range(throttle.LOGIN.count):
        create(client, password="guess")
    assert create(client).status_code == 429

    time_machine.move_to(clock.now() + throttle.LOGIN.window)

    assert create(client).status_code == 201


def test_a_revoked_token_stops_working_at_once(api):
    token_id = api.get("/api/v1/tokens").get_json()["items"][0]["id"]

    assert api.delete(f"/api/v1/tokens/{token_id}").status_code == 204

    assert_problem(api.get("/api/v1/expenses"), 401)


def test_another_users_token_cannot_be_revoked(api, other_api):
    theirs = other_api.get("/api/v1/tokens").get_json()["items"][0]["id"]

    assert_problem(api.delete(f"/api/v1/tokens/{theirs}"), 404)
    assert other_api.get("/api/v1/expenses").status_code == 200


@pytest.mark.parametrize("token_id", [0, 2**31])
def test_a_token_that_cannot_exist_is_404_to_revoke(api, token_id):
    assert_problem(api.delete(f"/api/v1/tokens/{token_id}"), 404)
    assert api.get("/api/v1/expenses").status_code == 200


def test_missing_wrong_and_malformed_tokens_are_401(client, api):
    for headers in (
        {},
        {"Authorization": "Bearer et_not-a-real-token"},
        {"Authorization": "Bearer"},
        {"Authorization": f"Basic {api.token}"},
        {"Authorization": "Bearer " + "x" * 5000},
    ):
        response = client.get("/api/v1/expenses", headers=headers)
        assert_problem(response, 401)
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_the_session_cookie_is_never_accepted(auth_client):
    assert auth_client.get("/").status_code == 200  # logged in on the pages

    assert_problem(auth_client.get("/api/v1/expenses"), 401)
    assert_problem(
        auth_client.post("/api/v1/expenses", json={"amount": "1", "category": "Food"}), 401
    )


def test_last_used_is_recorded(api):
    [token] = api.get("/api/v1/tokens").get_json()["items"]

    assert token["last_used_at"] is not None
    assert token["created_at"].endswith("+00:00")


# Two-factor authentication


@pytest.fixture
def two_factor_secret(app, user, time_machine):
    """Turn two-factor on for `user` a minute ago; the clock is stopped at now."""
    now = clock.now()
    time_machine.move_to(now, tick=False)
    before = now - dt.timedelta(minutes=1)
    with app.app_context():
        secret = two_factor.new_secret()
        two_factor.enable(
            user.id,
            secret,
            pyotp.TOTP(secret).at(before),
            now=before,
            password=user.password,
            address="192.0.2.9",
        )
    return secret, now


def test_an_account_with_two_factor_needs_the_code_too(client, user, two_factor_secret):
    body = assert_problem(create(client), 401)

    assert body["detail"] == (
        "This account uses two-factor authentication: send the current code as otp."
    )


def test_the_password_and_the_current_code_get_a_token(client, user, two_factor_secret):
    secret, now = two_factor_secret

    response = create(client, otp=pyotp.TOTP(secret).at(now))

    assert response.status_code == 201 and response.get_json()["token"].startswith("et_")


def test_a_code_gets_one_token_only(client, user, two_factor_secret):
    secret, now = two_factor_secret
    code = pyotp.TOTP(secret).at(now)
    assert create(client, otp=code).status_code == 201

    body = assert_problem(create(client, otp=code), 401)

    assert body["detail"] == "Incorrect username, password or code."


def test_a_wrong_code_and_a_wrong_password_with_a_code_get_one_message(
    client, user, two_factor_secret
):
    secret, now = two_factor_secret

    wrong_code = assert_problem(create(client, otp="000000x"), 401)
    wrong_password = assert_problem(create(client, password="guess", otp="123456"), 401)
    unknown = assert_problem(create(client, username="nobody", otp="123456"), 401)

    assert wrong_code["detail"] == wrong_password["detail"] == unknown["detail"]
    assert wrong_code["detail"] == "Incorrect username, password or code."


def test_missing_and_wrong_codes_count_towards_throttling(client, user, two_factor_secret):
    secret, now = two_factor_secret
    for attempt in range(throttle.LOGIN.count):
        assert_problem(create(client, otp="999999x") if attempt % 2 else create(client), 401)

    blocked = create(client, otp=pyotp.TOTP(secret).at(now))

    assert_problem(blocked, 429)


def test_an_account_without_two_factor_ignores_a_code(client, user):
    assert create(client, otp="123456").status_code == 201


def test_the_otp_field_is_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schema = spec["components"]["schemas"]["TokenRequest"]["properties"]["otp"]

    assert schema["type"] == "string" and "two-factor" in schema["description"]


# Expiry


def test_a_token_expires_after_ninety_days_unless_asked_otherwise(client, user, time_machine):
    time_machine.move_to(clock.now(), tick=False)
    body = create(client).get_json()

    assert dt.datetime.fromisoformat(body["expires_at"]) == clock.now() + dt.timedelta(days=90)


@pytest.mark.parametrize("days", [30, 90, 365])
def test_the_expiry_is_chosen_in_days(client, user, time_machine, days):
    time_machine.move_to(clock.now(), tick=False)
    body = create(client, expires_in_days=days).get_json()

    assert dt.datetime.fromisoformat(body["expires_at"]) == clock.now() + dt.timedelta(days=days)


def test_null_asks_for_a_token_that_never_expires(client, user, time_machine):
    body = create(client, expires_in_days=None).get_json()

    time_machine.move_to(clock.now() + dt.timedelta(days=3650))
    assert body["expires_at"] is None
    assert ApiClient(client, body["token"]).get("/api/v1/tokens").status_code == 200


# A number past 40 digits is refused earlier, by the JSON loader (api/test_hostile_input.py).
@pytest.mark.parametrize("days", [0, 7, 91, "90", True, 10**39])
def test_other_expiries_are_422(client, user, days):
    body = assert_problem(create(client, expires_in_days=days), 422)

    assert set(body["errors"]) == {"expires_in_days"}


def test_an_expired_token_is_401_and_listed_as_expired(client, user, time_machine):
    time_machine.move_to(clock.now(), tick=False)
    short = create(client, name="Short", expires_in_days=30).get_json()["token"]
    lasting = create(client, name="Lasting", expires_in_days=None).get_json()["token"]

    time_machine.move_to(clock.now() + dt.timedelta(days=30), tick=False)

    body = assert_problem(ApiClient(client, short).get("/api/v1/expenses"), 401)
    assert "expired" in body["detail"]
    listed = ApiClient(client, lasting).get("/api/v1/tokens").get_json()["items"]
    assert {t["name"]: t["expired"] for t in listed} == {"Short": True, "Lasting": False}


def test_the_expiry_is_documented(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    request = schemas["TokenRequest"]["properties"]["expires_in_days"]

    assert request["enum"][:3] == [30, 90, 365] and request["default"] == 90
    assert "never" in request["description"]
    for name in ("TokenCreated", "Token"):
        assert "expires_at" in schemas[name]["required"]

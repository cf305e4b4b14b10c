"""Who may register, through the pages: the REGISTRATION modes, invitations, reset links."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select

from expense_tracker.extensions import db
from expense_tracker.models import User
from expense_tracker.services import access, invitations

from ..factories import PASSWORD
from ..helpers import csrf_token, log_in, post_form, text

LINK = re.compile(r'id="new-invitation-link"[^>]*value="([^"]+)"')
NEW_PASSWORD = "a brand new passphrase"


def registration(app, mode: str) -> None:
    app.config["REGISTRATION"] = mode


def register(client, url: str, username: str = "carol", confirm: str = PASSWORD):
    fields = {"username": username, "password": PASSWORD, "confirm_password": confirm}
    return post_form(client, url, fields, token_page=url)


def make_invitation(auth_client) -> str:
    response = post_form(auth_client, "/settings/invitations", {}, token_page="/settings")
    assert response.status_code == 201, text(response)
    return LINK.search(text(response)).group(1)


def path_of(link: str) -> str:
    return link.removeprefix("http://localhost")


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


# What each mode offers --------------------------------------------------------------------------


def test_open_registration_offers_register_everywhere(app, client):
    registration(app, "open")

    for page in ("/", "/auth/login"):
        assert 'href="/auth/register"' in text(client.get(page))
    assert client.get("/auth/register").status_code == 200


@pytest.mark.parametrize(
    ("mode", "message"),
    [("invite", "by invitation only"), ("closed", "does not take new accounts")],
)
def test_without_open_registration_no_page_offers_register_and_it_is_refused(
    app, client, mode, message
):
    registration(app, mode)
    token = csrf_token(client, "/auth/login")

    pages = [text(client.get(page)) for page in ("/", "/auth/login")]
    shown = client.get("/auth/register")
    posted = client.post(
        "/auth/register",
        data={"username": "carol", "password": PASSWORD, "confirm_password": PASSWORD}
        | {"csrf_token": token},
    )

    assert all("/auth/register" not in page for page in pages)
    assert shown.status_code == 403 and message in text(shown)
    assert posted.status_code == 403 and count_users(app) == 0


# Invitations from Settings ----------------------------------------------------------------------


def test_settings_shows_invitations_only_when_registration_is_by_invitation(app, auth_client):
    registration(app, "open")
    assert "Invitations</h2>" not in text(auth_client.get("/settings"))
    refused = post_form(auth_client, "/settings/invitations", {}, token_page="/settings")
    assert refused.status_code == 403

    registration(app, "invite")
    assert "Invitations</h2>" in text(auth_client.get("/settings"))


def test_an_invitation_link_lets_one_person_register_once(app, auth_client):
    registration(app, "invite")
    link = make_invitation(auth_client)
    visitor = app.test_client()

    page = visitor.get(path_of(link))
    registered = register(visitor, path_of(link))
    dashboard = text(visitor.get("/"))
    again = app.test_client().get(path_of(link))

    assert link.startswith("/auth/register/")  # no BASE_URL nor TRUSTED_HOSTS: a path
    assert page.status_code == 200 and "You have been invited" in text(page)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert registered.status_code == 302
    assert "carol" in dashboard
    assert again.status_code == 404 and "cannot be used" in text(again)
    assert "You have no unused invitations." in text(auth_client.get("/settings"))


def test_a_wrong_field_on_the_invitation_form_keeps_the_link_usable(app, auth_client):
    registration(app, "invite")
    link = path_of(make_invitation(auth_client))
    visitor = app.test_client()

    refused = register(visitor, link, confirm="something else")
    accepted = register(visitor, link)

    assert refused.status_code == 400 and "do not match" in text(refused)
    assert accepted.status_code == 302


def test_new_invitations_are_listed_and_can_be_revoked(app, auth_client):
    registration(app, "invite")
    link = path_of(make_invitation(auth_client))
    page = text(auth_client.get("/settings"))
    revoke = re.search(r'action="(/settings/invitations/\d+/revoke)"', page).group(1)

    revoked = post_form(auth_client, revoke, {}, token_page="/settings")

    assert revoked.status_code == 302
    assert "You have no unused invitations." in text(auth_client.get("/settings"))
    assert app.test_client().get(link).status_code == 404


def test_another_users_invitation_cannot_be_revoked(app, auth_client, other_user):
    registration(app, "invite")
    make_invitation(auth_client)
    bob = app.test_client()
    log_in(bob, other_user.username, other_user.password)

    response = post_form(bob, "/settings/invitations/1/revoke", {}, token_page="/settings")

    assert response.status_code == 404
    assert "Revoke" in text(auth_client.get("/settings"))


def test_too_many_unused_invitations_are_refused_with_a_message(app, auth_client):
    registration(app, "invite")
    for _ in range(invitations.OPEN_INVITATIONS_MAX):
        make_invitation(auth_client)

    response = post_form(auth_client, "/settings/invitations", {}, token_page="/settings")

    assert response.status_code == 400
    assert "unused invitations already" in text(response)


@pytest.mark.parametrize("secret", ["nonsense", "x" * 300, "%ED%A0%80"])
def test_an_unknown_invitation_link_says_it_cannot_be_used(app, client, secret):
    registration(app, "invite")

    response = client.get(f"/auth/register/{secret}")

    assert response.status_code == 404 and "cannot be used" in text(response)


def test_an_invitation_link_does_not_work_once_registration_is_closed(app, auth_client):
    registration(app, "invite")
    link = path_of(make_invitation(auth_client))
    registration(app, "closed")

    response = app.test_client().get(link)

    assert response.status_code == 403 and "does not take new accounts" in text(response)


@pytest.mark.both_databases
def test_people_sending_one_invitation_at_once_make_exactly_one_account(app, auth_client):
    registration(app, "invite")
    link = path_of(make_invitation(auth_client))
    people = 4
    visitors = [app.test_client() for _ in range(people)]
    tokens = [csrf_token(visitor, link) for visitor in visitors]
    barrier = threading.Barrier(people)
    statuses: list[int] = []

    def send(n: int) -> None:
        fields = {"username": f"person{n}", "password": PASSWORD, "confirm_password": PASSWORD}
        barrier.wait()
        response = visitors[n].post(link, data={**fields, "csrf_token": tokens[n]})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [302] + [404] * (people - 1)
    assert count_users(app) == 2


# Disabled accounts and reset links --------------------------------------------------------------


def test_a_disabled_account_is_logged_out_and_refused_like_a_wrong_password(app, auth_client, user):
    with app.app_context():
        access.disable_account(user.username)
    stranger = app.test_client()

    kicked_out = auth_client.get("/settings")
    disabled = log_in(app.test_client(), user.username, user.password)
    wrong = log_in(stranger, user.username, "not the password")

    assert kicked_out.status_code == 302 and "/auth/login" in kicked_out.headers["Location"]
    assert disabled.status_code == wrong.status_code == 400
    for response in (disabled, wrong):
        assert "Incorrect username or password." in text(response)
        assert "disabled" not in text(response).lower()


def test_a_disabled_account_gets_no_api_token(app, client, user):
    with app.app_context():
        access.disable_account(user.username)

    response = client.post(
        "/api/v1/tokens", json={"username": user.username, "password": user.password}
    )

    assert response.status_code == 401
    assert response.get_json()["detail"] == "Incorrect username or password."


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(app, auth_client, user):
    with app.app_context():
        secret = access.create_password_reset(user.username)
    link = f"/auth/reset/{secret}"
    visitor = app.test_client()

    page = visitor.get(link)
    refused = post_form(
        visitor, link, {"new_password": "short", "confirm_new_password": "short"}, token_page=link
    )
    done = post_form(
        visitor,
        link,
        {"new_password": NEW_PASSWORD, "confirm_new_password": NEW_PASSWORD},
        token_page=link,
    )

    assert page.status_code == 200 and user.username in text(page)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert refused.status_code == 400
    assert done.status_code == 302 and done.headers["Location"] == "/auth/login"
    assert auth_client.get("/settings").status_code == 302
    assert log_in(app.test_client(), user.username, NEW_PASSWORD).status_code == 302
    assert log_in(app.test_client(), user.username, user.password).status_code == 400
    reused = visitor.get(link)
    assert reused.status_code == 404 and "cannot be used" in text(reused)


def test_a_reset_link_used_meanwhile_cannot_be_used_again(app, user):
    with app.app_context():
        secret = access.create_password_reset(user.username)
    link = f"/auth/reset/{secret}"
    fields = {"new_password": NEW_PASSWORD, "confirm_new_password": NEW_PASSWORD}
    slow, quick = app.test_client(), app.test_client()
    token = csrf_token(slow, link)

    post_form(quick, link, fields, token_page=link)
    late = slow.post(link, data={**fields, "csrf_token": token})

    assert late.status_code == 404 and "cannot be used" in text(late)


def test_resetting_the_password_while_logged_in_logs_out(app, auth_client, user):
    with app.app_context():
        secret = access.create_password_reset(user.username)
    link = f"/auth/reset/{secret}"
    fields = {"new_password": NEW_PASSWORD, "confirm_new_password": NEW_PASSWORD}

    done = post_form(auth_client, link, fields, token_page=link)

    page = text(auth_client.get("/auth/login"))

    assert done.status_code == 302
    assert "Your new password is set" in page and "Log out" not in page
    assert auth_client.get("/settings").status_code == 302


# An invitation link is copied and sent: it may name only a host the server was told of.


def invitation_asked_for_on(auth_client, host: str) -> str:
    """The link made by a request whose Host header says `host` (the client's to choose)."""
    token = csrf_token(auth_client, "/settings")
    auth_client.set_cookie("session", auth_client.get_cookie("session").value, domain=host)
    response = auth_client.post(
        "/settings/invitations", data={"csrf_token": token}, base_url=f"http://{host}"
    )
    assert response.status_code == 201, text(response)
    return LINK.search(text(response)).group(1)


def test_a_forged_host_never_ends_up_in_an_invitation_link(app, auth_client):
    registration(app, "invite")

    link = invitation_asked_for_on(auth_client, "evil.example")

    assert "evil.example" not in link
    assert link.startswith("/auth/register/")


def test_with_a_base_url_the_invitation_link_is_whole_on_it(app, auth_client):
    registration(app, "invite")
    app.config["BASE_URL"] = "https://expenses.example.org/money"

    link = invitation_asked_for_on(auth_client, "evil.example")

    assert link.startswith("https://expenses.example.org/money/auth/register/")


def test_with_trusted_hosts_the_invitation_link_is_whole_on_the_requested_host(app, auth_client):
    registration(app, "invite")
    app.config["TRUSTED_HOSTS"] = ["localhost", "expenses.example.org"]

    link = invitation_asked_for_on(auth_client, "expenses.example.org")

    assert link.startswith("http://expenses.example.org/auth/register/")

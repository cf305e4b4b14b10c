"""The settings page: create, list and revoke API tokens."""

from __future__ import annotations

import re

from ..helpers import csrf_token, post_form, text

SECRET = re.compile(r'id="new-token-secret"[^>]*value="(et_[^"]+)"')


def create_token(client, name: str = "Laptop script"):
    return post_form(client, "/settings/tokens", {"name": name}, token_page="/settings")


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
    response = auth_client.post("/settings/tokens", data={"name": "x"})
    assert response.status_code == 400
    assert "You have no tokens yet." in text(auth_client.get("/settings"))

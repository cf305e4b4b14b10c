"""Account pages: register, log in, log out, and who may see what."""

import pytest

from ..factories import PASSWORD, make_user
from ..helpers import csrf_token, log_in, post_form, text


def register(client, username="carol", password=PASSWORD, confirm=None):
    return post_form(
        client,
        "/auth/register",
        {
            "username": username,
            "password": password,
            "confirm_password": password if confirm is None else confirm,
        },
        token_page="/auth/register",
    )


def test_home_page_for_visitors_explains_and_offers_register_and_log_in(client):
    response = client.get("/")

    assert response.status_code == 200
    page = text(response)
    assert "Know where your money goes." in page
    assert 'href="/auth/register"' in page
    assert 'href="/auth/login"' in page


def test_register_page_has_the_labelled_fields(client):
    page = text(client.get("/auth/register"))

    for label in ("Username", "Password", "Confirm password"):
        assert f">{label}</label>" in page
    assert "Create account</button>" in page


def test_registering_logs_the_new_user_in(client):
    response = register(client)

    assert response.status_code == 302
    assert response.headers["Location"] == "/welcome"  # the first-run step, then the dashboard
    assert "Welcome, carol! Your account is ready." in text(client.get("/welcome"))
    assert "Add expense" in text(client.get("/"))


def test_registering_with_bad_input_shows_messages_beside_fields_and_keeps_username(client):
    response = register(client, username="carol", password="short", confirm="short")

    assert response.status_code == 400
    page = text(response)
    assert 'id="password-error"' in page
    assert "Use at least 8 characters." in page
    assert 'value="carol"' in page
    assert 'aria-invalid="true"' in page


def test_registering_a_taken_username_in_other_case_is_refused(app, client):
    with app.app_context():
        make_user("Carol")

    response = register(client, username="CAROL")

    assert response.status_code == 400
    assert "That username is taken." in text(response)


def test_log_in_lands_on_the_dashboard(client, user):
    response = log_in(client, "alice", PASSWORD)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Your expenses" in text(client.get("/"))


@pytest.mark.parametrize(
    ("username", "password"), [("alice", "wrong password"), ("nobody", PASSWORD)]
)
def test_wrong_credentials_get_one_generic_message(client, user, username, password):
    response = log_in(client, username, password)

    assert response.status_code == 400
    page = text(response)
    assert "Incorrect username or password." in page
    assert "Your expenses" not in text(client.get("/"))


def test_log_in_follows_a_local_next_path(client, user):
    response = log_in(client, "alice", PASSWORD, next_url="/expenses/1/edit")

    assert response.headers["Location"] == "/expenses/1/edit"


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "/%09/evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_log_in_ignores_a_next_that_leaves_the_site(client, user, next_url):
    response = log_in(client, "alice", PASSWORD, next_url=next_url)

    assert response.headers["Location"] == "/"


def test_private_pages_send_visitors_to_log_in(client):
    response = client.get("/expenses/1/edit")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_log_out_is_a_post(auth_client):
    assert auth_client.get("/auth/logout").status_code == 405

    response = post_form(auth_client, "/auth/logout", {})

    assert response.status_code == 302
    page = text(auth_client.get("/"))
    assert "You have logged out." in page
    assert "Know where your money goes." in page


def test_forms_without_a_csrf_token_are_refused(client, user):
    response = client.post("/auth/login", data={"username": "alice", "password": PASSWORD})

    assert response.status_code == 400
    assert "This form has expired" in text(response)
    assert "Your expenses" not in text(client.get("/"))


def test_a_logged_in_user_visiting_log_in_goes_to_the_dashboard(auth_client):
    assert auth_client.get("/auth/login").headers["Location"] == "/"
    assert auth_client.get("/auth/register").headers["Location"] == "/"


def test_csrf_token_is_rendered_on_the_log_in_form(client):
    assert csrf_token(client, "/auth/login")

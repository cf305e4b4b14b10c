"""The operator's account commands: create-user, invite, disable-user, enable-user, reset links."""

from __future__ import annotations

import re

import pytest

from .factories import PASSWORD
from .helpers import log_in, post_form, text

NEW_PASSWORD = "a brand new passphrase"


def path_in(output: str, prefix: str) -> str:
    match = re.search(rf"(?:https?://\S+?)?({re.escape(prefix)}[A-Za-z0-9_-]+)", output)
    assert match, output
    return match.group(1)


@pytest.mark.parametrize("mode", ["open", "invite", "closed"])
def test_create_user_makes_an_account_whatever_registration_says(app, runner, client, mode):
    app.config["REGISTRATION"] = mode

    result = runner.invoke(args=["create-user", "carol"], input=f"{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert "Created the account 'carol'." in result.output
    assert log_in(client, "carol", PASSWORD).status_code == 302


def test_create_user_reports_what_is_wrong(app, runner, user):
    taken = runner.invoke(args=["create-user", "ALICE", "--password", PASSWORD])
    weak = runner.invoke(args=["create-user", "carol", "--password", "short"])

    assert taken.exit_code == 1 and "That username is taken" in taken.output
    assert weak.exit_code == 1 and "8 characters" in weak.output


def test_invite_prints_a_link_that_lets_one_person_register(app, runner):
    app.config["REGISTRATION"] = "invite"

    result = runner.invoke(args=["invite", "--days", "2", "--base-url", "https://et.example"])
    link = path_in(result.output, "/auth/register/")
    first, second = app.test_client(), app.test_client()
    fields = {"username": "carol", "password": PASSWORD, "confirm_password": PASSWORD}

    assert result.exit_code == 0, result.output
    assert "https://et.example/auth/register/" in result.output
    assert "within 2 days" in result.output
    assert post_form(first, link, fields, token_page=link).status_code == 302
    assert second.get(link).status_code == 404


def test_invite_without_a_base_url_prints_the_path(app, runner):
    app.config["REGISTRATION"] = "invite"

    result = runner.invoke(args=["invite"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("/auth/register/")


def test_invite_prints_a_whole_link_on_the_base_url_setting(app, runner):
    app.config["REGISTRATION"] = "invite"
    app.config["BASE_URL"] = "https://expenses.example.org"
    app.config["TRUSTED_HOSTS"] = ["evil.example"]

    result = runner.invoke(args=["invite"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("https://expenses.example.org/auth/register/")


def test_invite_with_trusted_hosts_alone_prints_the_path(app, runner):
    app.config["REGISTRATION"] = "invite"
    app.config["TRUSTED_HOSTS"] = ["expenses.example.org"]

    result = runner.invoke(args=["invite"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("/auth/register/")


def test_a_base_url_that_is_no_address_is_refused(app, runner):
    app.config["REGISTRATION"] = "invite"

    result = runner.invoke(args=["invite", "--base-url", "expenses.example.org"])

    assert result.exit_code == 2
    assert "BASE_URL must be this server's address" in result.output


def test_invite_is_refused_when_registration_is_closed(app, runner):
    app.config["REGISTRATION"] = "closed"

    result = runner.invoke(args=["invite"])

    assert result.exit_code == 1
    assert "REGISTRATION is closed" in result.output
    assert "/auth/register/" not in result.output


def test_disable_user_ends_sessions_and_tokens_and_enable_user_lets_it_back(
    app, runner, auth_client, user
):
    token = auth_client.post(
        "/api/v1/tokens", json={"username": user.username, "password": user.password}
    ).get_json()["token"]
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}

    disabled = runner.invoke(args=["disable-user", user.username])
    again = runner.invoke(args=["disable-user", user.username])

    assert disabled.exit_code == 0, disabled.output
    assert "ended 1 session and 1 API token" in disabled.output
    assert "was disabled already" in again.output
    assert auth_client.get("/settings").status_code == 302
    assert api.get("/api/v1/expenses", headers=bearer).status_code == 401
    assert log_in(app.test_client(), user.username, user.password).status_code == 400

    enabled = runner.invoke(args=["enable-user", user.username])

    assert enabled.exit_code == 0 and "can log in again" in enabled.output
    assert log_in(app.test_client(), user.username, user.password).status_code == 302
    assert api.get("/api/v1/expenses", headers=bearer).status_code == 401
    assert "was not disabled" in runner.invoke(args=["enable-user", user.username]).output


@pytest.mark.parametrize("command", ["disable-user", "enable-user", "reset-password-link"])
def test_account_commands_name_an_unknown_user(app, runner, command):
    result = runner.invoke(args=[command, "nobody"])

    assert result.exit_code == 1
    assert "There is no user named 'nobody'." in result.output


def test_reset_password_link_sets_a_new_password_once(app, runner, auth_client, user):
    result = runner.invoke(args=["reset-password-link", user.username, "--hours", "1"])
    link = path_in(result.output, "/auth/reset/")
    visitor = app.test_client()
    fields = {"new_password": NEW_PASSWORD, "confirm_new_password": NEW_PASSWORD}

    done = post_form(visitor, link, fields, token_page=link)

    assert result.exit_code == 0, result.output
    assert "within 1 hour." in result.output
    assert done.status_code == 302
    assert auth_client.get("/settings").status_code == 302
    assert log_in(app.test_client(), user.username, NEW_PASSWORD).status_code == 302
    assert "cannot be used" in text(visitor.get(link))


def test_no_reset_link_for_a_disabled_account(app, runner, user):
    runner.invoke(args=["disable-user", user.username])

    result = runner.invoke(args=["reset-password-link", user.username])

    assert result.exit_code == 1
    assert "is disabled; enable it first" in result.output


def test_the_operators_account_commands_are_audited(app, runner, user, audit_lines):
    app.config["REGISTRATION"] = "invite"

    runner.invoke(args=["create-user", "carol", "--password", PASSWORD])
    runner.invoke(args=["invite"])
    runner.invoke(args=["reset-password-link", user.username])
    runner.invoke(args=["disable-user", user.username])
    runner.invoke(args=["enable-user", user.username])

    events = [line.split()[0] for line in audit_lines()]
    assert events == [
        "register.succeeded",
        "invitation.created",
        "password_reset.created",
        "account.disabled",
        "account.enabled",
    ]

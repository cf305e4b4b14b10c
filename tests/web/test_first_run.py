"""The first-run step through the pages: shown once after registering, saved or skipped."""

from __future__ import annotations

import re

import pytest

from expense_tracker.extensions import db
from expense_tracker.models import User

from ..factories import PASSWORD
from ..helpers import post_form, text

SELECTED = re.compile(r'<option value="([^"]+)" selected>')


def register(client, username="carol", language="en-US,en;q=0.9"):
    return post_form(
        client,
        "/auth/register",
        {"username": username, "password": PASSWORD, "confirm_password": PASSWORD},
        token_page="/auth/register",
        headers={"Accept-Language": language},
    )


def stored(app, username="carol") -> User:
    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(username=username))
        db.session.expunge(user)
        return user


def test_registering_leads_to_the_first_run_step(client):
    response = register(client)

    assert response.status_code == 302 and response.headers["Location"] == "/welcome"
    page = text(client.get("/welcome"))
    assert "Welcome, carol! Your account is ready." in page
    assert "<h1>How should amounts look?</h1>" in page
    assert ">Save and continue</button>" in page and ">Skip for now</button>" in page


@pytest.mark.parametrize(
    ("language", "currency", "locale"),
    [
        ("de-DE,de;q=0.9,en;q=0.5", "EUR", "de_DE"),
        ("en-GB", "GBP", "en_GB"),
        ("ja", "JPY", "ja_JP"),
    ],
)
def test_the_browsers_language_picks_the_currency_and_number_format(
    client, language, currency, locale
):
    register(client)

    page = text(client.get("/welcome", headers={"Accept-Language": language}))

    assert SELECTED.findall(page) == [currency, locale]
    assert re.search(r'id="then-dashboard"[^>]* checked', page)


def test_a_hostile_accept_language_gets_the_defaults_not_a_500(client):
    register(client)

    page = client.get("/welcome", headers={"Accept-Language": "\x00;q=x,💥-💥,*;q=0.1" * 50})

    assert page.status_code == 200
    assert SELECTED.findall(text(page))[:2] == ["EUR", "en_IE"]


@pytest.mark.parametrize(
    ("then", "location"),
    [("dashboard", "/"), ("budget", "/budgets"), ("recurring", "/recurring"), ("elsewhere", "/")],
)
def test_saving_stores_the_choices_and_goes_on_to_the_chosen_next_step(app, client, then, location):
    register(client)

    response = post_form(
        client,
        "/welcome",
        {"currency": "CHF", "locale": "de_CH", "then": then},
        token_page="/welcome",
    )

    assert response.status_code == 302 and response.headers["Location"] == location
    user = stored(app)
    assert (user.currency, user.locale) == ("CHF", "de_CH") and user.welcomed_at is not None


def test_a_choice_not_offered_is_shown_beside_its_field(app, client):
    register(client)

    response = post_form(
        client, "/welcome", {"currency": "XXX", "locale": "de_DE"}, token_page="/welcome"
    )

    assert response.status_code == 400
    assert re.search(r'id="currency-error">Choose a currency from the list.<', text(response))
    assert stored(app).welcomed_at is None


def test_skipping_keeps_the_defaults_and_goes_to_the_dashboard(app, client):
    register(client)

    response = post_form(client, "/welcome/skip", {}, token_page="/welcome")

    assert response.status_code == 302 and response.headers["Location"] == "/"
    user = stored(app)
    assert (user.currency, user.locale) == (None, None) and user.welcomed_at is not None
    assert "Add expense" in text(client.get("/"))


@pytest.mark.parametrize("how", ["saved", "skipped"])
def test_the_step_is_not_shown_again_once_saved_or_skipped(client, how):
    register(client)
    if how == "saved":
        post_form(client, "/welcome", {"currency": "EUR", "locale": "en_IE"}, token_page="/welcome")
    else:
        post_form(client, "/welcome/skip", {}, token_page="/welcome")

    again = client.get("/welcome")
    resent = post_form(client, "/welcome", {"currency": "USD", "locale": "en_US"}, token_page="/")

    assert again.status_code == 302 and again.headers["Location"] == "/"
    assert resent.status_code == 302 and resent.headers["Location"] == "/"


def test_an_existing_account_is_not_sent_there_at_log_in(app, client, user):
    with app.app_context():
        db.session.get(User, user.id).welcomed_at = db.func.now()
        db.session.commit()

    response = post_form(
        client,
        "/auth/login",
        {"username": user.username, "password": user.password},
        token_page="/auth/login",
    )

    assert response.headers["Location"] == "/"
    assert client.get("/welcome").headers["Location"] == "/"


def test_the_step_needs_a_log_in(client):
    response = client.get("/welcome")

    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]

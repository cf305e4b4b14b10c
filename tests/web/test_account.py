"""Your data and your account: download everything as JSON, delete everything."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import func, select

from expense_tracker.extensions import db
from expense_tracker.models import (
    ApiToken,
    Budget,
    Category,
    Expense,
    MonthlyTotal,
    RecurringExpense,
    RecurringOccurrence,
    User,
    UserSession,
)
from expense_tracker.services import budgets, recurring, tokens

from ..factories import PASSWORD
from ..helpers import log_in, post_form, text


def delete_account(client, password=PASSWORD):
    return post_form(
        client,
        "/settings/delete-account",
        {"delete-password": password},
        token_page="/settings",
    )


def test_download_holds_everything_of_mine_and_no_secrets(
    app, auth_client, user, other_user, add_expense
):
    add_expense(user, amount="12.50", category="Food", date="2026-01-02", description="Lunch")
    add_expense(user, amount="3", category="Travel", date="2026-01-01", description="=1+1")
    add_expense(other_user, description="Not mine")
    with app.app_context():
        tokens.create_token(user.id, "Phone")
        budgets.replace_budgets(user.id, "900", {"Food": "300"})
        recurring.create_recurring(
            user.id,
            {
                "amount": "950",
                "category": "Housing",
                "description": "Rent",
                "frequency": "monthly",
                "start_date": "2099-01-31",
            },
            dt.date(2026, 11, 24),
        )

    response = auth_client.get("/settings/data.json")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="expense-tracker-alice-'
    )
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["username"] == "alice" and data["account"]["two_factor"] is False
    assert data["account"]["created_at"].endswith("+00:00")
    assert data["categories"] == ["Food", "Housing", "Travel"]
    assert data["category_colors"] == {"Food": "Teal", "Travel": "Amber", "Housing": "Violet"}
    assert data["budgets"] == [
        {"category": None, "amount": "900.00"},
        {"category": "Food", "amount": "300.00"},
    ]
    assert data["recurring_expenses"] == [
        {
            "amount": "950.00",
            "category": "Housing",
            "description": "Rent",
            "frequency": "monthly",
            "day_of_month": None,
            "start_date": "2099-01-31",
            "end_date": None,
            "paused": False,
            "next_due": "2099-01-31",
        }
    ]
    assert data["imports"] == []
    assert [t["name"] for t in data["api_tokens"]] == ["Phone"]
    assert [
        (e["date"], e["amount"], e["category"], e["description"]) for e in data["expenses"]
    ] == [
        ("2026-01-01", "3.00", "Travel", "=1+1"),
        ("2026-01-02", "12.50", "Food", "Lunch"),
    ]
    raw = response.get_data(as_text=True)
    assert "Not mine" not in raw and "argon2" not in raw and "digest" not in raw


def test_deleting_the_account_removes_everything_of_mine_only(
    app, auth_client, user, other_user, add_expense
):
    add_expense(user)
    add_expense(other_user, description="Theirs")
    with app.app_context():
        tokens.create_token(user.id, "Phone")
        budgets.replace_budgets(user.id, "900", {"Food": "300"})
        recurring.create_recurring(
            user.id,
            {
                "amount": "950",
                "category": "Housing",
                "frequency": "weekly",
                "start_date": "2026-11-01",
            },
            dt.date(2026, 11, 24),
        )

    response = delete_account(auth_client)

    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Your account and everything in it have been deleted." in text(auth_client.get("/"))
    with app.app_context():
        for model in (
            Expense,
            Category,
            MonthlyTotal,
            ApiToken,
            UserSession,
            Budget,
            RecurringExpense,
        ):
            mine = db.session.scalar(
                select(func.count()).select_from(model).where(model.user_id == user.id)
            )
            assert mine == 0, model.__name__
        assert db.session.get(User, user.id) is None
        assert db.session.scalar(select(func.count()).select_from(RecurringOccurrence)) == 0
        assert db.session.scalar(select(Expense.description)) == "Theirs"


def test_a_deleted_account_cannot_log_in_and_its_other_sessions_end(app, user, auth_client):
    elsewhere = app.test_client()
    log_in(elsewhere, user.username, user.password)

    delete_account(auth_client)

    assert elsewhere.get("/settings").status_code == 302
    assert log_in(app.test_client(), user.username, user.password).status_code == 400


def test_a_wrong_password_deletes_nothing_and_says_so_beside_the_field(
    app, user, auth_client, add_expense
):
    add_expense(user)

    response = delete_account(auth_client, password="not my password")

    assert response.status_code == 400
    assert 'id="delete-password-error">That is not your password.<' in text(response)
    with app.app_context():
        assert db.session.get(User, user.id) is not None
        assert db.session.scalar(select(func.count()).select_from(Expense)) == 1


def test_wrong_passwords_on_the_delete_form_are_throttled(user, auth_client):
    for _ in range(5):
        assert delete_account(auth_client, password="guess").status_code == 400

    assert delete_account(auth_client).status_code == 429


def test_deleting_needs_the_csrf_token(app, user, auth_client):
    response = auth_client.post("/settings/delete-account", data={"delete-password": PASSWORD})

    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(User, user.id) is not None

"""The Preferences form in Settings, and pages, forms and exports in the chosen convention."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import expense_tracker
from expense_tracker.extensions import db
from expense_tracker.models import Expense, User

from ..helpers import csrf_token, post_form, text

GERMAN = {"currency": "EUR", "locale": "de_DE", "theme": "dark"}


def save_preferences(client, **choices):
    data = {f"preferences-{name}": value for name, value in (GERMAN | choices).items()}
    data["preferences-csrf_token"] = csrf_token(client, "/settings")
    return client.post("/settings/preferences", data=data)


def stored(app, user) -> User:
    with app.app_context():
        found = db.session.get(User, user.id)
        db.session.expunge(found)
        return found


def test_settings_offers_currency_locale_and_theme_with_the_current_choice(auth_client):
    page = text(auth_client.get("/settings"))

    assert '<option value="EUR" selected>Euro (EUR)</option>' in page
    assert '<option value="en_IE" selected>English (Ireland)</option>' in page
    assert '<option value="de_DE">Deutsch (Deutschland)</option>' in page
    assert '<option value="system" selected>Follow the system</option>' in page
    assert "Amounts show as €1,234.56." in page


def test_saving_preferences_stores_them_and_says_so(app, auth_client, user):
    response = save_preferences(auth_client)

    assert response.status_code == 302
    assert "Your preferences have been saved." in text(auth_client.get("/settings"))
    saved = stored(app, user)
    assert (saved.currency, saved.locale, saved.theme) == ("EUR", "de_DE", "dark")


def test_a_wrong_choice_is_400_with_the_message_beside_the_field(app, auth_client, user):
    response = save_preferences(auth_client, currency="XYZ")

    assert response.status_code == 400
    assert re.search(
        r'id="preferences-currency-error">Choose a currency from the list\.<', text(response)
    )
    assert stored(app, user).locale is None


def test_preferences_need_the_form_token(app, auth_client, user):
    response = auth_client.post("/settings/preferences", data={"preferences-locale": "de_DE"})

    assert response.status_code == 400
    assert stored(app, user).locale is None


def test_the_dashboard_shows_amounts_in_the_chosen_convention(auth_client, user, add_expense):
    add_expense(user, amount="1234.56", category="Rent")
    save_preferences(auth_client)

    page = text(auth_client.get("/"))

    assert 'data-testid="total">1.234,56\u00a0€<' in page
    assert '<td data-label="Amount (€)" class="num amount">1.234,56</td>' in page
    assert "1.234,56\u00a0€ in Rent on" in page  # what the row's buttons describe
    assert '<td class="num">1.234,56\u00a0€</td>' in page  # the chart's table
    assert "In EUR, like 1.234,56 or 12,5" in page


def test_an_amount_typed_in_the_chosen_convention_is_stored(app, auth_client, user):
    save_preferences(auth_client)

    response = post_form(
        auth_client,
        "/expenses",
        {
            "date": "2026-01-02",
            "amount": "1.234,56",
            "category": "Rent",
            "new_category": "Rent",
            "description": "",
        },
    )

    assert response.status_code == 302
    assert "Added 1.234,56\u00a0€ in Rent" in text(auth_client.get("/"))
    with app.app_context():
        assert [str(e.amount) for e in db.session.query(Expense)] == ["1234.56"]


def test_an_amount_in_the_other_convention_that_can_mean_one_thing_is_taken_as_meant(
    app, auth_client
):
    save_preferences(auth_client)

    response = post_form(
        auth_client,
        "/expenses",
        {"date": "2026-01-02", "amount": "12.50", "category": "Food", "description": ""},
    )

    assert response.status_code == 302  # a group of thousands has three digits, not two
    assert "Added 12,50\u00a0€ in Food" in text(auth_client.get("/"))
    with app.app_context():
        assert [str(e.amount) for e in db.session.query(Expense)] == ["12.50"]


def test_an_amount_that_is_no_number_is_explained_beside_the_field(auth_client):
    save_preferences(auth_client)

    response = post_form(
        auth_client,
        "/expenses",
        {"date": "2026-01-02", "amount": "1.2.50", "category": "Food", "description": ""},
    )

    assert response.status_code == 400
    error = re.search(r'id="amount-error">([^<]*)<', text(response)).group(1)
    assert "Enter the amount as a number such as “12”, “12,5” or “1.234,56”." in error


def test_the_edit_form_shows_the_amount_as_the_user_types_it(auth_client, user, add_expense):
    expense_id = add_expense(user, amount="1234.5")
    save_preferences(auth_client)

    page = text(auth_client.get(f"/expenses/{expense_id}/edit"))

    assert 'value="1234,50"' in page
    response = post_form(
        auth_client,
        f"/expenses/{expense_id}/edit",
        {"date": "2026-01-02", "amount": "1234,50", "category": "Food", "description": ""},
        token_page=f"/expenses/{expense_id}/edit",
    )
    assert response.status_code == 302


def test_the_amount_filter_reads_and_shows_the_users_convention(auth_client, user, add_expense):
    add_expense(user, amount="1234.56", category="Rent")
    add_expense(user, amount="5", category="Food")
    save_preferences(auth_client)

    page = text(auth_client.get("/?min=1.000,5"))

    assert 'data-testid="total">1.234,56\u00a0€<' in page
    assert 'name="min" type="text" value="1000,50"' in page
    meant = text(auth_client.get("/?min=12.5"))  # a dot before one digit groups nothing
    assert 'name="min" type="text" value="12,50"' in meant
    assert 'data-testid="total">1.234,56\u00a0€<' in meant
    wrong = auth_client.get("/?min=1.2.5")
    assert wrong.status_code == 400 and "Enter the amount as a number" in text(wrong)


def test_a_decimal_comma_user_downloads_semicolon_csv_in_their_currency(
    auth_client, user, add_expense
):
    add_expense(user, amount="1234.56", category="Rent", date="2026-01-02")
    save_preferences(auth_client, currency="CHF")

    body = auth_client.get("/export.csv?period=all").get_data(as_text=True)

    assert body.splitlines()[:2] == [
        "\ufeffdate;amount;currency;category;description",
        "2026-01-02;1234,56;CHF;Rent;",
    ]
    data = auth_client.get("/export.json?period=all").get_json()
    assert data == [
        {"date": "2026-01-02", "amount": "1234.56", "currency": "CHF", "category": "Rent",
         "description": ""}
    ]  # fmt: skip


def test_the_api_reports_the_users_currency_with_plain_amounts(app, auth_client, user, add_expense):
    from expense_tracker.services import tokens

    add_expense(user, amount="1234.56", category="Rent", date="2026-01-02")
    save_preferences(auth_client, currency="JPY", locale="ja_JP")
    with app.app_context():
        _, secret = tokens.create_token(user.id, "script")
    api = app.test_client()

    body = api.get("/api/v1/export.csv", headers={"Authorization": f"Bearer {secret}"})

    assert body.get_data(as_text=True).splitlines()[1] == "2026-01-02,1234.56,JPY,Rent,"


@pytest.mark.parametrize(
    ("theme", "scheme"), [("dark", "dark"), ("light", "light"), ("system", "light dark")]
)
def test_pages_carry_the_chosen_theme(auth_client, theme, scheme):
    save_preferences(auth_client, theme=theme)

    page = text(auth_client.get("/settings"))

    assert f'<html lang="en" data-theme="{theme}">' in page
    assert f'<meta name="color-scheme" content="{scheme}">' in page


def test_visitors_pages_follow_the_system(client):
    page = text(client.get("/auth/login"))

    assert '<html lang="en" data-theme="system">' in page
    assert '<meta name="color-scheme" content="light dark">' in page


def test_the_forced_and_the_system_dark_colours_are_the_same():
    css = (Path(expense_tracker.__file__).parent / "static" / "style.css").read_text()
    forced = re.search(r':root\[data-theme="dark"\] \{([^}]*)\}', css).group(1)
    system = re.search(
        r"@media \(prefers-color-scheme: dark\) \{\s*:root:not\(\[data-theme=\"light\"\]\)"
        r":not\(\[data-theme=\"dark\"\]\) \{([^}]*)\}",
        css,
    ).group(1)
    declarations = [line.strip() for line in forced.strip().splitlines()]
    assert declarations and declarations == [line.strip() for line in system.strip().splitlines()]


def test_settings_shows_an_example_amount_in_the_saved_convention(auth_client):
    save_preferences(auth_client)

    assert "Amounts show as 1.234,56\u00a0€." in text(auth_client.get("/settings"))


def test_all_my_data_holds_the_preferences_and_plain_amounts(auth_client, user, add_expense):
    add_expense(user, amount="1234.5", date="2026-01-02")
    save_preferences(auth_client, currency="CHF")

    data = auth_client.get("/settings/data.json").get_json()

    assert data["account"]["preferences"] == {"currency": "CHF", "locale": "de_DE", "theme": "dark"}
    assert [(e["amount"], e["currency"]) for e in data["expenses"]] == [("1234.50", "CHF")]

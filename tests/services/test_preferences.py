"""Preferences: currency, locale and theme per user, checked against Babel's data."""

from __future__ import annotations

import pytest

from expense_tracker.errors import ValidationError
from expense_tracker.extensions import db
from expense_tracker.models import Expense, User
from expense_tracker.money import preferences_of
from expense_tracker.services import expenses, preferences, totals

from ..factories import make_expense


def test_a_new_user_follows_the_servers_currency_and_locale(user):
    stored = db.session.get(User, user.id)
    assert (stored.currency, stored.locale, stored.theme) == (None, None, "system")
    assert preferences_of(stored) == ("en_IE", "EUR")


def test_preferences_are_stored(user):
    preferences.update_preferences(user.id, "JPY", "ja_JP", "dark")

    stored = db.session.get(User, user.id)
    assert (stored.currency, stored.locale, stored.theme) == ("JPY", "ja_JP", "dark")
    assert preferences_of(stored) == ("ja_JP", "JPY")


@pytest.mark.parametrize(
    ("currency", "locale", "theme", "field"),
    [
        ("DEM", "de_DE", "system", "currency"),  # Babel knows it, but it is no longer in use
        ("eur", "de_DE", "system", "currency"),
        (None, "de_DE", "system", "currency"),
        ("EUR", "xx_XX", "system", "locale"),
        ("EUR", "de-DE", "system", "locale"),
        ("EUR", "de_DE", "sepia", "theme"),
    ],
)
def test_unknown_choices_are_refused_beside_their_field(user, currency, locale, theme, field):
    with pytest.raises(ValidationError) as refused:
        preferences.update_preferences(user.id, currency, locale, theme)

    assert list(refused.value.errors) == [field]
    assert db.session.get(User, user.id).currency is None


def test_an_expense_is_typed_in_the_users_convention(user):
    expense = expenses.create_expense(
        user.id,
        {"date": "2026-01-02", "amount": "1.234,56", "category": "Rent"},
        locale="de_DE",
        currency="EUR",
    )
    assert str(expense.amount) == "1234.56"


def test_an_edit_in_the_users_convention_keeps_the_totals_right(user):
    expense = make_expense(user, amount="10.00")
    expenses.update_expense(user.id, expense.id, {"amount": "12,5"}, locale="de_DE", currency="EUR")

    assert str(db.session.get(Expense, expense.id).amount) == "12.50"
    assert totals.check_monthly_totals() == []

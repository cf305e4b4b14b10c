"""Amounts as people read and type them: formatting and parsing per locale and currency."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_currency
from hypothesis import given, settings
from hypothesis import strategies as st

from expense_tracker.money import formatter
from expense_tracker.services.validation import FieldError, parse_amount


@pytest.mark.parametrize(
    ("locale", "currency", "amount", "shown"),
    [
        ("de_DE", "EUR", "1234.56", "1.234,56\u00a0€"),
        ("en_IE", "EUR", "1234.56", "€1,234.56"),
        ("en_US", "USD", "1234567.8", "$1,234,567.80"),
        ("fr_FR", "EUR", "1234.56", "1\u202f234,56\u00a0€"),
        ("de_CH", "CHF", "1234.5", "CHF\u00a01'234.50"),  # Babel 2.19 (uv.lock): '
        ("nl_NL", "EUR", "0.01", "€\u00a00,01"),
        ("ja_JP", "JPY", "1234", "￥1,234"),
        ("en_IN", "INR", "1234567.89", "₹12,34,567.89"),
    ],
)
def test_money_is_written_as_the_locale_writes_the_currency(locale, currency, amount, shown):
    assert formatter(locale, currency).money(Decimal(amount)) == shown


CONVENTIONS = [
    ("de_DE", "EUR"),
    ("en_US", "USD"),
    ("fr_FR", "CHF"),
    ("ja_JP", "JPY"),
    ("pt_BR", "BRL"),
]
AMOUNTS = ["0.01", "12.50", "999.99", "1000", "1234567.89"]


# Yen amounts with cents are left out: they keep their cents here, unlike Babel (see below).
@pytest.mark.parametrize(
    ("locale", "currency", "amount"),
    [
        (locale, currency, amount)
        for locale, currency in CONVENTIONS
        for amount in AMOUNTS
        if currency != "JPY" or "." not in amount
    ],
)
def test_the_fast_formatter_agrees_with_babels_format_currency(locale, currency, amount):
    value = Decimal(amount)
    assert formatter(locale, currency).money(value) == format_currency(
        value, currency, locale=locale
    )


def test_cents_stored_before_a_switch_to_yen_are_still_shown():
    assert formatter("ja_JP", "JPY").money(Decimal("12.50")) == "￥12.50"
    assert formatter("ja_JP", "JPY").money(Decimal("12.00")) == "￥12"


def test_bare_numbers_have_no_symbol_and_the_typed_form_no_grouping():
    money_format = formatter("de_DE", "EUR")
    assert money_format.number(Decimal("1234.5")) == "1.234,50"
    assert money_format.number(Decimal("1234.5"), grouped=False) == "1234,50"
    assert money_format.symbol == "€"
    assert money_format.hint == "In EUR, like 1.234,56 or 12,5"
    assert formatter("ja_JP", "JPY").hint == "In JPY, like 1,234 or 12"


def test_negative_amounts_take_the_locales_minus():
    assert formatter("de_DE", "EUR").money(Decimal("-5")) == "-5,00\u00a0€"


def test_a_formatter_is_made_once_per_locale_and_currency():
    assert formatter("de_DE", "EUR") is formatter("de_DE", "EUR")


@pytest.mark.parametrize(
    ("raw", "locale", "currency", "amount"),
    [
        ("1.234,56", "de_DE", "EUR", "1234.56"),
        ("1234,56", "de_DE", "EUR", "1234.56"),
        ("12,5", "de_DE", "EUR", "12.50"),
        ("1.234", "de_DE", "EUR", "1234.00"),  # one thousand two hundred thirty-four
        ("1,234.56", "en_US", "USD", "1234.56"),
        ("12.5", "en_US", "USD", "12.50"),
        ("1\u202f234,56", "fr_FR", "EUR", "1234.56"),  # as French writes it
        ("1 234,56", "fr_FR", "EUR", "1234.56"),  # as people type it
        ("1\u00a0234,56", "fr_FR", "EUR", "1234.56"),
        ("1'234.50", "de_CH", "CHF", "1234.50"),
        ("1,234", "ja_JP", "JPY", "1234.00"),
        ("12.50", None, None, "12.50"),  # the API's plain form
        # One separator before one or two digits cannot group thousands: it is the decimal
        # point of the other convention, read as meant rather than refused.
        ("12.50", "de_DE", "EUR", "12.50"),
        ("12.5", "de_DE", "EUR", "12.50"),
        ("12,50", "en_US", "USD", "12.50"),
        ("1234,5", "en_US", "USD", "1234.50"),
        ("12.50", "fr_FR", "EUR", "12.50"),
        ("12,5", "de_CH", "CHF", "12.50"),
        ("12,50", "en_IN", "INR", "12.50"),
    ],
)
def test_amounts_are_read_in_the_users_convention(raw, locale, currency, amount):
    assert parse_amount(raw, locale, currency) == Decimal(amount)


@pytest.mark.parametrize(
    ("raw", "locale", "currency", "message"),
    [
        ("1.23.4", "de_DE", "EUR", "Enter the amount as a number such as"),
        ("12,345", "de_DE", "EUR", "Use at most 2 decimals."),
        ("12,5", "ja_JP", "JPY", "This currency has no decimals."),
        ("1,2,5", "en_US", "USD", "Enter the amount as a number such as"),
        ("12.5", "ja_JP", "JPY", "This currency has no decimals."),
        ("1e5", "en_US", "USD", "Enter the amount as a number such as “12”, “12.5” or “1,234.56”."),
        ("-5", "de_DE", "EUR", "Enter the amount as a number"),
        ("١٢", "en_US", "USD", "Enter the amount as a number"),
        ("NaN", "en_US", "USD", "Enter the amount as a number"),
        ("0,00", "de_DE", "EUR", "The amount must be greater than zero."),
        ("2.000.000.000", "de_DE", "EUR", "The amount can be at most 1.000.000.000."),
        ("", "de_DE", "EUR", "Enter an amount."),
        ("9" * 500, "de_DE", "EUR", "The amount can be at most 1.000.000.000."),
        ("9" * 500 + ".5", "en_US", "USD", "The amount can be at most 1,000,000,000."),
        (
            "9" * 500 + ",5",
            "fr_FR",
            "EUR",
            "The amount can be at most 1\u202f000\u202f000\u202f000.",
        ),
        (".", "de_DE", "EUR", "Enter the amount as a number"),
        (",,", "de_DE", "EUR", "Enter the amount as a number"),
        ("1.234,56", None, None, "Enter the amount as a number such as 12, 12.5 or 12.50."),
    ],
)
def test_amounts_that_are_wrong_or_ambiguous_are_refused_with_a_reason(
    raw, locale, currency, message
):
    with pytest.raises(FieldError) as refused:
        parse_amount(raw, locale, currency)
    assert message in str(refused.value)


@given(
    raw=st.text(alphabet="0123456789.,'’ \u00a0\u202f-e+x", max_size=40)
    | st.text(max_size=20)
    | st.from_regex(r"[0-9]{1,400}([.,][0-9]{0,5})?", fullmatch=True),
    convention=st.sampled_from(
        [("de_DE", "EUR"), ("fr_FR", "EUR"), ("en_US", "USD"), ("de_CH", "CHF"),
         ("ja_JP", "JPY"), ("en_IN", "INR")]
    ),
)  # fmt: skip
@settings(max_examples=300, deadline=None)
def test_any_text_is_an_amount_or_a_field_error(raw, convention):
    try:
        amount = parse_amount(raw, *convention)
    except FieldError:
        return
    assert Decimal("0.01") <= amount <= Decimal("1000000000") and amount == amount.quantize(
        Decimal("0.01")
    )

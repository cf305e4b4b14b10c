"""Money as a person reads it: amounts in their locale's convention, with their currency.

The one place that writes amounts for people: the `money` template filter, the dashboard's
rows and chart, and every other page call `formatter(locale, currency)` (or `formatter_for`).
Babel's `format_currency` costs about 10 µs a call here, a millisecond for a page of 50 rows
written twice each; so Babel formats one sample amount per (locale, currency), the parts
around its digits and its separators are kept, and each amount is then one `format` and one
`translate` (under 1 µs). Locales that group otherwise than by threes (en_IN) and negative
amounts go through Babel each time.

The JSON API stays machine-readable: it never goes through here.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_currency, get_currency_precision

_SAMPLE = Decimal("1234567.89")


class MoneyFormat:
    """How one locale writes amounts of one currency; get one from `formatter`."""

    __slots__ = (
        "locale",
        "currency",
        "digits",
        "group",
        "decimal",
        "prefix",
        "suffix",
        "simple",
        "_table",
        "_translates",
        "_specs",
    )

    def __init__(self, locale: str, currency: str) -> None:
        self.locale = locale
        self.currency = currency
        self.digits = get_currency_precision(currency)  # the currency's decimals, 0 for JPY
        sample = format_currency(_SAMPLE, currency, locale=locale, currency_digits=False)
        first = min(sample.index(d) for d in "123456789" if d in sample)
        last = max(sample.rindex(d) for d in "0123456789" if d in sample) + 1
        number = sample[first:last]
        self.group, self.decimal = number[1], number[-3]
        self._table = str.maketrans({",": self.group, ".": self.decimal})
        self._translates = (self.group, self.decimal) != (",", ".")
        self._specs = {True: f",.{self.digits}f", False: f".{self.digits}f"}
        # What surrounds the digits: the symbol and its spacing, e.g. "€" before, or " €" after.
        self.prefix, self.suffix = sample[:first], sample[last:]
        # Groups of three, as Python writes them; otherwise (en_IN's lakhs) Babel writes each.
        self.simple = number == f"{_SAMPLE:,.2f}".translate(self._table)

    def _places(self, value: Decimal) -> int:
        # Cents are stored: an amount with cents keeps them even in a currency without any.
        if self.digits < 2 and value != value.to_integral_value():
            return 2
        return self.digits

    def number(self, value: Decimal, *, grouped: bool = True) -> str:
        """The amount in the locale's digits and separators, without the currency."""
        if grouped and not self.simple and value >= 0:
            return self.money(value).removeprefix(self.prefix).removesuffix(self.suffix)
        # No rounding happens here: stored amounts have two decimals, and a currency with
        # fewer shows two whenever there are cents.
        if self.digits >= 2:
            text = format(value, self._specs[grouped])
        else:
            text = format(value, f"{',' if grouped else ''}.{self._places(value)}f")
        return text.translate(self._table) if self._translates else text

    def money(self, value: Decimal) -> str:
        """The amount with the currency, as the locale writes it: `1.234,56 €` for de_DE."""
        if value < 0 or not self.simple:
            places = self._places(value)
            return format_currency(
                value, self.currency, locale=self.locale, currency_digits=places == self.digits
            )
        return f"{self.prefix}{self.number(value)}{self.suffix}"

    @property
    def hint(self) -> str:
        """How to type an amount, for a field's hint: `In EUR, like 1.234,56 or 12,5`."""
        if self.digits:
            return f"In {self.currency}, like 1{self.group}234{self.decimal}56 or 12{self.decimal}5"
        return f"In {self.currency}, like 1{self.group}234 or 12"

    @property
    def symbol(self) -> str:
        """The currency's sign here, such as `€` or `CHF`."""
        return (self.prefix + self.suffix).strip(" \u00a0\u202f\u200f")

    def __repr__(self) -> str:
        return f"<MoneyFormat {self.locale} {self.currency}>"


@lru_cache(maxsize=256)
def formatter(locale: str, currency: str) -> MoneyFormat:
    """Return how `locale` writes `currency`, worked out once from Babel's data."""
    return MoneyFormat(locale, currency)


def preferences_of(user) -> tuple[str, str]:
    """The (locale, currency) a user reads amounts in; the server's defaults where unset."""
    from flask import current_app

    config = current_app.config
    locale = getattr(user, "locale", None) or config["LOCALE"]
    currency = getattr(user, "currency", None) or config["CURRENCY"]
    return locale, currency


def typed_in(user) -> dict[str, str]:
    """The `locale` and `currency` keywords with which services read amounts the user typed."""
    locale, currency = preferences_of(user)
    return {"locale": locale, "currency": currency}


def formatter_for(user) -> MoneyFormat:
    """The money format of a user (or of a visitor: the server's defaults)."""
    return formatter(*preferences_of(user))

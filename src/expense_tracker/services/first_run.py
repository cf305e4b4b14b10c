"""The first-run step after registering: currency and number format, guessed, then chosen.

A browser's languages (Accept-Language, most wanted first) suggest both: the region's
currency, and the number format (a locale Settings offers) of the language in that
region, or in the region where the language is most used. Saving or skipping the step
marks the account as welcomed, and it is not offered again.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.numbers import get_territory_currencies
from flask import current_app

from .. import clock
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..models import User
from .preferences import choice_errors, currency_choices, locale_choices

# A header may name many languages; the first few are what a person chose.
LANGUAGES_READ = 8


def is_due(user: User) -> bool:
    """Whether the account has neither saved nor skipped the first-run step."""
    return user.welcomed_at is None


def suggest(languages: Iterable[str]) -> tuple[str, str]:
    """Return (currency, locale) for the first of `languages` that tells anything.

    A language whose region has a currency gives that currency; the number format is the
    language in that region if Settings offers it, else the language in its most likely
    region, else the server's default. Nothing usable: the server's defaults.
    """
    default_currency, default_locale = current_app.config["CURRENCY"], current_app.config["LOCALE"]
    currencies, locales = dict(currency_choices()), dict(locale_choices())
    for tag in islice(languages, LANGUAGES_READ):
        parsed = _parse(tag)
        if parsed is None:
            continue
        language, territory = parsed
        likely = _likely_territory(language)
        territory = territory or likely
        currency = next((code for code in _currencies_of(territory) if code in currencies), None)
        locale = next(
            (
                candidate
                for candidate in (f"{language}_{territory}", f"{language}_{likely}")
                if candidate in locales
            ),
            None,
        )
        if currency or locale:
            return currency or default_currency, locale or default_locale
    return default_currency, default_locale


def _parse(tag: str) -> tuple[str, str | None] | None:
    """A language tag's language and region (None when it names none), or None if unreadable."""
    if not tag or len(tag) > 35 or not tag.isascii():
        return None
    try:
        locale = Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    return locale.language, locale.territory


def _likely_territory(language: str) -> str | None:
    # CLDR's likely subtags: "de" -> "de_Latn_DE".
    return get_global("likely_subtags").get(language, "").rpartition("_")[2] or None


def _currencies_of(territory: str | None) -> list[str]:
    today = clock.today()
    return get_territory_currencies(territory, today, tender=True) if territory else []


def save(user_id: int, currency: str | None, locale: str | None) -> None:
    """Store the chosen currency and number format, and end the first-run step."""
    errors = choice_errors(currency, locale)
    if errors:
        raise ValidationError(errors)
    user = _user(user_id)
    user.currency, user.locale = currency, locale
    user.welcomed_at = user.welcomed_at or clock.now()
    db.session.commit()


def skip(user_id: int) -> None:
    """End the first-run step, keeping the server's defaults."""
    user = _user(user_id)
    user.welcomed_at = user.welcomed_at or clock.now()
    db.session.commit()


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("There is no such account.")
    return user

"""Preferences: the currency, locale and theme each person sees the app in."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.numbers import get_currency_name, get_territory_currencies

from .. import clock
from ..errors import ValidationError
from ..extensions import db
from ..models import User

THEMES = {"system": "Follow the system", "light": "Light", "dark": "Dark"}
DEFAULT_THEME = "system"

# The locales offered: widely used ones whose numbers Babel writes in ASCII digits.
LOCALES = (
    "cs_CZ", "da_DK", "de_AT", "de_CH", "de_DE", "el_GR", "en_AU", "en_CA", "en_GB", "en_IE",
    "en_IN", "en_NZ", "en_US", "en_ZA", "es_AR", "es_ES", "es_MX", "et_EE", "fi_FI", "fr_BE",
    "fr_CA", "fr_CH", "fr_FR", "hr_HR", "hu_HU", "id_ID", "it_CH", "it_IT", "ja_JP", "ko_KR",
    "lt_LT", "lv_LV", "nb_NO", "nl_BE", "nl_NL", "pl_PL", "pt_BR", "pt_PT", "ro_RO", "sk_SK",
    "sl_SI", "sv_SE", "tr_TR", "uk_UA", "zh_CN", "zh_TW",
)  # fmt: skip


@dataclass(frozen=True)
class Preferences:
    """What a user chose; None for currency or locale means the server's default."""

    currency: str | None
    locale: str | None
    theme: str


@lru_cache(maxsize=1)
def currency_choices() -> tuple[tuple[str, str], ...]:
    """Every currency in use today somewhere, as (code, "Name (CODE)"), sorted by name."""
    codes: set[str] = set()
    today = clock.today()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, today, tender=True, non_tender=False))
    named = [(code, f"{get_currency_name(code, locale='en')} ({code})") for code in codes]
    return tuple(sorted(named, key=lambda choice: choice[1].casefold()))


@lru_cache(maxsize=1)
def locale_choices() -> tuple[tuple[str, str], ...]:
    """The locales offered, as (identifier, the locale's own name), sorted by that name."""
    named = []
    for identifier in LOCALES:
        try:
            own_name = Locale.parse(identifier).display_name or identifier
        except (UnknownLocaleError, ValueError):  # a Babel without it: not offered
            continue
        named.append((identifier, own_name[:1].upper() + own_name[1:]))
    return tuple(sorted(named, key=lambda choice: choice[1].casefold()))


def choice_errors(currency: str | None, locale: str | None) -> dict[str, str]:
    """A message for the currency and for the locale if either is not one offered."""
    errors: dict[str, str] = {}
    if currency not in dict(currency_choices()):
        errors["currency"] = "Choose a currency from the list."
    if locale not in dict(locale_choices()):
        errors["locale"] = "Choose a language and region from the list."
    return errors


def update_preferences(
    user_id: int, currency: str | None, locale: str | None, theme: str | None
) -> Preferences:
    """Store the user's currency, locale and theme, each checked against what is offered."""
    errors = choice_errors(currency, locale)
    if theme not in THEMES:
        errors["theme"] = "Choose light, dark or follow the system."
    if errors:
        raise ValidationError(errors)
    user = db.session.get(User, user_id)
    if user is None:
        raise ValidationError({"currency": "There is no such account."})
    user.currency, user.locale, user.theme = currency, locale, theme
    db.session.commit()
    return Preferences(currency, locale, theme)

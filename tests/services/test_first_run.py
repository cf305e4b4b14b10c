"""The first-run step: currency and number format guessed from the browser's languages."""

from __future__ import annotations

import datetime as dt

import pytest

from expense_tracker import clock
from expense_tracker.errors import NotFound, ValidationError
from expense_tracker.extensions import db
from expense_tracker.models import User
from expense_tracker.services import first_run

from ..factories import make_user


@pytest.mark.parametrize(
    ("languages", "currency", "locale"),
    [
        (["de-DE", "de", "en"], "EUR", "de_DE"),
        (["en-US"], "USD", "en_US"),
        (["en-GB"], "GBP", "en_GB"),
        (["fr-CH"], "CHF", "fr_CH"),
        (["pt-BR"], "BRL", "pt_BR"),
        (["zh-TW"], "TWD", "zh_TW"),
        (["nb-NO"], "NOK", "nb_NO"),
        # A language alone: its most likely region (CLDR's likely subtags).
        (["ja"], "JPY", "ja_JP"),
        (["pl"], "PLN", "pl_PL"),
        # A region whose language and region are not offered together: its currency, and
        # the language's usual number format.
        (["en-SG"], "SGD", "en_US"),
        (["de-LU"], "EUR", "de_DE"),
        # A number format not offered (Arabic digits): the region's currency, the default format.
        (["ar-EG"], "EGP", "en_IE"),
        # Nothing usable: the server's defaults.
        ([], "EUR", "en_IE"),
        (["*"], "EUR", "en_IE"),
        (["x-klingon", "!!", "en-" + "x" * 300], "EUR", "en_IE"),
        # The first usable one wins, among the first eight.
        (["tlh", "sv-SE", "en-US"], "SEK", "sv_SE"),
        (["tlh"] * 8 + ["sv-SE"], "EUR", "en_IE"),
    ],
)
def test_the_browsers_languages_suggest_a_currency_and_a_number_format(
    app, languages, currency, locale
):
    assert first_run.suggest(languages) == (currency, locale)


def test_the_servers_defaults_are_the_fallback(app):
    app.config["CURRENCY"], app.config["LOCALE"] = "USD", "en_US"

    assert first_run.suggest(["tlh"]) == ("USD", "en_US")


def test_a_new_account_is_due_for_the_step_and_saving_ends_it(app):
    user = make_user()
    assert first_run.is_due(db.session.get(User, user.id))

    first_run.save(user.id, "CHF", "de_CH")

    stored = db.session.get(User, user.id)
    assert (stored.currency, stored.locale, stored.theme) == ("CHF", "de_CH", "system")
    assert not first_run.is_due(stored)


def test_skipping_ends_the_step_and_keeps_the_servers_defaults(app):
    user = make_user()

    first_run.skip(user.id)

    stored = db.session.get(User, user.id)
    assert (stored.currency, stored.locale) == (None, None)
    assert not first_run.is_due(stored)


@pytest.mark.parametrize(
    ("currency", "locale", "field"),
    [("XXX", "de_DE", "currency"), ("EUR", "ar_EG", "locale"), (None, "de_DE", "currency")],
)
def test_a_choice_not_offered_is_refused_and_the_step_stays_due(app, currency, locale, field):
    user = make_user()

    with pytest.raises(ValidationError) as raised:
        first_run.save(user.id, currency, locale)

    assert list(raised.value.errors) == [field]
    assert first_run.is_due(db.session.get(User, user.id))


def test_skipping_twice_keeps_the_first_time(app, time_machine):
    user = make_user()
    first_run.skip(user.id)
    first = db.session.get(User, user.id).welcomed_at

    time_machine.move_to(clock.now() + dt.timedelta(hours=1))
    first_run.skip(user.id)

    assert db.session.get(User, user.id).welcomed_at == first


def test_no_such_account_is_not_found(app):
    with pytest.raises(NotFound):
        first_run.skip(999)

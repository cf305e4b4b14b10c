"""What Settings offers: every currency in use, every locale by its own name."""

from __future__ import annotations

from expense_tracker.services import preferences


def test_every_active_currency_is_offered_sorted_by_name_with_its_code():
    choices = preferences.currency_choices()
    codes = [code for code, _ in choices]
    assert {"EUR", "USD", "JPY", "CHF", "GBP", "INR"} <= set(codes)
    assert "DEM" not in codes and len(codes) > 140
    assert dict(choices)["EUR"] == "Euro (EUR)"
    names = [name.casefold() for _, name in choices]
    assert names == sorted(names)


def test_locales_are_offered_by_their_own_names():
    choices = dict(preferences.locale_choices())
    assert choices["de_DE"] == "Deutsch (Deutschland)"
    assert choices["fr_FR"] == "Français (France)"
    assert "en_IE" in choices

"""The first-run step in Chromium: guessed from the browser's language, saved or skipped once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from ..factories import PASSWORD
from .conftest import VIEWPORTS, settle
from .test_accessibility import blocking_violations, describe

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


@pytest.fixture
def open_in(browser: Browser, live_server: str, viewport: str):
    """Open a page in a fresh context whose browser speaks `locale` (its Accept-Language)."""
    contexts = []

    def open_(locale: str) -> Page:
        context = browser.new_context(
            base_url=live_server, viewport=VIEWPORTS[viewport], locale=locale
        )
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


def register(page: Page, username: str) -> None:
    page.goto("/auth/register")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account", exact=True).click()
    expect(page.get_by_role("heading", name="How should amounts look?")).to_be_visible()


def test_a_german_browser_gets_euros_and_german_numbers_then_sets_a_budget(open_in, viewport):
    page = open_in("de-DE")
    register(page, "greta")

    expect(page.get_by_label("Currency", exact=True)).to_have_value("EUR")
    expect(page.get_by_label("Number format", exact=True)).to_have_value("de_DE")
    expect(page.get_by_label("Add my first expense", exact=True)).to_be_checked()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[viewport]["width"], f"the page is {width} px wide"
    settle(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        found = blocking_violations(page)
        assert found == [], f"{scheme}: {describe(found)}"
        page.screenshot(path=SCREENSHOTS / f"welcome-{viewport}-{scheme}.png", full_page=True)

    page.get_by_label("Set a monthly budget", exact=True).check()
    page.get_by_role("button", name="Save and continue", exact=True).click()

    expect(page).to_have_url(re.compile(r"/budgets$"))
    expect(page.get_by_text("Saved. You can change these any time in Settings.")).to_be_visible()
    page.goto("/welcome")
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto("/settings")
    expect(page.get_by_label("Number format", exact=True)).to_have_value("de_DE")


def test_skipping_goes_to_the_dashboard_and_is_not_asked_again(open_in):
    page = open_in("en-GB")
    register(page, "harry")
    expect(page.get_by_label("Currency", exact=True)).to_have_value("GBP")

    page.get_by_role("button", name="Skip for now", exact=True).click()

    expect(page.get_by_role("heading", name="Your expenses")).to_be_visible()
    page.goto("/welcome")
    expect(page).to_have_url(re.compile(r"/$"))
    page.goto("/settings")
    expect(page.get_by_label("Currency", exact=True)).to_have_value("EUR")

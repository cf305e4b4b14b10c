"""Preferences in a real browser: German amounts in euros, dark theme, phone and desktop."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from ..factories import TODAY
from .conftest import settle

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
DARK_BACKGROUND = "rgb(14, 20, 25)"  # --bg of the dark palette
LIGHT_BACKGROUND = "rgb(244, 246, 248)"


def expect_background(page: Page, colour: str) -> None:
    """The page shows this background, once its stylesheet has loaded (expect waits for it)."""
    expect(page.locator("body")).to_have_css("background-color", colour)


def choose(page: Page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).select_option(label=option)


def test_a_person_switches_to_german_euros_and_dark_and_types_amounts_that_way(
    page: Page, viewport, user, log_in
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, user)  # the browser prefers light
    expect_background(page, LIGHT_BACKGROUND)

    page.get_by_role("link", name="Settings").click()
    choose(page, "Currency", "Euro (EUR)")
    choose(page, "Number format", "Deutsch (Deutschland)")
    choose(page, "Theme", "Dark")
    page.get_by_role("button", name="Save preferences", exact=True).click()
    expect(page.get_by_text("Your preferences have been saved.")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect_background(page, DARK_BACKGROUND)
    settle(page)
    page.screenshot(path=SCREENSHOTS / f"settings-dark-{viewport}.png", full_page=True)

    page.get_by_role("link", name="Expense Tracker").click()
    amount = page.get_by_label("Amount", exact=True)
    expect(amount).to_have_accessible_description("In EUR, like 1.234,56 or 12,5")
    page.get_by_label("Date", exact=True).fill(TODAY)
    amount.fill("1.234,56")
    page.get_by_label("Category", exact=True).fill("Rent")
    page.get_by_role("button", name="Add expense", exact=True).click()
    page.get_by_label("Create a new category “Rent”").check()  # asked once, being new
    page.get_by_role("button", name="Add expense", exact=True).click()

    expect(page.get_by_text(f"Added 1.234,56\u00a0€ in Rent on {TODAY}.")).to_be_visible()
    expect(page.get_by_test_id("total")).to_have_text("1.234,56\u00a0€")
    row = (
        page.get_by_role("region", name="Recent expenses")
        .get_by_role("row")
        .filter(has_text="Rent")
    )
    expect(row.locator("td.amount")).to_have_text("1.234,56")
    expect_background(page, DARK_BACKGROUND)
    settle(page)
    page.screenshot(path=SCREENSHOTS / f"dashboard-de-dark-{viewport}.png", full_page=True)

    row.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_label("Amount", exact=True)).to_have_value("1234,56")


def test_light_chosen_stays_light_on_a_dark_device(page: Page, user, log_in):
    page.emulate_media(color_scheme="dark")
    log_in(page, user)
    expect_background(page, DARK_BACKGROUND)  # following the system

    page.goto("/settings")
    choose(page, "Theme", "Light")
    page.get_by_role("button", name="Save preferences", exact=True).click()

    expect(page.get_by_text("Your preferences have been saved.")).to_be_visible()
    expect_background(page, LIGHT_BACKGROUND)

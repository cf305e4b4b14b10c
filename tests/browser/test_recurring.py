"""Recurring expenses in a real browser, at phone and desktop sizes, with screenshots."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from expense_tracker import clock

from .conftest import VIEWPORTS, settle
from .test_accessibility import blocking_violations, describe
from .test_journeys import SCREENSHOTS, expense_row, png_size


def months_back(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def add_recurring(page: Page, amount: str, category: str, description: str, **schedule) -> None:
    page.get_by_label("Amount", exact=True).fill(amount)
    page.get_by_label("Category", exact=True).fill(category)
    page.get_by_label("Description", exact=True).fill(description)
    page.get_by_label("Repeats", exact=True).select_option(schedule.get("repeats", "monthly"))
    page.get_by_label("Starts on", exact=True).fill(schedule["start"])
    page.get_by_label("Day of the month", exact=True).fill(schedule.get("day", ""))
    page.get_by_role("button", name="Add recurring expense", exact=True).click()


def item(page: Page, name: str):
    return page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=name))


def test_rent_since_two_months_ago_fills_in_and_can_be_paused_resumed_and_ended(
    page: Page, user, log_in, dialogs
):
    today = clock.today()
    log_in(page, user)
    page.get_by_role("link", name="Recurring", exact=True).click()
    expect(page.get_by_role("heading", name="Recurring expenses", exact=True)).to_be_visible()

    add_recurring(page, "950", "Housing", "Rent", start=months_back(today, 2).isoformat(), day="1")

    expect(page.get_by_text("Added Rent (€950.00, monthly on the 1st).")).to_be_visible()
    rent = item(page, "Rent")
    expect(rent).to_contain_text(f"Next {months_back(today, -1):%-d %b %Y}")
    page.get_by_role("link", name="Back to your expenses").click()
    expect(expense_row(page, "Rent")).to_contain_text("950.00")
    page.get_by_role("link", name="All time", exact=True).click()
    expect(expense_row(page, "Rent")).to_have_count(3)

    page.goto("/recurring")
    rent.get_by_role("button", name="Pause", exact=True).click()
    expect(rent).to_contain_text("Paused")
    rent.get_by_role("button", name="Resume", exact=True).click()
    expect(rent).to_contain_text("Next")
    rent.get_by_role("button", name="End", exact=True).click()
    expect(rent).to_contain_text(f"Ended {today:%-d %b %Y}")
    assert dialogs.messages == ["End Rent?"]


def test_a_bad_day_of_the_month_is_explained_beside_the_field(page: Page, user, log_in):
    log_in(page, user)
    page.goto("/recurring")

    add_recurring(page, "9.99", "Fun", "Music", start=clock.today().isoformat(), day="32")

    day = page.get_by_label("Day of the month", exact=True)
    expect(day).to_have_attribute("aria-invalid", "true")
    expect(day).to_have_accessible_description(
        "Monthly only. Empty: the start date's day. The 29th to 31st fall on the last day of"
        " shorter months. Error: Enter a day of the month from 1 to 31."
    )
    expect(page.get_by_label("Amount", exact=True)).to_have_value("9.99")


def test_screenshots_of_the_recurring_pages_fit_the_screen_in_light_and_dark(
    page: Page, viewport, user, log_in
):
    today = clock.today()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    taken = []
    log_in(page, user)
    page.goto("/recurring")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        path = SCREENSHOTS / f"recurring-empty-{viewport}-{scheme}.png"
        page.screenshot(path=path, full_page=True)
        taken.append(path)

    add_recurring(page, "1250", "Housing", "Flat rent", start=months_back(today, 3).isoformat())
    add_recurring(page, "11.99", "Entertainment", "Streaming", start=today.isoformat())
    add_recurring(page, "45", "Transport", "Bus pass", repeats="weekly", start=today.isoformat())
    add_recurring(
        page, "89", "Shopping", "Yearly software licence", repeats="yearly", start="2024-02-29"
    )
    item(page, "Streaming").get_by_role("button", name="Pause", exact=True).click()
    item(page, "Bus pass").get_by_role("button", name="End", exact=True).click()
    expect(item(page, "Bus pass")).to_contain_text("Ended")
    violations = blocking_violations(page)
    assert violations == [], describe(violations)
    shots = {"recurring": "/recurring"}
    for name, url in shots.items():
        page.goto(url)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            path = SCREENSHOTS / f"{name}-{viewport}-{scheme}.png"
            page.screenshot(path=path, full_page=True)
            taken.append(path)

    page.emulate_media(color_scheme="light")
    item(page, "Flat rent").get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Amount", exact=True).fill("-5")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_label("Amount", exact=True)).to_have_attribute("aria-invalid", "true")
    settle(page)
    violations = blocking_violations(page)
    assert violations == [], describe(violations)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        path = SCREENSHOTS / f"recurring-edit-error-{viewport}-{scheme}.png"
        page.screenshot(path=path, full_page=True)
        taken.append(path)

    for path in taken:
        width, height = png_size(path)
        assert width == VIEWPORTS[viewport]["width"], f"{path.name} is {width}px wide"
        assert height >= VIEWPORTS[viewport]["height"] // 2, f"{path.name} is {height}px tall"

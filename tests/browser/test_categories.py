"""The categories journey in a real browser: rename, recolour, merge; the donut follows."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from .conftest import VIEWPORTS, settle
from .test_accessibility import blocking_violations, describe
from .test_journeys import SCREENSHOTS, png_size


def shoot(page: Page, name: str, viewport: str) -> list[Path]:
    """Screenshots of the page as it is, in the light and the dark theme; no axe violations."""
    settle(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    taken = []
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        violations = blocking_violations(page)
        assert not violations, f"{name} ({scheme}):\n{describe(violations)}"
        path = SCREENSHOTS / f"{name}-{viewport}{'-dark' if scheme == 'dark' else ''}.png"
        page.screenshot(path=path, full_page=True)
        taken.append(path)
    page.emulate_media(color_scheme="light")
    return taken


def test_renaming_recolouring_and_merging_categories(
    page: Page, viewport, user, add_expense, log_in, dialogs
):
    add_expense(user, amount="30.00", category="Food", description="Dinner")
    add_expense(user, amount="12.50", category="Lunch", description="Sandwich")
    add_expense(user, amount="45.00", category="Transport", description="Bus pass")
    log_in(page, user)
    taken = []

    page.get_by_role("link", name="Categories", exact=True).click()
    expect(page.get_by_role("heading", name="Categories", level=1)).to_be_visible()
    table = page.get_by_role("table", name=re.compile("Your categories"))
    expect(table.get_by_role("row").filter(has=page.get_by_role("rowheader"))).to_have_text(
        [
            re.compile(r"Food\s*Teal\s*1\s*€30\.00"),
            re.compile(r"Lunch\s*Amber\s*1\s*€12\.50"),
            re.compile(r"Transport\s*Violet\s*1\s*€45\.00"),
        ]
    )
    taken += shoot(page, "categories", viewport)

    # Rename Lunch; its expense follows.
    page.get_by_role("link", name="Lunch", exact=True).click()
    expect(page.get_by_role("heading", name="Lunch", level=1)).to_be_visible()
    taken += shoot(page, "category-edit", viewport)
    page.get_by_label("Name", exact=True).fill("Eating out")
    page.get_by_role("button", name="Save name", exact=True).click()
    expect(page.get_by_text("Renamed the category to “Eating out”.")).to_be_visible()

    # Recolour Food red.
    page.get_by_role("link", name="Food", exact=True).click()
    page.get_by_role("radio", name="Red", exact=True).check()
    page.get_by_role("button", name="Save colour", exact=True).click()
    expect(page.get_by_text("“Food” is now Red.")).to_be_visible()

    # Merge Eating out into Food, after the confirmation question.
    page.get_by_role("link", name="Eating out", exact=True).click()
    page.get_by_label("Merge into", exact=True).select_option(label="Food")
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(page.get_by_text("Merged “Eating out” into “Food”.")).to_be_visible()
    assert dialogs.messages == [
        "Move every expense of “Eating out” into the category you chose and delete"
        " “Eating out”? This cannot be undone."
    ]
    expect(table.get_by_role("row").filter(has=page.get_by_role("rowheader"))).to_have_text(
        [re.compile(r"Food\s*Red\s*2\s*€42\.50"), re.compile(r"Transport\s*Violet\s*1\s*€45\.00")]
    )
    taken += shoot(page, "categories-after-merge", viewport)

    # The dashboard's donut and table paint Food in the chosen red.
    page.get_by_role("link", name="Expense Tracker").click()
    summary = page.get_by_role("table", name="Spending by category")
    expect(summary.get_by_role("rowheader", name="Food")).to_be_visible()
    expect(summary.get_by_role("rowheader", name="Food").locator(".swatch")).to_have_class(
        re.compile(r"\bc6\b")
    )
    red = page.locator(".donut-segment.c6")
    expect(red).to_have_count(1)
    expect(page.locator(".donut-segment")).to_have_count(2)
    expect(red).to_have_css("stroke", "rgb(220, 38, 38)")  # waits for the stylesheet
    taken += shoot(page, "dashboard-colours", viewport)

    width = VIEWPORTS[viewport]["width"]
    for path in taken:
        assert png_size(path)[0] == width, f"{path.name} is wider than the screen"

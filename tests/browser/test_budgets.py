"""Budgets and the monthly trend in a real browser, at phone and desktop sizes, light and dark."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from expense_tracker import clock
from expense_tracker.services.trends import add_months

from .conftest import VIEWPORTS, settle
from .test_accessibility import blocking_violations, describe
from .test_journeys import SCREENSHOTS, png_size

# A month of spending, repeated for each of the last twelve months (a little more each month).
MONTHLY = [
    (1, "1250.00", "Housing", "Rent"),
    (3, "84.20", "Groceries", "Weekly shop"),
    (5, "3.40", "Food", "coffee"),
    (6, "12.50", "Food", "Lunch with Sam"),
    (8, "45.00", "Transport", "Bus pass"),
    (12, "60.00", "Entertainment", "Concert"),
    (15, "3.80", "Food", "coffee and cake"),
    (20, "70.00", "Utilities", "Electricity"),
]


def add_a_year(user, add_expense) -> None:
    today = clock.today()
    for back in range(12):
        month = add_months(today.replace(day=1), -back)
        for day, amount, category, description in MONTHLY:
            # This month's spending so far: what falls after today is spent today instead,
            # so the month's budgets come out the same on every day of the month.
            date = min(month.replace(day=day), today)
            extra = (
                f"{float(amount) * (1 + back % 4 / 10):.2f}" if category != "Housing" else amount
            )
            add_expense(
                user,
                amount=extra,
                category=category,
                date=date.isoformat(),
                description=description,
            )


def shoot(page: Page, name: str, viewport: str, **parts) -> None:
    """Save the page (and `parts`, locators by name) in light and dark; check it fits and axe."""
    settle(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for part, locator in parts.items():
            locator.screenshot(path=SCREENSHOTS / f"{part}-{viewport}-{scheme}.png")
        path = SCREENSHOTS / f"{name}-{viewport}-{scheme}.png"
        page.screenshot(path=path, full_page=True)
        width, _ = png_size(path)
        assert width == VIEWPORTS[viewport]["width"], f"{path.name} is {width}px wide"
        violations = blocking_violations(page)
        assert not violations, f"axe, {scheme}, on {page.url}:\n{describe(violations)}"
    page.emulate_media(color_scheme="light")


def budget_card(page: Page):
    return page.get_by_role("region", name="Budgets")


def trend_card(page: Page):
    return page.get_by_role("region", name="Monthly trend")


def test_budgets_set_on_their_page_show_on_the_dashboard_with_the_trend(
    page: Page, viewport, user, add_expense, log_in
):
    add_a_year(user, add_expense)
    log_in(page, user)
    expect(budget_card(page).get_by_role("link", name="Set a budget")).to_be_visible()

    page.get_by_role("link", name="Budgets", exact=True).click()
    expect(page.get_by_role("heading", name="Budgets", level=1)).to_be_visible()
    page.get_by_label("All spending", exact=True).fill("5000")
    page.get_by_label("Housing", exact=True).fill("1250")
    page.get_by_label("Transport", exact=True).fill("30")
    page.get_by_label("Food", exact=True).fill("1x")
    page.get_by_role("button", name="Save budgets").click()
    expect(page.get_by_label("Food", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(
        page.get_by_text("Enter the amount as a number such as “12”, “12.5” or “1,234.56”.")
    ).to_be_visible()
    shoot(page, "budgets-error", viewport)
    page.get_by_label("Food", exact=True).fill("500")
    page.get_by_role("button", name="Save budgets").click()
    expect(page.get_by_text("Saved your budgets.")).to_be_visible()
    shoot(page, "budgets", viewport)

    page.get_by_role("link", name="Expense Tracker").click()
    card = budget_card(page)
    expect(card.get_by_text(clock.today().strftime("%B %Y"))).to_be_visible()
    housing = card.get_by_role("listitem").filter(has_text="Housing")
    expect(housing).to_contain_text("Budget reached: nothing left (100%)")
    transport = card.get_by_role("listitem").filter(has_text="Transport")
    expect(transport).to_contain_text(re.compile(r"⚠ Over budget by €\d+\.\d\d"))
    food = card.get_by_role("listitem").filter(has_text="Food")
    expect(food).to_contain_text(re.compile(r"€[\d,]+\.\d\d left \(\d+\.\d% spent\)"))

    trend = trend_card(page)
    expect(trend.get_by_role("img")).to_have_attribute(
        "aria-label", re.compile(r"^Spending per month, \w+ \d{4} to \w+ \d{4}\. Highest: ")
    )
    shoot(page, "dashboard-budgets", viewport, **{"budgets-card": card, "trend-card": trend})
    trend.get_by_text("The figures as a table").click()
    this_month = trend.get_by_role("row").filter(has_text=clock.today().strftime("%b %Y"))
    # The table's cells are bare numbers under "Total (€)"; the summary's total has the sign.
    total = page.get_by_test_id("total").text_content()
    expect(trend.get_by_role("columnheader", name="Total (€)")).to_be_visible()
    expect(this_month.get_by_role("cell").last).to_have_text(total.removeprefix("€"))
    shoot(page, "trend-table", viewport, **{"trend-table-card": trend})

    page.get_by_role("link", name="Last month", exact=True).click()
    last_month = (clock.today().replace(day=1) - dt.timedelta(days=1)).strftime("%b %Y")
    expect(trend_card(page).locator("tr.in-period")).to_have_count(1)
    expect(trend_card(page).locator("tr.in-period th")).to_have_text(last_month)
    expect(budget_card(page)).to_contain_text(
        (clock.today().replace(day=1) - dt.timedelta(days=1)).strftime("%B %Y")
    )


def test_a_search_brings_its_trend_in_place_and_the_figures_agree(
    page: Page, viewport, user, add_expense, log_in
):
    add_a_year(user, add_expense)
    log_in(page, user)

    page.get_by_role("link", name="All time", exact=True).click()
    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("In category", exact=True).select_option("Food")
    page.get_by_label("Search descriptions", exact=True).fill("coffee")
    page.get_by_role("button", name="Apply").click()

    trend = trend_card(page)
    expect(trend.get_by_role("img")).to_be_visible()  # fetched by app.js, in place of the link
    expect(trend.get_by_role("link", name="Show the monthly trend of this search")).to_have_count(0)
    trend.get_by_text("The figures as a table").click()
    cells = trend.locator("tbody td:last-child").all_text_contents()
    months = sum(float(cell.replace(",", "")) for cell in cells)
    total = float(page.get_by_test_id("total").text_content().replace(",", "").removeprefix("€"))
    # All time, and every coffee of the year is within the last twelve months.
    assert round(months, 2) == round(total, 2)
    shoot(page, "dashboard-search-trend", viewport)

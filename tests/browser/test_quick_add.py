"""Quick add in a real browser: from /add to a stored expense in a few taps or keys."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from expense_tracker import clock
from expense_tracker.extensions import db
from expense_tracker.models import Category, Expense

from .conftest import VIEWPORTS, settle


def days_ago(days: int) -> str:
    return (clock.today() - dt.timedelta(days=days)).isoformat()


SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


class Steps:
    """Screenshots of each step of a journey, in light and dark, into build/screenshots."""

    def __init__(self, page: Page, name: str, viewport: str):
        self.page, self.name, self.viewport, self.count = page, name, viewport, 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shoot(self, step: str) -> None:
        self.count += 1
        settle(self.page)
        for scheme in ("light", "dark"):
            self.page.emulate_media(color_scheme=scheme)
            path = SCREENSHOTS / f"{self.name}-{self.viewport}-{self.count}-{step}-{scheme}.png"
            self.page.screenshot(path=path)
        self.page.emulate_media(color_scheme="light")


def stored_expenses(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(Expense.date, Expense.amount, Category.name).join(Category).order_by(Expense.id)
        )
        return [(day.isoformat(), str(amount), name) for day, amount, name in rows]


def watch_origins(page: Page, live_server: str) -> list[str]:
    """Collect every request the page makes to another origin than the app's."""
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(live_server) else elsewhere.append(request.url)
        ),
    )
    return elsewhere


def test_from_quick_add_to_a_stored_expense_in_a_few_taps_or_keys(
    app, page: Page, viewport, user, add_expense, log_in, live_server
):
    add_expense(user, amount="3.00", category="Food", date=days_ago(10))
    log_in(page, user)
    elsewhere = watch_origins(page, live_server)
    steps = Steps(page, "quick-add", viewport)

    # The header's "+" is in view without scrolling, on a phone too.
    add_link = page.get_by_role("link", name="Add", exact=True)
    expect(add_link).to_be_in_viewport()
    page.goto("/add")
    amount = page.get_by_label("Amount", exact=True)
    expect(amount).to_be_focused()
    expect(amount).to_have_attribute("inputmode", "decimal")
    steps.shoot("opened")

    taps = keys = 0
    if viewport == "phone":
        page.keyboard.type("4.50")  # the digits, on the number keypad
        steps.shoot("amount")
        page.get_by_role("radio", name="Food", exact=True).click()
        taps += 1
        expect(page.get_by_label("Category", exact=True)).to_have_value("Food")
        steps.shoot("category")
        save = page.get_by_role("button", name="Save expense", exact=True)
        # Within thumb reach: at the bottom of the screen, whatever the page's length.
        box = save.bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= VIEWPORTS["phone"]["height"]
        assert box["y"] >= VIEWPORTS["phone"]["height"] * 0.8
        save.click()
        taps += 1
    else:
        page.keyboard.type("4.50")
        page.keyboard.press("Tab")
        keys += 1
        expect(page.get_by_label("Category", exact=True)).to_be_focused()
        page.keyboard.type("Food")
        steps.shoot("category")
        page.keyboard.press("Enter")
        keys += 1

    status = page.get_by_role("status").filter(has_text="Stored")
    expect(status).to_have_text("Stored €4.50 in Food, today. Undo")
    steps.shoot("stored")
    assert stored_expenses(app)[-1] == (clock.today().isoformat(), "4.50", "Food")
    assert taps <= 4 and keys <= 2
    # Ready for the next one: Amount focused and empty, the category cleared.
    expect(amount).to_be_focused()
    expect(amount).to_have_value("")
    expect(page.get_by_label("Category", exact=True)).to_have_value("")
    expect(page.get_by_role("radio", name="Food", exact=True)).not_to_be_checked()

    page.get_by_role("button", name="Undo", exact=True).click()
    expect(page.get_by_text("Undone: €4.50 in Food, today is not stored any more.")).to_be_visible()
    steps.shoot("undone")
    assert len(stored_expenses(app)) == 1
    assert elsewhere == []


def test_a_mistyped_category_is_asked_about_and_a_near_match_is_one_tap(
    app, page: Page, viewport, user, add_expense, log_in
):
    add_expense(user, amount="3.00", category="Groceries", date=days_ago(10))
    log_in(page, user)
    steps = Steps(page, "quick-add-question", viewport)
    page.goto("/add")

    page.keyboard.type("4.50")
    page.keyboard.press("Tab")
    page.keyboard.type("Gro")
    page.keyboard.press("Escape")  # close the suggestions
    page.keyboard.press("Enter")

    expect(page.get_by_text("There is no category “Gro” yet.")).to_be_visible()
    near = page.get_by_role("button", name="Groceries", exact=True)
    expect(near).to_be_focused()
    expect(page.get_by_label("Create a new category “Gro”")).not_to_be_checked()
    steps.shoot("question")
    assert len(stored_expenses(app)) == 1

    if viewport == "phone":
        near.click()  # one tap
        chosen = "Groceries"
    else:
        # Enter in a field still saves what is typed, not the first near match.
        page.get_by_label("Category", exact=True).fill("Food")
        page.get_by_label("Category", exact=True).press("Enter")
        chosen = "Food"
    expect(page.get_by_role("status").filter(has_text="Stored")).to_contain_text(
        f"Stored €4.50 in {chosen}, today."
    )
    assert stored_expenses(app)[-1][1:] == ("4.50", chosen)


def test_the_dashboard_form_keeps_the_date_and_focuses_amount_after_a_save(
    app, page: Page, viewport, user, log_in
):
    log_in(page, user)
    if viewport == "desktop":
        # On a wide screen the add form has the focus as the dashboard opens.
        expect(page.get_by_label("Amount", exact=True)).to_be_focused()
    page.get_by_label("Date", exact=True).fill(days_ago(5))
    page.get_by_label("Amount", exact=True).fill("7.20")
    page.get_by_label("Category", exact=True).fill("Food")
    page.get_by_label("Category", exact=True).press("Enter")

    expect(page.get_by_text(f"Added €7.20 in Food on {days_ago(5)}.")).to_be_visible()
    expect(page.get_by_label("Amount", exact=True)).to_be_focused()
    expect(page.get_by_label("Date", exact=True)).to_have_value(days_ago(5))
    expect(page.get_by_label("Category", exact=True)).to_have_value("")
    Steps(page, "dashboard-after-add", viewport).shoot("saved")


def test_quick_add_works_as_a_plain_form_without_javascript(
    app, browser: Browser, live_server, viewport, user, add_expense, log_in
):
    add_expense(user, amount="3.00", category="Groceries", date=days_ago(10))
    context = browser.new_context(
        base_url=live_server, viewport=VIEWPORTS[viewport], java_script_enabled=False
    )
    try:
        page = log_in(context.new_page(), user)
        page.goto("/add")
        expect(page.get_by_label("Amount", exact=True)).to_be_focused()
        page.keyboard.type("4.50")
        page.get_by_role("radio", name="Groceries", exact=True).click()
        page.get_by_role("button", name="Save expense", exact=True).click()

        expect(page.get_by_role("status").filter(has_text="Stored")).to_contain_text(
            "Stored €4.50 in Groceries, today."
        )
        page.get_by_role("button", name="Undo", exact=True).click()
        expect(page.get_by_label("Amount", exact=True)).to_have_value("4.50")
        assert stored_expenses(app) == [(days_ago(10), "3.00", "Groceries")]
    finally:
        context.close()

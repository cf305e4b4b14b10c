"""Key journeys in a real browser, at phone and desktop sizes: accounts, expenses, privacy."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pyotp
from playwright.sync_api import Locator, Page, expect

from expense_tracker import clock

from ..factories import PASSWORD, TODAY
from .conftest import VIEWPORTS, settle


def register(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/auth/register")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Confirm password", exact=True).fill(password)
    page.get_by_role("button", name="Create account", exact=True).click()


def skip_first_run(page: Page) -> None:
    """Leave the first-run step that follows registering with the server's defaults."""
    expect(page.get_by_role("heading", name="How should amounts look?")).to_be_visible()
    page.get_by_role("button", name="Skip for now", exact=True).click()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out", exact=True).click()
    expect(page.get_by_text("You have logged out.")).to_be_visible()


def fill_expense(page: Page, date: str, amount: str, category: str, description: str) -> None:
    page.get_by_label("Date", exact=True).fill(date)
    page.get_by_label("Amount", exact=True).fill(amount)
    page.get_by_label("Category", exact=True).fill(category)
    page.get_by_label("Description", exact=True).fill(description)


def add_through_form(
    page: Page, date: str, amount: str, category: str, description: str, *, new: bool = False
) -> None:
    """Add an expense on the dashboard; a `new` category is confirmed when the page asks."""
    fill_expense(page, date, amount, category, description)
    page.get_by_role("button", name="Add expense", exact=True).click()
    if new:
        expect(page.get_by_text(f"There is no category “{category}” yet.")).to_be_visible()
        page.get_by_label(f"Create a new category “{category}”").check()
        page.get_by_role("button", name="Add expense", exact=True).click()
    # The page shows amounts as the default locale does (en_IE, EUR): €10.00.
    expect(page.get_by_text(f"Added €{amount} in {category} on {date}.")).to_be_visible()


def expense_row(page: Page, description: str) -> Locator:
    """The row of the recent-expenses list that holds `description`."""
    listing = page.get_by_role("region", name="Recent expenses")
    return listing.get_by_role("row").filter(has_text=description)


def expect_summary(page: Page, total: str, shares: list[str]) -> None:
    """Check the total and the category table, row by row: "Name total share"."""
    expect(page.get_by_test_id("total")).to_have_text(total)
    table = page.get_by_role("table", name="Spending by category")
    rows = table.get_by_role("row").filter(has=page.get_by_role("rowheader"))
    expect(rows).to_have_text(shares)


def test_a_person_registers_logs_out_and_logs_back_in(page: Page):
    register(page, "carol")

    expect(page.get_by_text("Welcome, carol! Your account is ready.")).to_be_visible()
    skip_first_run(page)
    expect(page.get_by_role("heading", name="Your expenses")).to_be_visible()

    log_out(page)
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    expect(page.get_by_role("heading", name="Know where your money goes.")).to_be_visible()

    page.get_by_role("link", name="Log in", exact=True).first.click()
    page.get_by_label("Username", exact=True).fill("carol")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Your expenses")).to_be_visible()
    expect(page.get_by_role("button", name="Log out", exact=True)).to_be_visible()


def test_adding_expenses_shows_the_total_and_each_categorys_share(page: Page, user, log_in):
    log_in(page, user)
    expect(page.get_by_text("Nothing spent yet")).to_be_visible()

    add_through_form(page, TODAY, "10.00", "Food", "Sandwich")
    add_through_form(page, TODAY, "30.00", "Food", "Weekly shop")
    add_through_form(page, TODAY, "60.00", "Rent", "Garage rent", new=True)

    expect_summary(page, "€100.00", ["Rent €60.00 60.0%", "Food €40.00 40.0%"])
    expect(page.get_by_text("3 expenses", exact=True)).to_be_visible()
    for description in ("Sandwich", "Weekly shop", "Garage rent"):
        expect(expense_row(page, description)).to_be_visible()


def test_editing_an_expense_updates_the_summary(page: Page, user, add_expense, log_in):
    add_expense(user, amount="10.00", category="Food", date=TODAY, description="Sandwich")
    add_expense(user, amount="30.00", category="Food", date=TODAY, description="Shop")
    add_expense(user, amount="60.00", category="Rent", date=TODAY, description="Garage")
    log_in(page, user)

    expense_row(page, "Sandwich").get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_role("heading", name="Edit expense")).to_be_visible()
    expect(page.get_by_label("Amount", exact=True)).to_have_value("10.00")
    page.get_by_label("Amount", exact=True).fill("20")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text(f"Saved €20.00 in Food on {TODAY}.")).to_be_visible()
    # 60 / 110 and 50 / 110, to one decimal, rounded half up.
    expect_summary(page, "€110.00", ["Rent €60.00 54.5%", "Food €50.00 45.5%"])


def test_deleting_an_expense_asks_first_and_updates_the_summary(
    page: Page, user, add_expense, log_in, dialogs
):
    add_expense(user, amount="10.00", category="Food", date=TODAY, description="Sandwich")
    add_expense(user, amount="30.00", category="Food", date=TODAY, description="Shop")
    add_expense(user, amount="60.00", category="Rent", date=TODAY, description="Garage")
    log_in(page, user)

    expense_row(page, "Garage").get_by_role("button", name="Delete", exact=True).click()

    expect(page.get_by_text(f"Deleted €60.00 in Rent on {TODAY}.")).to_be_visible()
    assert dialogs.messages == [f"Delete €60.00 in Rent on {TODAY}?"]
    expect_summary(page, "€40.00", ["Food €40.00 100.0%"])
    expect(expense_row(page, "Garage")).to_have_count(0)


def test_another_person_sees_none_of_it_and_gets_404_for_its_edit_page(
    page: Page, user, add_expense, log_in
):
    add_expense(user, amount="60.00", category="Rent", description="Garage rent")
    add_expense(user, amount="12.50", category="Food", description="Lunch with Sam")
    log_in(page, user)
    edit_url = (
        expense_row(page, "Garage rent")
        .get_by_role("link", name="Edit", exact=True)
        .get_attribute("href")
    )
    assert edit_url and re.fullmatch(r"/expenses/\d+/edit", edit_url)
    log_out(page)

    register(page, "dave")

    expect(page.get_by_text("Welcome, dave! Your account is ready.")).to_be_visible()
    skip_first_run(page)
    expect(page.get_by_text("Nothing spent yet")).to_be_visible()
    expect(page.get_by_text("No expenses yet")).to_be_visible()
    for description in ("Garage rent", "Lunch with Sam"):
        expect(page.get_by_text(description)).to_have_count(0)

    response = page.goto(edit_url)

    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_label("Amount")).to_have_count(0)


def test_a_bad_amount_is_explained_beside_the_field_and_the_input_is_kept(page: Page, user, log_in):
    log_in(page, user)

    fill_expense(page, TODAY, "12.345", "Transport", "Bus ticket")
    page.get_by_role("button", name="Add expense", exact=True).click()

    amount = page.get_by_label("Amount", exact=True)
    message = "Use at most 2 decimals."
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(amount).to_have_accessible_description(re.compile(re.escape(message)))
    # The field is described by its hint (how to type an amount) and then by the error.
    hint_id, error_id = amount.get_attribute("aria-describedby").split()
    expect(page.locator(f"#{hint_id}")).to_have_text("In EUR, like 1,234.56 or 12.5")
    error = page.locator(f"#{error_id}")
    expect(error).to_have_text(message)
    expect(error).to_be_visible()
    field, below = amount.bounding_box(), error.bounding_box()
    assert field and below
    assert 0 <= below["y"] - (field["y"] + field["height"]) < 24, "the message is not by the field"
    assert below["x"] < field["x"] + field["width"] and field["x"] < below["x"] + below["width"]
    expect(amount).to_have_value("12.345")
    expect(page.get_by_label("Date", exact=True)).to_have_value(TODAY)
    expect(page.get_by_label("Category", exact=True)).to_have_value("Transport")
    expect(page.get_by_label("Description", exact=True)).to_have_value("Bus ticket")
    expect(page.get_by_text("Nothing spent yet")).to_be_visible()


def test_a_token_made_on_the_settings_page_adds_expenses_the_dashboard_shows(
    page: Page, user, log_in, dialogs
):
    log_in(page, user)
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_label("Token name", exact=True).fill("Phone shortcut")
    page.get_by_label("Your current password", exact=True).fill(user.password)
    page.get_by_role("button", name="Create token", exact=True).click()
    secret = page.get_by_label("Token", exact=True).input_value()
    expect(page.get_by_role("cell", name="Phone shortcut", exact=True)).to_be_visible()

    api = page.context.request  # the browser's own HTTP client; the token, not a cookie, counts
    headers = {"Authorization": f"Bearer {secret}"}
    for amount, category in (("12.50", "Food"), ("7.50", "Transport"), ("30.00", "Food")):
        response = api.post(
            "/api/v1/expenses",
            data={"amount": amount, "category": category},
            headers=headers,
        )
        assert response.status == 201, response.text()
    summary = api.get("/api/v1/summary", headers=headers).json()
    assert summary["total"] == "50.00"

    page.goto("/?period=all")
    expect_summary(page, "€50.00", ["Food €42.50 85.0%", "Transport €7.50 15.0%"])

    page.goto("/settings")
    page.get_by_role("button", name="Revoke Phone shortcut", exact=True).click()
    expect(page.get_by_text("Revoked the token")).to_be_visible()
    assert dialogs.messages == [
        "Revoke the token “Phone shortcut”? Anything using it will stop working."
    ]
    assert api.get("/api/v1/summary", headers=headers).status == 401


def log_in_with_password(page: Page, username: str, password: str = PASSWORD) -> None:
    page.get_by_role("link", name="Log in", exact=True).first.click()
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()


def turn_on_two_factor(page: Page, password: str) -> tuple[str, list[str]]:
    """Turn it on from the settings page as a person with an app would; the key and codes."""
    page.get_by_role("link", name="Settings", exact=True).click()
    section = page.get_by_role("region", name="Two-factor authentication")
    section.get_by_role("link", name="Turn on two-factor authentication").click()
    expect(page.get_by_role("img", name="QR code of the setup key")).to_be_visible()
    secret = page.get_by_test_id("setup-key").inner_text().replace(" ", "")
    # The right code alone is not enough: the password is asked again.
    page.get_by_label("Code", exact=True).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on", exact=True).click()
    expect(page.get_by_text("That is not your current password.")).to_be_visible()
    page.get_by_label("Your password", exact=True).fill(password)
    page.get_by_label("Code", exact=True).fill("000000x")
    page.get_by_role("button", name="Turn on", exact=True).click()
    expect(page.get_by_text("That code is not right.")).to_be_visible()
    expect(page.get_by_text("That is not your current password.")).to_have_count(0)
    page.get_by_label("Your password", exact=True).fill(password)
    page.get_by_label("Code", exact=True).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on", exact=True).click()
    expect(page.get_by_role("heading", name="Two-factor authentication is on")).to_be_visible()
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    return secret, codes.all_inner_texts()


def test_two_factor_is_turned_on_and_logs_in_with_a_code_or_a_recovery_code(
    page: Page, user, log_in
):
    log_in(page, user)
    secret, codes = turn_on_two_factor(page, user.password)
    page.get_by_role("link", name="I have saved them", exact=True).click()
    expect(page.get_by_text("You have 10 unused recovery codes.")).to_be_visible()

    log_out(page)
    log_in_with_password(page, user.username)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    # The next step's code: newer than the one that turned it on, within the drift allowed.
    page.get_by_label("Code", exact=True).fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", name="Your expenses")).to_be_visible()

    log_out(page)
    log_in_with_password(page, user.username)
    page.get_by_label("Code", exact=True).fill(codes[0])
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_text("You used a recovery code; 9 left.")).to_be_visible()
    expect(page.get_by_role("button", name="Log out", exact=True)).to_be_visible()


# Screenshots for the README and for people reviewing a change: every main page at both sizes.
# Markup does not depend on the database, so they are taken on SQLite only.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SPENDING = [
    (22, "1250.00", "Housing", "Rent"),
    (21, "84.20", "Groceries", "Weekly shop"),
    (19, "12.50", "Food", "Lunch with Sam"),
    (16, "45.00", "Transport", "Monthly bus pass"),
    (12, "63.99", "Utilities", "Electricity"),
    (9, "29.90", "Entertainment", "Concert tickets"),
    (6, "56.35", "Groceries", "Farmers' market"),
]


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == PNG_SIGNATURE, f"{path.name} is not a PNG"
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def test_screenshots_of_the_main_pages_fit_the_screen(
    app, page: Page, viewport, user, add_expense, log_in
):
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    # The README shows the list as a real server pages it, not as the tests' short pages.
    app.config["EXPENSES_PER_PAGE"] = 50
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    taken = []

    def shoot(name: str) -> None:
        path = SCREENSHOTS / f"{name}-{viewport}.png"
        settle(page)
        page.screenshot(path=path, full_page=True)
        taken.append(path)

    page.goto("/")
    shoot("home")
    page.goto("/auth/register")
    shoot("register")
    page.goto("/auth/login")
    shoot("log-in")
    log_in(page, user)
    shoot("dashboard-empty")

    today = clock.today()
    for days_ago, amount, category, description in SPENDING:
        day = (today - dt.timedelta(days=days_ago)).isoformat()
        add_expense(user, amount=amount, category=category, date=day, description=description)
    # These dates may straddle two months; the last 30 days hold them all.
    page.get_by_role("link", name="Last 30 days", exact=True).click()
    expect(page.get_by_role("link", name="Last 30 days", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    add_through_form(page, (today - dt.timedelta(days=4)).isoformat(), "9.80", "Food", "Coffee")
    expect(page.get_by_test_id("total")).to_have_text("€1,551.74")
    shoot("dashboard")

    expense_row(page, "Electricity").get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_role("heading", name="Edit expense")).to_be_visible()
    shoot("edit")

    page.goto("/")
    fill_expense(page, today.isoformat(), "12.345", "Transport", "Taxi home")
    page.get_by_role("button", name="Add expense", exact=True).click()
    expect(page.get_by_label("Amount", exact=True)).to_have_attribute("aria-invalid", "true")
    shoot("form-error")

    page.goto("/expenses/999999/edit")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    shoot("not-found")

    page.goto("/settings")
    page.get_by_label("Token name", exact=True).fill("Phone shortcut")
    page.get_by_label("Your current password", exact=True).fill(user.password)
    page.get_by_role("button", name="Create token", exact=True).click()
    expect(page.get_by_label("Token", exact=True)).to_have_value(re.compile("^et_"))
    # A check box sits beside its label, the size of a box, not a text field's width.
    revoke = page.get_by_label("Also revoke my 1 API token", exact=True)
    box, label = revoke.bounding_box(), page.locator("label[for=revoke_tokens]").bounding_box()
    assert box["width"] <= 32 and box["height"] <= 32, box
    assert abs((box["y"] + box["height"] / 2) - (label["y"] + label["height"] / 2)) < 12
    shoot("settings")

    page.goto("/api/v1/docs")
    expect(page.get_by_role("heading", name="Operations")).to_be_visible()
    shoot("api-docs")

    page.goto("/settings/two-factor/setup")
    shoot("two-factor-setup")
    turn_on_two_factor(page, user.password)
    shoot("two-factor-codes")
    page.goto("/settings")
    shoot("settings-two-factor")
    page.get_by_role("button", name="Log out", exact=True).click()
    log_in_with_password(page, user.username, user.password)
    page.get_by_label("Code", exact=True).fill("12345")
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_text("That code is not right.")).to_be_visible()
    shoot("log-in-code")

    for path in taken:
        width, height = png_size(path)
        # A wider picture than the viewport means the page scrolls sideways.
        assert width == VIEWPORTS[viewport]["width"], f"{path.name} is {width}px wide"
        assert height >= VIEWPORTS[viewport]["height"] // 2, f"{path.name} is {height}px tall"

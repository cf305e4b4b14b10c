"""axe-core finds no serious or critical accessibility problem on any page, phone or desktop."""

from __future__ import annotations

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

BLOCKING = {"serious", "critical"}
BACKGROUNDS = {"light": "rgb(244, 246, 248)", "dark": "rgb(14, 20, 25)"}  # --bg of each palette
axe = Axe()


def blocking_violations(page: Page) -> list[dict]:
    """Run axe on the page as it is now; return its serious and critical violations."""
    results = axe.run(page)
    return [v for v in results.response["violations"] if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"])
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} -> {targets}")
    return "\n".join(lines)


EXPENSES = [
    ("1250.00", "Housing", "November rent"),
    ("84.20", "Groceries", "Weekly shop"),
    ("12.50", "Food", "Lunch with Sam"),
    ("45.00", "Transport", "Monthly bus pass"),
]


class Visitor:
    """Brings a page to each state worth checking: logged out, logged in, with data, with errors."""

    def __init__(self, page: Page, user, add_expense, log_in):
        self.page, self.user, self.add_expense, self.log_in = page, user, add_expense, log_in

    def logged_in(self, expenses: int = 0) -> None:
        for amount, category, description in EXPENSES[:expenses]:
            self.add_expense(self.user, amount=amount, category=category, description=description)
        self.log_in(self.page, self.user)

    def goto(self, url: str, status: int = 200) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status == status


def show_home(visit: Visitor) -> None:
    visit.goto("/")


def show_register(visit: Visitor) -> None:
    visit.goto("/auth/register")


def show_register_with_errors(visit: Visitor) -> None:
    visit.goto("/auth/register")
    visit.page.get_by_label("Username", exact=True).fill("x")
    visit.page.get_by_label("Password", exact=True).fill("short")
    visit.page.get_by_role("button", name="Create account", exact=True).click()
    expect(visit.page.get_by_label("Username", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )


def show_log_in(visit: Visitor) -> None:
    visit.goto("/auth/login")


def show_log_in_failed(visit: Visitor) -> None:
    visit.goto("/auth/login")
    visit.page.get_by_label("Username", exact=True).fill("nobody")
    visit.page.get_by_label("Password", exact=True).fill("wrong password")
    visit.page.get_by_role("button", name="Log in", exact=True).click()
    expect(visit.page.get_by_role("alert")).to_have_text("Incorrect username or password.")


def show_dashboard_empty(visit: Visitor) -> None:
    visit.logged_in()
    expect(visit.page.get_by_text("Nothing spent yet")).to_be_visible()


def show_dashboard(visit: Visitor) -> None:
    visit.logged_in(expenses=len(EXPENSES))
    expect(visit.page.get_by_test_id("total")).to_have_text("€1,391.70")


def show_add_expense_with_errors(visit: Visitor) -> None:
    visit.logged_in(expenses=2)
    visit.page.get_by_label("Date", exact=True).fill("")
    visit.page.get_by_label("Amount", exact=True).fill("-3")
    visit.page.get_by_role("button", name="Add expense", exact=True).click()
    expect(visit.page.get_by_label("Amount", exact=True)).to_have_attribute("aria-invalid", "true")


def show_dashboard_filtered_with_errors(visit: Visitor) -> None:
    visit.logged_in(expenses=2)
    visit.goto("/?period=custom&from=2020-02-30&category=Food&q=rent&min=abc", status=400)
    expect(visit.page.get_by_label("Smallest amount", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )


def show_edit(visit: Visitor) -> None:
    visit.logged_in(expenses=2)
    visit.page.get_by_role("link", name="Edit", exact=True).first.click()
    expect(visit.page.get_by_role("heading", name="Edit expense")).to_be_visible()


def show_quick_add_stored(visit: Visitor) -> None:
    visit.logged_in(expenses=2)
    visit.goto("/add")
    visit.page.get_by_label("Amount", exact=True).fill("4.50")
    visit.page.get_by_role("radio", name="Food", exact=True).click()
    visit.page.get_by_role("button", name="Save expense", exact=True).click()
    expect(visit.page.get_by_role("button", name="Undo", exact=True)).to_be_visible()
    visit.page.get_by_text("Date: today").click()  # the date and description shown too


def show_quick_add_question(visit: Visitor) -> None:
    visit.logged_in(expenses=2)
    visit.goto("/add")
    visit.page.get_by_label("Amount", exact=True).fill("")
    visit.page.get_by_label("Category", exact=True).fill("Gro")
    visit.page.get_by_role("button", name="Save expense", exact=True).click()
    expect(visit.page.get_by_role("button", name="Groceries", exact=True)).to_be_visible()


def show_quick_add_with_kept_expenses(visit: Visitor) -> None:
    """Offline: one expense kept on the device, waiting, and one the server refused."""
    visit.logged_in(expenses=2)
    visit.goto("/add")
    page = visit.page
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.context.set_offline(True)
    page.get_by_label("Amount", exact=True).fill("2.00")
    page.get_by_label("Category", exact=True).fill("Gro")
    page.get_by_role("button", name="Save expense", exact=True).click()
    page.context.set_offline(False)
    expect(page.get_by_role("button", name="Discard", exact=True)).to_be_visible()
    page.context.set_offline(True)
    page.get_by_label("Amount", exact=True).fill("4.50")
    page.get_by_role("radio", name="Food", exact=True).click()
    page.get_by_role("button", name="Save expense", exact=True).click()
    expect(page.locator(".queue-count")).to_contain_text("1 expense on this device")


def show_not_found(visit: Visitor) -> None:
    visit.logged_in()
    visit.goto("/expenses/999999/edit", status=404)


def show_method_not_allowed(visit: Visitor) -> None:
    visit.logged_in()
    visit.goto("/auth/logout", status=405)


def show_settings_with_a_new_token(visit: Visitor) -> None:
    visit.logged_in()
    visit.goto("/settings")
    visit.page.get_by_label("Token name", exact=True).fill("Phone")
    visit.page.get_by_label("Your current password", exact=True).fill(visit.user.password)
    visit.page.get_by_role("button", name="Create token", exact=True).click()
    expect(visit.page.get_by_role("cell", name="Phone", exact=True)).to_be_visible()


def show_two_factor_setup_with_an_error(visit: Visitor) -> None:
    visit.logged_in()
    visit.goto("/settings/two-factor/setup")
    visit.page.get_by_label("Code", exact=True).fill("12345")
    visit.page.get_by_role("button", name="Turn on", exact=True).click()
    expect(visit.page.get_by_label("Your password", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )
    expect(visit.page.get_by_label("Code", exact=True)).to_have_attribute("aria-invalid", "true")


def _turn_on_two_factor(visit: Visitor) -> str:
    visit.goto("/settings/two-factor/setup")
    secret = visit.page.get_by_test_id("setup-key").inner_text().replace(" ", "")
    visit.page.get_by_label("Your password", exact=True).fill(visit.user.password)
    visit.page.get_by_label("Code", exact=True).fill(pyotp.TOTP(secret).now())
    visit.page.get_by_role("button", name="Turn on", exact=True).click()
    expect(visit.page.get_by_role("list", name="Recovery codes")).to_be_visible()
    return secret


def show_recovery_codes(visit: Visitor) -> None:
    visit.logged_in()
    _turn_on_two_factor(visit)


def show_settings_with_two_factor_on(visit: Visitor) -> None:
    visit.logged_in()
    _turn_on_two_factor(visit)
    visit.goto("/settings")
    visit.page.get_by_label("Your password", exact=True).fill("wrong password")
    visit.page.get_by_role("button", name="Turn off two-factor authentication").click()
    expect(visit.page.get_by_label("Your password", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )


def show_log_in_code_with_an_error(visit: Visitor) -> None:
    visit.logged_in()
    _turn_on_two_factor(visit)
    visit.page.get_by_role("button", name="Log out", exact=True).click()
    visit.goto("/auth/login")
    visit.page.get_by_label("Username", exact=True).fill(visit.user.username)
    visit.page.get_by_label("Password", exact=True).fill(visit.user.password)
    visit.page.get_by_role("button", name="Log in", exact=True).click()
    visit.page.get_by_label("Code", exact=True).fill("12345")
    visit.page.get_by_role("button", name="Log in", exact=True).click()
    expect(visit.page.get_by_label("Code", exact=True)).to_have_attribute("aria-invalid", "true")


def show_api_docs(visit: Visitor) -> None:
    visit.goto("/api/v1/docs")


PAGES = {
    "home": show_home,
    "register": show_register,
    "register-with-errors": show_register_with_errors,
    "log-in": show_log_in,
    "log-in-failed": show_log_in_failed,
    "dashboard-empty": show_dashboard_empty,
    "dashboard": show_dashboard,
    "add-expense-with-errors": show_add_expense_with_errors,
    "dashboard-filtered-with-errors": show_dashboard_filtered_with_errors,
    "edit": show_edit,
    "quick-add-stored": show_quick_add_stored,
    "quick-add-question": show_quick_add_question,
    "quick-add-with-kept-expenses": show_quick_add_with_kept_expenses,
    "not-found": show_not_found,
    "method-not-allowed": show_method_not_allowed,
    "settings": show_settings_with_a_new_token,
    "two-factor-setup-with-an-error": show_two_factor_setup_with_an_error,
    "recovery-codes": show_recovery_codes,
    "settings-with-two-factor-on": show_settings_with_two_factor_on,
    "log-in-code-with-an-error": show_log_in_code_with_an_error,
    "api-docs": show_api_docs,
}


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_serious_accessibility_violations(name, page: Page, user, add_expense, log_in):
    PAGES[name](Visitor(page, user, add_expense, log_in))

    # The stylesheet has a dark palette too; its contrast needs checking as much as the light one.
    # Each palette shows as the device's choice, and as a theme chosen in Settings that goes
    # against the device's (the attribute set here is what the server writes for it): all four
    # must show the right palette. axe checks each palette once, as the device's choice: the
    # forced palette is the same declarations (test_the_forced_and_the_system_dark_colours_are_
    # the_same), and axe is most of the cost of these tests.
    page.wait_for_load_state("load")  # the stylesheet too, after a form was sent
    found = {}
    for scheme, theme in (("light", None), ("dark", None), ("light", "dark"), ("dark", "light")):
        page.emulate_media(color_scheme=scheme)
        if theme:
            page.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
        shown = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert shown == BACKGROUNDS[theme or scheme], f"{theme or scheme} is not what shows"
        if theme is None:
            found[f"{scheme} device, system theme"] = blocking_violations(page)

    report = "\n".join(f"{scheme}: {describe(found[scheme])}" for scheme in found if found[scheme])
    assert not report, f"axe found on {page.url}:\n{report}"

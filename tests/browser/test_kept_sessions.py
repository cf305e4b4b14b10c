"""'Keep me signed in on this device' in Chromium: a cookie that lasts, a session past 12 hours."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from expense_tracker import clock

from .conftest import settle

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def log_in_by_hand(page: Page, user, *, keep: bool) -> None:
    page.goto("/auth/login")
    page.get_by_label("Username", exact=True).fill(user.username)
    page.get_by_label("Password", exact=True).fill(user.password)
    box = page.get_by_label("Keep me signed in on this device", exact=True)
    expect(box).not_to_be_checked()
    if keep:
        box.check()
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("button", name="Log out", exact=True)).to_be_visible()


def session_cookie(page: Page) -> dict:
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "session"]
    return cookie


def test_a_ticked_log_in_lasts_30_days_and_past_12_hours(page: Page, user, time_machine, viewport):
    page.goto("/auth/login")
    settle(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"log-in-keep-signed-in-{viewport}.png", full_page=True)

    log_in_by_hand(page, user, keep=True)

    cookie = session_cookie(page)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    # Chromium turns Expires into its own clock's time (the server's Date says where the test
    # travelled to), so the cookie's life is measured against the browser's clock.
    left = dt.timedelta(seconds=cookie["expires"] - page.evaluate("Date.now()") / 1000)
    assert abs(left - dt.timedelta(days=30)) < dt.timedelta(minutes=5), left
    time_machine.move_to(clock.now() + dt.timedelta(hours=13))
    page.goto("/settings")
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()
    sessions = page.get_by_role("region", name="Where you are logged in")
    expect(sessions.get_by_text("Kept signed in", exact=True)).to_be_visible()
    settle(page)
    sessions.screenshot(path=SCREENSHOTS / f"settings-kept-signed-in-{viewport}.png")


def test_an_unticked_log_in_ends_with_the_browser_and_after_12_hours(
    page: Page, user, time_machine
):
    log_in_by_hand(page, user, keep=False)

    assert session_cookie(page)["expires"] == -1  # a cookie for this browser session only
    time_machine.move_to(clock.now() + dt.timedelta(hours=13))
    page.goto("/settings")
    expect(page).to_have_url(re.compile(r"/auth/login\?next="))
    expect(page.get_by_text("Please log in to see that page.")).to_be_visible()

"""Browser fixtures: the app on a live server, and Chromium pages at phone and desktop sizes."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from ..conftest import Person, unavailable

CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VIEWPORTS = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 800},
}
# Chromium's background chatter is off: the tests must not need, or wait for, the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    """Launch the system's Chromium, headless; `playwright install` is not needed."""
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(executable, os.X_OK):
        unavailable("Chromium is not installed")
    return {"executable_path": executable, "args": CHROMIUM_ARGS, "headless": True}


def settle(page: Page) -> None:
    """Wait for the page's stylesheet and images, before a screenshot or a look at its layout."""
    # A link or form just followed may show its text while the stylesheet is still on its way.
    page.wait_for_load_state("load")


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> str:
    """Each browser test runs at a phone's size and at a desktop's."""
    return request.param


@dataclass
class Dialogs:
    """The confirm() questions a page asked; every one is answered OK."""

    messages: list[str] = field(default_factory=list)

    def accept(self, dialog: Dialog) -> None:
        self.messages.append(dialog.message)
        dialog.accept()


@pytest.fixture
def dialogs() -> Dialogs:
    return Dialogs()


@pytest.fixture
def open_page(browser: Browser, live_server: str, viewport: str, dialogs: Dialogs):
    """Open pages in fresh browser contexts (separate cookies) at this test's viewport."""
    contexts = []

    def open_() -> Page:
        context = browser.new_context(
            base_url=live_server,
            viewport=VIEWPORTS[viewport],
            color_scheme="light",
            locale="en-US",
        )
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", dialogs.accept)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page) -> Page:
    """A page in a context of its own; replaces pytest-playwright's `page` for our contexts."""
    return open_page()


@pytest.fixture
def log_in():
    """Log a page's browser in as `person` and open the dashboard.

    It posts the log-in form from the page's own request context, which shares the
    browser's cookies, rather than typing into it: only the journey tests need the typing.
    """

    def log_in_(page: Page, person: Person) -> Page:
        form = page.request.get("/auth/login").text()
        token = CSRF_TOKEN.search(form)
        assert token, "no CSRF token on the log-in page"
        response = page.request.post(
            "/auth/login",
            form={"csrf_token": token[1], "username": person.username, "password": person.password},
            max_redirects=0,
        )
        assert response.status == 302, f"logging in as {person.username} was refused"
        page.goto("/")
        expect(page.get_by_role("button", name="Log out", exact=True)).to_be_visible()
        return page

    return log_in_

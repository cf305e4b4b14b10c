"""The CSV import journey in a real browser, at phone and desktop sizes, light and dark."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from .conftest import settle
from .test_accessibility import blocking_violations, describe

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
BANK_FILE = (
    "Buchungstag;Verwendungszweck;Betrag\r\n"
    "05.01.2026;REWE Markt Berlin;-12,50\r\n"
    "06.01.2026;Gehalt Januar;2.500,00\r\n"
    "07.01.2026;Miete Januar;-1.250,00\r\n"
    "08.01.2026;Bäckerei Schmidt;-3,80\r\n"
    "09.01.2026;Kaputt;abc\r\n"
).encode("cp1252")


def shoot(page: Page, name: str, viewport: str) -> None:
    """Save the page in light and dark, and check both with axe."""
    settle(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        suffix = "" if scheme == "light" else "-dark"
        page.screenshot(path=SCREENSHOTS / f"import-{name}-{viewport}{suffix}.png", full_page=True)
        found = blocking_violations(page)
        assert not found, describe(found)
    page.emulate_media(color_scheme="light")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name} is {width}px wide"


def test_a_bank_file_is_previewed_checked_imported_and_undone(page: Page, user, log_in, viewport):
    log_in(page, user)
    page.get_by_role("link", name="Import a CSV file", exact=True).click()
    expect(page.get_by_role("heading", name="Import a CSV file")).to_be_visible()
    shoot(page, "upload", viewport)

    page.get_by_label("CSV file", exact=True).set_input_files(
        {"name": "sparkasse.csv", "mimeType": "text/csv", "buffer": BANK_FILE}
    )
    page.get_by_role("button", name="Upload and preview", exact=True).click()
    expect(page.get_by_role("heading", name="Import sparkasse.csv")).to_be_visible()
    expect(page.get_by_label("Delimiter", exact=True)).to_have_value(";")
    expect(page.get_by_label("Decimal separator", exact=True)).to_have_value(",")
    expect(page.get_by_label("Encoding", exact=True)).to_have_value("cp1252")
    expect(page.get_by_role("cell", name="Bäckerei Schmidt").first).to_be_visible()
    page.get_by_label("Category for rows without one", exact=True).fill("Bank")
    page.get_by_role("button", name="Update preview", exact=True).click()
    expect(page.get_by_role("cell", name="1,250.00")).to_be_visible()
    shoot(page, "preview", viewport)

    page.get_by_role("button", name="Check every row", exact=True).click()
    expect(page.get_by_role("heading", name="What importing would do")).to_be_visible()
    expect(page.get_by_text("Line 3: a positive amount is money coming in")).to_be_visible()
    expect(page.get_by_text("Line 6: “abc” is not an amount.")).to_be_visible()
    shoot(page, "check", viewport)

    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Imported 3 expenses from sparkasse.csv.")).to_be_visible()
    shoot(page, "done", viewport)

    page.get_by_role("button", name="Undo this import", exact=True).click()
    expect(page.get_by_text("Undone: 3 expenses deleted.")).to_be_visible()

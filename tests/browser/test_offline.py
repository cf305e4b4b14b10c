"""The installed app offline: quick add from the device's cache, expenses kept until stored."""

from __future__ import annotations

from playwright.sync_api import Page, Route, expect
from sqlalchemy import select

from expense_tracker.extensions import db
from expense_tracker.models import Expense

from .test_quick_add import Steps, days_ago, stored_expenses, watch_origins


def ready_offline(page: Page) -> None:
    """Wait until the service worker is active and has kept quick add, then open it again
    under its control (a page opened while it was installing may stay without it)."""
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    kept = "async () => Boolean(await (await caches.open('pages')).match('/add'))"
    for _ in range(200):
        if page.evaluate(kept):
            break
        page.wait_for_timeout(50)
    else:
        raise AssertionError("the service worker did not keep quick add")
    page.reload()
    page.wait_for_function("() => Boolean(navigator.serviceWorker.controller)")


def add_offline(page: Page, amount: str) -> None:
    page.get_by_label("Amount", exact=True).fill(amount)
    page.get_by_role("radio", name="Groceries", exact=True).click()
    page.get_by_role("button", name="Save expense", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Kept on this device:")).to_contain_text(
        f"Kept on this device: {amount} in Groceries, "
    )
    expect(page.get_by_label("Amount", exact=True)).to_have_value("")
    expect(page.get_by_label("Amount", exact=True)).to_be_focused()


def device_ids(app) -> list[str | None]:
    with app.app_context():
        return list(db.session.scalars(select(Expense.client_id).order_by(Expense.id)))


def test_three_expenses_added_offline_are_stored_once_each_even_when_a_send_is_cut(
    app, page: Page, viewport, user, add_expense, log_in, live_server
):
    add_expense(user, amount="3.00", category="Groceries", date=days_ago(10))
    log_in(page, user)
    elsewhere = watch_origins(page, live_server)
    page.goto("/add")
    ready_offline(page)
    steps = Steps(page, "offline", viewport)

    page.context.set_offline(True)
    for amount in ("4.50", "12.00", "7.25"):
        add_offline(page, amount)
    waiting = page.locator(".queue-count")
    expect(waiting).to_contain_text(
        "3 expenses on this device, waiting to be sent when you are online."
    )
    steps.shoot("three-kept")

    page.reload()  # no connection: the page comes from the device's cache
    expect(page.get_by_label("Amount", exact=True)).to_be_focused()
    expect(waiting).to_have_text(
        "3 expenses on this device, waiting to be sent when you are online."
    )
    assert stored_expenses(app) == [(days_ago(10), "3.00", "Groceries")]

    # The connection returns; the second expense reaches the server, but its answer is lost.
    sends: list[str] = []

    def cut_the_second(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        sends.append(route.request.post_data or "")
        if len(sends) == 2:
            route.fetch()  # the server stores it...
            route.abort("connectionreset")  # ...and the page never hears so
        else:
            route.continue_()

    page.route("**/add/sync", cut_the_second)
    page.context.set_offline(False)
    expect(waiting).to_have_text(
        "Sent 1 expense kept on this device. 2 expenses on this device, waiting to be sent."
    )
    amounts = sorted(amount for _, amount, _ in stored_expenses(app))
    assert amounts == ["12.00", "3.00", "4.50"]  # the cut one is stored, once

    page.reload()  # sends what is kept again: the cut one is answered as stored before
    expect(waiting).to_have_text("Sent 2 expenses kept on this device.")
    steps.shoot("sent")
    amounts = sorted(amount for _, amount, _ in stored_expenses(app))
    assert amounts == ["12.00", "3.00", "4.50", "7.25"]
    ids = device_ids(app)
    assert ids[0] is None and len(set(ids[1:])) == 3
    assert len(sends) == 4  # one send each, and the cut one again
    assert elsewhere == []

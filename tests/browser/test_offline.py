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


def test_an_expense_refused_when_sent_stays_kept_with_the_reason_until_fixed_or_discarded(
    app, page: Page, viewport, user, add_expense, log_in, dialogs
):
    add_expense(user, amount="3.00", category="Groceries", date=days_ago(10))
    log_in(page, user)
    page.goto("/add")
    ready_offline(page)
    page.context.set_offline(True)
    for amount, category in (("2.00", "Gro"), ("5.00", "Grocer")):
        page.get_by_label("Amount", exact=True).fill(amount)
        page.get_by_label("Category", exact=True).fill(category)
        page.get_by_role("button", name="Save expense", exact=True).click()
        expect(page.locator(".queue-count")).to_contain_text(f"Kept on this device: {amount}")

    page.context.set_offline(False)
    refused = page.locator(".queue-refused li")
    expect(refused).to_have_count(2)
    expect(refused.first).to_contain_text("Not stored: 2.00 in Gro, ")
    expect(refused.first).to_contain_text("There is no category")
    Steps(page, "offline-refused", viewport).shoot("refused")
    page.reload()  # still kept, still refused: never sent again as it is
    expect(refused).to_have_count(2)

    refused.nth(1).get_by_role("button", name="Discard", exact=True).click()
    expect(refused).to_have_count(1)
    assert dialogs.messages == [f"Discard 5.00 in Grocer, {refused_day(page)}?"]

    refused.first.get_by_role("link", name="Fix", exact=True).click()
    expect(page.get_by_label("Amount", exact=True)).to_have_value("2.00")
    expect(page.get_by_label("Category", exact=True)).to_have_value("Gro")
    expect(refused).to_have_count(0)
    page.get_by_label("Category", exact=True).fill("Groceries")
    page.get_by_role("button", name="Save expense", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Stored")).to_contain_text(
        "Stored €2.00 in Groceries"
    )
    assert sorted(amount for _, amount, _ in stored_expenses(app)) == ["2.00", "3.00"]


def refused_day(page: Page) -> str:
    """The device's today, as the queue wrote the date of an expense kept offline."""
    return page.evaluate(
        "() => { const d = new Date(); const two = (n) => String(n).padStart(2, '0');"
        " return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`; }"
    )


def test_logging_out_forgets_the_kept_pages_and_another_user_never_sends_the_queue(
    app, page: Page, viewport, user, other_user, add_expense, log_in
):
    log_in(page, user)
    page.goto("/add")
    ready_offline(page)
    page.context.set_offline(True)
    page.get_by_label("Amount", exact=True).fill("4.50")
    page.get_by_role("radio", name="Food", exact=True).click()
    page.get_by_role("button", name="Save expense", exact=True).click()
    expect(page.locator(".queue-count")).to_contain_text("1 expense on this device")
    page.route("**/add/sync", lambda route: route.abort())  # not sent before the log-out
    page.context.set_offline(False)
    page.get_by_role("button", name="Log out", exact=True).click()
    expect(page.get_by_text("You have logged out.")).to_be_visible()
    page.unroute("**/add/sync")

    kept_pages = "async () => (await (await caches.open('pages')).keys()).length"
    for _ in range(100):
        if page.evaluate(kept_pages) == 0:
            break
        page.wait_for_timeout(50)
    assert page.evaluate(kept_pages) == 0

    log_in(page, other_user)
    page.goto("/add")
    expect(page.locator(".queue")).to_be_hidden()
    page.wait_for_timeout(300)
    assert stored_expenses(app) == []

    page.get_by_role("button", name="Log out", exact=True).click()
    log_in(page, user)  # the one who kept it: sent now
    expect(page.locator(".queue-count")).to_have_text("Sent 1 expense kept on this device.")
    assert [amount for _, amount, _ in stored_expenses(app)] == ["4.50"]
    with app.app_context():
        assert list(db.session.scalars(select(Expense.user_id))) == [user.id]


def test_the_dashboard_form_keeps_an_expense_on_the_device_when_offline(
    app, page: Page, viewport, user, log_in
):
    log_in(page, user)
    page.goto("/add")
    ready_offline(page)
    page.goto("/")
    page.context.set_offline(True)
    page.reload()  # the dashboard as it was last seen
    page.get_by_label("Amount", exact=True).fill("6.00")
    page.get_by_label("Category", exact=True).fill("Food")
    page.get_by_role("button", name="Add expense", exact=True).click()
    expect(page.locator(".queue-count")).to_contain_text("Kept on this device: 6.00 in Food")

    page.context.set_offline(False)
    expect(page.locator(".queue-count")).to_have_text("Sent 1 expense kept on this device.")
    assert [amount for _, amount, _ in stored_expenses(app)] == ["6.00"]

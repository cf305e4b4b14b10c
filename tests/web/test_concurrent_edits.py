"""Two browsers of one person saving the same record at once, from pages of the same version.

Each pair starts together (a barrier) against the real database: one save is made, the other
is refused with the record's message, never a 500, and the totals still agree with the
expenses (`rebuild-totals --check`).
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from expense_tracker.extensions import db
from expense_tracker.models import Expense, RecurringExpense
from expense_tracker.services import categories, recurring

from ..helpers import csrf_token, log_in, noon, text

TODAY = dt.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def fixed_today(time_machine):
    time_machine.move_to(noon(TODAY))


def browsers(app, user, page: str, count: int = 2) -> list[tuple]:
    """`count` logged-in clients of `user`, each with the CSRF token of `page`, opened now."""
    opened = []
    for _ in range(count):
        client = app.test_client()
        log_in(client, user.username, user.password)
        opened.append((client, csrf_token(client, page)))
    return opened


def at_once(opened: list[tuple], url: str, forms: list[dict]) -> list:
    """POST each form from its browser, all at once; return the responses in that order."""
    barrier = threading.Barrier(len(forms))
    responses: list = [None] * len(forms)

    def send(index: int) -> None:
        client, token = opened[index]
        barrier.wait()
        responses[index] = client.post(url, data={**forms[index], "csrf_token": token})

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(forms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return responses


def totals_check(app) -> int:
    return app.test_cli_runner().invoke(args=["rebuild-totals", "--check"]).exit_code


@pytest.mark.both_databases
def test_two_browsers_saving_one_recurring_expense_at_once_one_saves_one_is_told(app, user):
    with app.app_context():
        raw = {"amount": "950", "category": "Housing", "frequency": "monthly"}
        # Made on 15 October: 1 November is still due, and the first save makes it.
        template_id = recurring.create_recurring(
            user.id, {**raw, "start_date": "2026-09-01"}, dt.date(2026, 10, 15)
        ).id
    url = f"/recurring/{template_id}/edit"
    opened = browsers(app, user, url)
    form = {**raw, "description": "", "start_date": "2026-09-01", "version": "1"}

    responses = at_once(opened, url, [{**form, "amount": "1000"}, {**form, "amount": "1100"}])

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [302, 409], statuses
    [refused] = [response for response in responses if response.status_code == 409]
    assert "This recurring expense was changed since you opened it." in text(refused)
    with app.app_context():
        stored = db.session.get(RecurringExpense, template_id)
        assert (str(stored.amount), stored.version) in {("1000.00", 2), ("1100.00", 2)}
        made = db.session.scalars(select(Expense.amount).order_by(Expense.date)).all()
        assert [str(amount) for amount in made] == ["950.00", "950.00", "950.00"]
    assert totals_check(app) == 0


@pytest.mark.both_databases
@pytest.mark.parametrize(
    ("path", "forms"),
    [
        ("name", [{"name": "Meals"}, {"name": "Dining"}]),
        ("color", [{"color": "3"}, {"color": "4"}]),
    ],
)
def test_two_browsers_changing_one_category_at_once_one_saves_one_is_told(
    app, user, add_expense, path, forms
):
    add_expense(user, amount="12.50", category="Food")
    with app.app_context():
        [food] = categories.list_categories(user.id)
    opened = browsers(app, user, f"/categories/{food.id}")
    url = f"/categories/{food.id}/{path}"

    responses = at_once(opened, url, [{**form, "version": "1"} for form in forms])

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [302, 409], statuses
    [refused] = [response for response in responses if response.status_code == 409]
    assert "This category was changed since you opened it." in text(refused)
    with app.app_context():
        stored = categories.category_balance(user.id, food.id)
        assert stored.version == 2 and (stored.total, stored.count) == (food.total, 1)
        assert db.session.scalar(select(func.count()).select_from(Expense)) == 1
    assert totals_check(app) == 0


@pytest.mark.both_databases
def test_two_browsers_saving_budgets_at_once_one_saves_one_is_told(app, user):
    opened = browsers(app, user, "/budgets")
    page = text(opened[0][0].get("/budgets"))
    assert 'name="shown_overall" value=""' in page

    responses = at_once(
        opened,
        "/budgets",
        [{"overall": "500", "shown_overall": ""}, {"overall": "600", "shown_overall": ""}],
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [302, 409], statuses
    [refused] = [response for response in responses if response.status_code == 409]
    assert "Some budgets were changed since you opened this page." in text(refused)

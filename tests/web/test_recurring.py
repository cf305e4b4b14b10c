"""Recurring expense pages, and the dashboard filling in what is due."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, func, select

from expense_tracker.extensions import db
from expense_tracker.models import Expense, RecurringExpense, User
from expense_tracker.services import recurring

from ..helpers import log_in, noon, post_form, text

TODAY = dt.date(2026, 11, 24)
VALID = {
    "amount": "950",
    "category": "Housing",
    "description": "Rent",
    "frequency": "monthly",
    "start_date": "2026-09-01",
    "day_of_month": "",
    "end_date": "",
}


@pytest.fixture(autouse=True)
def fixed_today(time_machine):
    time_machine.move_to(noon(TODAY))


def add(client, follow_redirects=False, **fields):
    return post_form(
        client,
        "/recurring",
        {**VALID, **fields},
        token_page="/recurring",
        follow_redirects=follow_redirects,
    )


def expense_dates(app) -> list[dt.date]:
    with app.app_context():
        return list(db.session.scalars(select(Expense.date).order_by(Expense.date)))


def recurring_id(app) -> int:
    with app.app_context():
        return db.session.scalars(select(RecurringExpense.id)).one()


def test_the_page_lists_nothing_at_first_and_has_the_labelled_form(auth_client):
    page = text(auth_client.get("/recurring"))

    assert "No recurring expenses yet" in page
    for label in ("Amount", "Category", "Repeats", "Starts on", "Day of the month", "Ends on"):
        assert f">{label}</label>" in page
    assert 'value="2026-11-24"' in page


def test_adding_fills_in_the_dates_up_to_today_and_lists_it(app, auth_client):
    response = add(auth_client, follow_redirects=True)

    page = text(response)
    assert "Added Rent (€950.00, monthly on the 1st)." in page
    assert "Next 1 Dec 2026" in page
    assert expense_dates(app) == [dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)]


def test_bad_input_is_shown_beside_the_fields_and_kept(app, auth_client):
    response = add(auth_client, amount="12.345", frequency="daily", day_of_month="40")

    page = text(response)
    assert response.status_code == 400
    assert 'id="amount-error"' in page
    assert 'id="frequency-error"' in page
    assert "Enter a day of the month from 1 to 31." in page
    assert 'value="12.345"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RecurringExpense)) == 0


def test_editing_saves_and_applies_from_tomorrow(app, auth_client):
    add(auth_client)
    url = f"/recurring/{recurring_id(app)}/edit"

    response = post_form(
        auth_client, url, {**VALID, "amount": "1000"}, token_page=url, follow_redirects=True
    )

    assert "Saved Rent (€1,000.00, monthly on the 1st). The changes apply from tomorrow." in text(
        response
    )
    assert len(expense_dates(app)) == 3


def test_a_bad_edit_is_refused_beside_the_field_and_changes_nothing(app, auth_client):
    add(auth_client)
    url = f"/recurring/{recurring_id(app)}/edit"

    response = post_form(auth_client, url, {**VALID, "amount": "0"}, token_page=url)

    assert response.status_code == 400
    assert 'id="amount-error"' in text(response)
    assert '<span class="amount">€950.00</span>' in text(auth_client.get("/recurring"))


def test_the_edit_page_carries_the_version_it_shows(app, auth_client):
    add(auth_client)
    url = f"/recurring/{recurring_id(app)}/edit"

    page = text(auth_client.get(url))

    assert '<input id="version" name="version" type="hidden" value="1">' in page
    assert '<input type="hidden" name="version" value="1">' in page


@pytest.mark.both_databases
def test_saving_an_edit_page_opened_before_another_change_is_refused_showing_both(
    app, auth_client, user
):
    add(auth_client)
    template_id = recurring_id(app)
    url = f"/recurring/{template_id}/edit"
    with app.app_context():
        recurring.update_recurring(user.id, template_id, {"amount": "990"}, TODAY)
    typed = {**VALID, "amount": "1000", "description": "Flat", "day_of_month": "5"}

    response = post_form(auth_client, url, {**typed, "version": "1"}, token_page=url)

    page = text(response)
    assert response.status_code == 409
    assert "This recurring expense was changed since you opened it." in page
    assert 'value="990.00"' in page and 'value="Rent"' in page
    assert 'name="version" type="hidden" value="2"' in page
    assert (
        "Your change: 1000, Housing, &#39;Flat&#39;, Every month, starting 2026-09-01, on day 5."
        in page
    )
    with app.app_context():
        stored = db.session.get(RecurringExpense, template_id)
        assert (str(stored.amount), stored.description) == ("990.00", "Rent")


def test_an_edit_page_left_open_while_the_job_makes_a_due_date_still_saves(app, auth_client):
    add(auth_client)
    url = f"/recurring/{recurring_id(app)}/edit"
    with app.app_context():
        assert recurring.run_due(dt.date(2026, 12, 1)).expenses == 1

    response = post_form(
        auth_client, url, {**VALID, "amount": "1000", "version": "1"}, token_page=url
    )

    assert response.status_code == 302
    assert expense_dates(app)[-1] == dt.date(2026, 12, 1)


def test_deleting_from_an_edit_page_opened_before_another_change_is_refused(app, auth_client, user):
    add(auth_client)
    template_id = recurring_id(app)
    with app.app_context():
        recurring.pause_recurring(user.id, template_id, TODAY)

    response = post_form(auth_client, f"/recurring/{template_id}/delete", {"version": "1"})

    assert response.status_code == 409
    assert "It was not deleted" in text(response)
    with app.app_context():
        assert db.session.get(RecurringExpense, template_id) is not None


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ({"frequency": "weekly", "start_date": "2026-11-18"}, "Weekly on Wednesday"),
        ({"frequency": "yearly", "start_date": "2024-02-29"}, "Yearly on 29 Feb (28 Feb in other"),
        ({"frequency": "monthly", "day_of_month": "31"}, "Monthly on the 31st (or the month"),
    ],
)
def test_the_list_says_each_schedule_in_words(auth_client, fields, shown):
    add(auth_client, **fields)

    assert shown in text(auth_client.get("/recurring")).replace("&#39;", "'")


def test_pause_resume_and_end_change_the_status(app, auth_client):
    add(auth_client)
    base = f"/recurring/{recurring_id(app)}"

    paused = text(post_form(auth_client, f"{base}/pause", {}, follow_redirects=True))
    resumed = text(post_form(auth_client, f"{base}/resume", {}, follow_redirects=True))
    ended = text(post_form(auth_client, f"{base}/end", {}, follow_redirects=True))

    assert "Paused Rent" in paused and ">Paused</span>" in paused
    assert "Resumed Rent" in resumed and "Next 1 Dec 2026" in resumed
    assert "Ended Rent" in ended and "Ended 24 Nov 2026" in ended


def test_deleting_keeps_the_expenses(app, auth_client):
    add(auth_client)

    response = post_form(
        auth_client, f"/recurring/{recurring_id(app)}/delete", {}, follow_redirects=True
    )

    assert "The expenses it made are kept." in text(response)
    assert "No recurring expenses yet" in text(response)
    assert len(expense_dates(app)) == 3


@pytest.mark.parametrize("action", ["edit", "pause", "resume", "end", "delete"])
def test_another_users_recurring_expense_is_404(app, client, user, other_user, action):
    with app.app_context():
        recurring_expense = recurring.create_recurring(user.id, VALID, TODAY)
        theirs = recurring_expense.id
    log_in(client, other_user.username, other_user.password)
    url = f"/recurring/{theirs}/{action}"

    response = client.get(url) if action == "edit" else post_form(client, url, {})

    assert response.status_code == 404


def test_the_pages_need_a_log_in(client):
    response = client.get("/recurring")

    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_header_and_dashboard_link_to_the_recurring_page(auth_client):
    page = text(auth_client.get("/"))

    assert page.count('href="/recurring"') == 2


def statements_during(app, call) -> list[str]:
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_the_dashboard_fills_in_what_became_due(app, auth_client, user, time_machine):
    add(auth_client)
    time_machine.move_to(noon(dt.date(2027, 1, 5)))
    log_in(auth_client, user.username, user.password)  # weeks later: the session has ended

    statements = statements_during(app, lambda: auth_client.get("/"))

    assert any("recurring_occurrences" in statement for statement in statements)
    assert expense_dates(app)[-2:] == [dt.date(2026, 12, 1), dt.date(2027, 1, 1)]


def test_an_ordinary_dashboard_view_reads_nothing_of_recurring_expenses(app, auth_client):
    add(auth_client)
    auth_client.get("/")

    statements = statements_during(app, lambda: auth_client.get("/"))

    assert statements, "the listener saw the dashboard's queries"
    # The user row's recurring_due column comes with the user; no recurring table is read.
    assert not any("recurring_expenses" in statement for statement in statements)
    assert not any("recurring_occurrences" in statement for statement in statements)


def test_amounts_are_typed_and_shown_in_the_users_convention(app, auth_client, user):
    with app.app_context():
        db.session.get(User, user.id).locale = "de_DE"
        db.session.commit()

    refused = add(auth_client, amount="9.50.50")
    assert refused.status_code == 400
    assert "Did you mean" in text(refused)

    page = text(add(auth_client, amount="1.234,56", follow_redirects=True))
    assert "Added Rent (1.234,56\u00a0€, monthly on the 1st)." in page
    with app.app_context():
        assert [str(a) for a in db.session.scalars(select(Expense.amount))] == ["1234.56"] * 3
    edit_page = text(auth_client.get(f"/recurring/{recurring_id(app)}/edit"))
    assert 'value="1234,56"' in edit_page
    assert "In EUR, like 1.234,56 or 12,5" in edit_page

    response = post_form(
        auth_client,
        f"/recurring/{recurring_id(app)}/edit",
        {**VALID, "amount": "99,90"},
        token_page=f"/recurring/{recurring_id(app)}/edit",
    )
    assert response.status_code == 302
    with app.app_context():
        assert str(db.session.get(RecurringExpense, recurring_id(app)).amount) == "99.90"

"""Dashboard pages: add, edit, delete, the summary, and nothing of anyone else's."""

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from expense_tracker import clock
from expense_tracker.extensions import db
from expense_tracker.models import Expense
from expense_tracker.services import expenses

from ..factories import TODAY
from ..helpers import csrf_token, post_form, text

VALID = {"date": TODAY, "amount": "12.50", "category": "Food", "description": "Lunch"}


def count_expenses(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Expense.id)))


def test_dashboard_has_the_labelled_add_form_with_today_as_the_date(auth_client):
    page = text(auth_client.get("/"))

    for label in ("Date", "Amount", "Category", "Description"):
        assert f">{label}</label>" in page
    assert f'value="{clock.today().isoformat()}"' in page
    assert "Add expense</button>" in page
    assert "Log out</button>" in page


def test_new_user_sees_a_friendly_empty_state(auth_client):
    page = text(auth_client.get("/"))

    assert "Nothing spent yet" in page
    assert "No expenses yet" in page


def test_category_suggestions_include_the_defaults(auth_client):
    page = text(auth_client.get("/"))

    for name in ("Food", "Groceries", "Transport", "Housing", "Utilities", "Other"):
        assert f'<option value="{name}">' in page


def test_adding_an_expense_lists_it_and_updates_the_summary(app, auth_client):
    response = post_form(auth_client, "/expenses", VALID)

    assert response.status_code == 302
    page = text(auth_client.get("/"))
    assert f"Added €12.50 in Food on {TODAY}." in page
    assert "Lunch" in page
    assert re.search(r'data-testid="total">€12\.50<', page)
    assert "100.0%" in page
    assert count_expenses(app) == 1


def test_summary_shows_each_category_total_and_share(auth_client, user, add_expense):
    add_expense(user, amount="1000", category="Rent")
    add_expense(user, amount="250.25", category="Food")
    add_expense(user, amount="249.75", category="food")

    page = text(auth_client.get("/"))

    assert re.search(r'data-testid="total">€1,500\.00<', page)
    rows = re.findall(
        r'</span>(\w+)</th>\s*<td class="num">(€[\d,.]+)</td>\s*<td class="num">([\d.]+%)', page
    )
    assert rows == [("Rent", "€1,000.00", "66.7%"), ("Food", "€500.00", "33.3%")]
    assert "<svg" in page and "Where the money went: Rent 66.7%, Food 33.3%" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "0", "The amount must be greater than zero."),
        ("amount", "-3", "Enter the amount as a number"),
        ("amount", "NaN", "Enter the amount as a number"),
        ("amount", "1e309", "Enter the amount as a number"),
        ("amount", "12.345", "Use at most 2 decimals"),
        ("amount", "", "Enter an amount."),
        ("date", "", "Enter a date."),
        ("date", "2026-02-30", "That date does not exist."),
        ("category", "   ", "Enter a category."),
        ("description", "x" * 201, "Use at most 200 characters for the description."),
    ],
)
def test_bad_input_is_400_with_the_message_beside_the_field(
    app, auth_client, field, value, message
):
    response = post_form(auth_client, "/expenses", {**VALID, field: value})

    assert response.status_code == 400
    page = text(response)
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page)
    assert error and message in error.group(1)
    assert 'value="Lunch"' in page or field == "description"
    assert count_expenses(app) == 0


def test_edit_page_shows_the_expense(auth_client, user, add_expense):
    expense_id = add_expense(user, amount="7.5", category="Transport", description="Bus")

    page = text(auth_client.get(f"/expenses/{expense_id}/edit"))

    assert 'value="7.50"' in page
    assert 'value="Transport"' in page
    assert 'value="Bus"' in page
    assert "Save</button>" in page
    assert "Delete</button>" in page


def test_editing_changes_all_four_fields(app, auth_client, user, add_expense):
    expense_id = add_expense(user)

    response = post_form(
        auth_client,
        f"/expenses/{expense_id}/edit",
        {"date": "2026-01-02", "amount": "99", "category": "Travel", "description": "Train"},
    )

    assert response.status_code == 302
    assert "Saved €99.00 in Travel on 2026-01-02." in text(auth_client.get("/"))
    with app.app_context():
        stored = db.session.get(Expense, expense_id)
        assert (stored.date, str(stored.amount), stored.category.name, stored.description) == (
            dt.date(2026, 1, 2),
            "99.00",
            "Travel",
            "Train",
        )


def test_bad_edit_is_400_and_keeps_the_stored_expense(app, auth_client, user, add_expense):
    expense_id = add_expense(user, amount="5")

    response = post_form(auth_client, f"/expenses/{expense_id}/edit", {**VALID, "amount": "abc"})

    assert response.status_code == 400
    assert 'id="amount-error"' in text(response)
    assert 'value="abc"' in text(response)
    with app.app_context():
        assert str(db.session.get(Expense, expense_id).amount) == "5.00"


def test_deleting_removes_the_expense(app, auth_client, user, add_expense):
    expense_id = add_expense(user)

    response = post_form(auth_client, f"/expenses/{expense_id}/delete", {})

    assert response.status_code == 302
    page = text(auth_client.get("/"))
    assert f"Deleted €12.50 in Food on {TODAY}." in page
    assert "Nothing spent yet" in page
    assert count_expenses(app) == 0


def test_delete_asks_for_confirmation_in_the_browser(auth_client, user, add_expense):
    add_expense(user)

    page = text(auth_client.get("/"))

    # static/app.js asks "Delete <description>?" from the text the button is described by.
    assert re.search(
        rf'<span id="(expense-\d+-what)" class="visually-hidden">€12.50 in Food on {TODAY}</span>'
        r'.*aria-describedby="\1"\s+data-confirm-described>Delete</button>',
        page,
        re.S,
    )


def test_rows_link_to_their_own_edit_and_delete_keeping_the_filter(auth_client, user, add_expense):
    # "/0/" in the filter must not confuse the URLs built once for every row.
    expense_id = add_expense(user, description="a/0/b")

    page = text(auth_client.get("/?period=all&q=/0/"))

    assert re.search(rf'href="/expenses/{expense_id}/edit\?period=all&amp;q=(/0/|%2F0%2F)"', page)
    assert re.search(rf'formaction="/expenses/{expense_id}/delete\?period=all&amp;q=', page)


def test_delete_is_post_only(auth_client, user, add_expense):
    expense_id = add_expense(user)

    assert auth_client.get(f"/expenses/{expense_id}/delete").status_code == 405


def without_csrf_token(page: str) -> str:
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*"', r'\1"', page)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/expenses/{id}/edit"),
        ("post", "/expenses/{id}/edit"),
        ("post", "/expenses/{id}/delete"),
    ],
)
def test_another_users_expense_is_exactly_like_a_missing_one(
    app, auth_client, other_user, add_expense, method, path
):
    theirs = add_expense(other_user, amount="77.70", description="Their secret")
    missing = theirs + 1000

    def request(expense_id):
        url = path.format(id=expense_id)
        if method == "get":
            return auth_client.get(url)
        return post_form(auth_client, url, VALID)

    theirs_response = request(theirs)
    missing_response = request(missing)

    assert theirs_response.status_code == missing_response.status_code == 404
    # The pages are the same but for the form token, which carries the second it was made.
    assert without_csrf_token(text(theirs_response)) == without_csrf_token(text(missing_response))
    assert "77.70" not in text(theirs_response) and "Their secret" not in text(theirs_response)
    with app.app_context():
        stored = db.session.get(Expense, theirs)
        assert (str(stored.amount), stored.description) == ("77.70", "Their secret")


def test_dashboard_lists_only_the_users_own_expenses(auth_client, user, other_user, add_expense):
    add_expense(user, description="Mine")
    add_expense(other_user, amount="500", description="Theirs")

    page = text(auth_client.get("/"))

    assert "Mine" in page
    assert "Theirs" not in page
    assert re.search(r'data-testid="total">€12\.50<', page)


def listed_ids(page: str) -> list[int]:
    """The ids of the expenses a dashboard lists, in the order it lists them."""
    return [int(found) for found in re.findall(r'id="expense-(\d+)-what"', page)]


def test_pages_of_expenses_are_linked_newest_first(auth_client, user, add_expense):
    # Seven days of this month, the default period; TestConfig lists 5 a page.
    this_month = clock.today().replace(day=1)
    ids = [
        add_expense(user, date=this_month.replace(day=day).isoformat(), description=f"Day {day}")
        for day in range(1, 8)
    ]

    first = text(auth_client.get("/"))
    older_link = re.search(r'href="(/\?before=[^"]+)" rel="next"', first).group(1)
    second = text(auth_client.get(older_link.replace("&amp;", "&")))

    assert listed_ids(first) == ids[:1:-1]  # days 7, 6, 5, 4 and 3
    assert listed_ids(second) == [ids[1], ids[0]]
    assert [f"Day {d}" in first for d in range(7, 0, -1)] == [True] * 5 + [False] * 2
    assert 'rel="prev"' in second and 'rel="next"' not in second


@pytest.mark.both_databases
@pytest.mark.parametrize(
    "path",
    [
        "/expenses/99999999999999999999999/edit",
        "/expenses/87178291201/edit",
        "/nope",
        "/expenses/abc/edit",
    ],
)
def test_impossible_addresses_are_404(auth_client, path):
    response = auth_client.get(path)

    assert response.status_code == 404
    assert "Page not found" in text(response)


def test_oversized_body_is_413(auth_client):
    response = post_form(
        auth_client, "/expenses", {**VALID, "description": "x" * (2 * 1024 * 1024)}
    )

    assert response.status_code == 413
    assert "larger than this site accepts" in text(response)


@pytest.mark.both_databases
@pytest.mark.parametrize(
    "junk",
    [
        {"amount": "\x00", "category": "\x00", "description": "\x00", "date": "\x00"},
        {
            "amount": "９",
            "category": "\U0001f4a5\u0301",
            "description": "\u202e",
            "date": TODAY + "\x00",
        },
        {"amount": ["1", "2"], "category": "x" * 10_000, "date": "9999-99-99"},
        {},
    ],
)
def test_junk_input_never_causes_a_500(app, auth_client, junk):
    response = post_form(auth_client, "/expenses", junk)

    assert response.status_code == 400
    assert count_expenses(app) == 0


@pytest.mark.both_databases
def test_non_utf8_bytes_are_read_as_replacement_characters(app, auth_client):
    token = csrf_token(auth_client, "/")
    body = (
        f"csrf_token={token}&date={TODAY}&amount=1&category=%FF%FE&new_category=%FF%FE"
        "&description=%C3%28"
    ).encode()

    response = auth_client.post(
        "/expenses", data=body, content_type="application/x-www-form-urlencoded"
    )

    # Undecodable bytes become U+FFFD, a printable character: the expense is stored.
    assert response.status_code == 302
    assert count_expenses(app) == 1


def test_rows_escape_what_the_user_typed(auth_client, user, add_expense):
    add_expense(user, category='<b>"Food"</b>', description="<script>alert('x')</script> & co")

    page = text(auth_client.get("/"))

    assert "<script>" not in page and "<b>" not in page
    assert '<td data-label="Category">&lt;b&gt;&#34;Food&#34;&lt;/b&gt;</td>' in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co</td>" in page


def test_the_edit_page_carries_the_version_it_shows(auth_client, user, add_expense):
    expense_id = add_expense(user)

    page = text(auth_client.get(f"/expenses/{expense_id}/edit"))

    assert re.search(r'<input id="version" name="version" type="hidden" value="1">', page)
    assert '<input type="hidden" name="version" value="1">' in page


def test_saving_a_page_opened_before_another_change_is_refused_showing_the_new_values(
    app, auth_client, user, add_expense
):
    expense_id = add_expense(user, amount="5", category="Food")
    with app.app_context():
        expenses.update_expense(user.id, expense_id, {"amount": "8", "category": "Rent"})

    response = post_form(
        auth_client, f"/expenses/{expense_id}/edit", {**VALID, "amount": "6", "version": "1"}
    )

    page = text(response)
    assert response.status_code == 409
    assert "This expense was changed since you opened it." in page
    assert 'value="8.00"' in page and 'value="Rent"' in page
    assert 'type="hidden" value="2"' in page
    with app.app_context():
        stored = db.session.get(Expense, expense_id)
        assert (str(stored.amount), stored.category.name) == ("8.00", "Rent")


def test_a_refused_stale_save_shows_what_the_user_tried_to_save(
    app, auth_client, user, add_expense
):
    expense_id = add_expense(user, amount="5", category="Food")
    with app.app_context():
        expenses.update_expense(user.id, expense_id, {"amount": "8"})
    typed = {"date": "2026-12-01", "amount": "12.50", "category": "Food", "description": "lunch"}

    response = post_form(auth_client, f"/expenses/{expense_id}/edit", {**typed, "version": "1"})

    page = text(response)
    assert response.status_code == 409
    assert "Your change: 12.50, Food, 2026-12-01, &#39;lunch&#39;" in page
    assert 'value="8.00"' in page and 'value="lunch"' not in page


def test_deleting_from_a_page_opened_before_another_change_is_refused(
    app, auth_client, user, add_expense
):
    expense_id = add_expense(user, amount="5")
    with app.app_context():
        expenses.update_expense(user.id, expense_id, {"amount": "8"})

    response = post_form(auth_client, f"/expenses/{expense_id}/delete", {"version": "1"})

    assert response.status_code == 409
    assert "It was not deleted" in text(response)
    assert count_expenses(app) == 1

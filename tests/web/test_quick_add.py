"""Quick add (/add), the dashboard's add form and the category question, through the pages."""

import datetime as dt
import gzip
import re

import pytest
from sqlalchemy import func, select

from expense_tracker import clock
from expense_tracker.extensions import db
from expense_tracker.models import Category, Expense

from ..factories import TODAY
from ..helpers import post_form, text
from .test_preferences import save_preferences


def count_expenses(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Expense.id)))


def stored(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(
            select(Expense.date, Expense.amount, Category.name, Expense.description)
            .join(Category)
            .order_by(Expense.id)
        )
        return [(d.isoformat(), str(a), n, desc) for d, a, n, desc in rows]


def quick_add(client, **fields):
    return post_form(client, "/add", fields, token_page="/add")


# The page


def test_quick_add_opens_with_the_amount_focused_and_a_decimal_keypad(auth_client):
    page = text(auth_client.get("/add"))

    amount = re.search(r'<input id="amount"[^>]*>', page)[0]
    assert 'inputmode="decimal"' in amount
    assert " autofocus" in amount
    assert page.count(" autofocus") == 1
    assert f'id="date" name="date" type="date" value="{TODAY}"' in page


def test_quick_add_needs_a_log_in(client):
    response = client.get("/add")

    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_a_new_user_is_offered_the_default_categories_as_buttons(auth_client):
    page = text(auth_client.get("/add"))

    chips = re.findall(r'name="chip" value="([^"]+)"', page)
    assert chips == [
        "Food",
        "Groceries",
        "Transport",
        "Housing",
        "Utilities",
        "Health",
        "Entertainment",
        "Shopping",
    ]


def test_the_most_used_categories_come_first(auth_client, user, add_expense):
    for _ in range(3):
        add_expense(user, category="Coffee")
    add_expense(user, category="Books")

    page = text(auth_client.get("/add"))

    chips = re.findall(r'name="chip" value="([^"]+)"', page)
    assert chips[:2] == ["Coffee", "Books"]
    # The full list is behind the search field's suggestions.
    assert '<option value="Travel">' in page


def test_every_page_links_to_quick_add_in_the_header(auth_client):
    page = text(auth_client.get("/settings"))

    header = page.split("</header>")[0]
    assert 'href="/add"' in header


# Saving


def test_a_tapped_category_button_stores_the_expense_today(app, auth_client):
    response = quick_add(auth_client, amount="4.50", chip="Food", date=TODAY)

    assert response.status_code == 302
    assert stored(app) == [(TODAY, "4.50", "Food", "")]


def test_after_saving_it_says_what_was_stored_and_offers_undo(app, auth_client):
    response = quick_add(auth_client, amount="4.50", chip="Food", date=TODAY)

    page = text(auth_client.get(response.headers["Location"]))
    assert "Stored €4.50 in Food, today." in page
    assert re.search(r'action="/add/\d+/undo"', page)
    assert 'id="amount" name="amount" type="text" value=""' in page
    assert f'value="{TODAY}"' in page
    assert " checked" not in page


def test_the_date_chosen_is_kept_for_the_next_one_and_nothing_else(app, auth_client):
    day = (clock.today() - dt.timedelta(days=3)).isoformat()

    response = quick_add(auth_client, amount="4.50", category="Food", date=day, description="Bus")

    assert response.headers["Location"].startswith(f"/add?date={day}&stored=")
    page = text(auth_client.get(response.headers["Location"]))
    assert f'id="date" name="date" type="date" value="{day}"' in page
    assert 'id="description" name="description" type="text" value=""' in page
    assert 'id="category" name="category" type="text" value=""' in page
    assert f"Stored €4.50 in Food, on {day}." in page


def test_today_is_not_carried_in_the_url(auth_client):
    response = quick_add(auth_client, amount="4.50", category="Food", date=TODAY)

    assert re.fullmatch(r"/add\?stored=\d+", response.headers["Location"])


def test_a_typed_category_wins_over_a_tapped_button(app, auth_client):
    quick_add(auth_client, amount="1", category="Groceries", chip="Food", date=TODAY)

    assert stored(app)[0][2] == "Groceries"


def test_the_amount_is_read_in_the_users_number_format(app, auth_client):
    save_preferences(auth_client)  # German: 1.234,56

    quick_add(auth_client, amount="4,50", chip="Food", date=TODAY)

    assert stored(app) == [(TODAY, "4.50", "Food", "")]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": "", "chip": "Food"}, "amount"),
        ({"amount": "abc", "chip": "Food"}, "amount"),
        ({"amount": "4.50"}, "category"),
        ({"amount": "4.50", "chip": "Food", "date": "2026-02-30"}, "date"),
    ],
)
def test_bad_input_comes_back_beside_its_field_and_focused(app, auth_client, fields, field):
    response = quick_add(auth_client, **{"date": TODAY, **fields})

    assert response.status_code == 400
    page = text(response)
    tag = re.search(rf'<input id="{field}"[^>]*>', page)[0]
    assert 'aria-invalid="true"' in tag
    assert " autofocus" in tag
    assert f'id="{field}-error"' in page
    assert count_expenses(app) == 0


def test_a_bad_date_opens_the_date_and_description_part(auth_client):
    page = text(quick_add(auth_client, amount="1", chip="Food", date="nope"))

    assert '<details class="quick-more" open>' in page


# Undo


def undo_url(response) -> str:
    expense_id = re.search(r"stored=(\d+)", response.headers["Location"])[1]
    return f"/add/{expense_id}/undo"


def test_undo_deletes_the_expense_and_gives_its_values_back(app, auth_client):
    saved = quick_add(auth_client, amount="4.50", chip="Food", date=TODAY, description="Tea")

    response = post_form(auth_client, undo_url(saved), {}, token_page="/add")

    assert response.status_code == 302
    assert count_expenses(app) == 0
    page = text(auth_client.get(response.headers["Location"]))
    assert "Undone: €4.50 in Food, today is not stored any more." in page
    assert 'id="amount" name="amount" type="text" value="4.50"' in page
    assert 'id="category" name="category" type="text" value="Food"' in page
    assert 'id="description" name="description" type="text" value="Tea"' in page


def test_undo_needs_the_csrf_token(app, auth_client):
    saved = quick_add(auth_client, amount="4.50", chip="Food", date=TODAY)

    response = auth_client.post(undo_url(saved), data={})

    assert response.status_code == 400
    assert count_expenses(app) == 1


def test_another_users_expense_cannot_be_undone(app, client, auth_client, other_user, add_expense):
    theirs = add_expense(other_user, amount="9.99")

    response = post_form(auth_client, f"/add/{theirs}/undo", {}, token_page="/add")

    assert response.status_code == 404
    assert count_expenses(app) == 1


def test_another_users_expense_is_not_shown_as_stored(auth_client, other_user, add_expense):
    theirs = add_expense(other_user, amount="9.99", category="Secret")

    page = text(auth_client.get(f"/add?stored={theirs}"))

    assert "Secret" not in page and "Stored" not in page


def test_an_expense_changed_since_it_was_stored_is_not_undone(app, auth_client):
    saved = quick_add(auth_client, amount="4.50", chip="Food", date=TODAY)
    expense_id = int(re.search(r"stored=(\d+)", saved.headers["Location"])[1])
    page = text(auth_client.get(saved.headers["Location"]))
    version = re.search(r'name="version" value="(\d+)"', page)[1]
    post_form(
        auth_client,
        f"/expenses/{expense_id}/edit",
        {"date": TODAY, "amount": "5", "category": "Food", "version": version},
    )

    response = post_form(auth_client, undo_url(saved), {"version": version}, token_page="/add")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/expenses/{expense_id}/edit"
    assert count_expenses(app) == 1


# A category that does not exist yet


def test_a_mistyped_category_is_asked_about_with_near_matches(app, auth_client, user, add_expense):
    add_expense(user, category="Groceries")

    response = quick_add(auth_client, amount="4.50", category="Gro", date=TODAY)

    assert response.status_code == 400
    page = text(response)
    assert "There is no category “Gro” yet." in page
    assert 'name="pick_category" value="Groceries"' in page
    assert 'name="new_category" value="Gro"' in page
    assert "Create a new category “Gro”" in page
    assert count_expenses(app) == 1


@pytest.mark.parametrize("url", ["/add", "/expenses"])
def test_enter_still_saves_when_the_question_is_shown(auth_client, url):
    page = text(post_form(auth_client, url, {"amount": "1", "category": "Gro", "date": TODAY}))

    # Enter presses a form's first submit button: the plain one, before the near matches.
    form = page[page.index(f'action="{url}"') :]
    first = re.search(r"<button[^>]*>", form)[0]
    assert 'type="submit"' in first and "name=" not in first


def test_a_near_match_tap_stores_under_it(app, auth_client, user, add_expense):
    add_expense(user, category="Groceries")

    quick_add(auth_client, amount="4.50", category="Gro", pick_category="Groceries", date=TODAY)

    assert stored(app)[-1] == (TODAY, "4.50", "Groceries", "")


@pytest.mark.parametrize("url", ["/add", "/expenses"])
def test_confirming_makes_the_new_category(app, auth_client, url):
    post_form(
        auth_client, url, {"amount": "2", "category": "Gro", "new_category": "Gro", "date": TODAY}
    )

    assert stored(app) == [(TODAY, "2.00", "Gro", "")]


def test_the_dashboard_asks_too(app, auth_client):
    response = post_form(
        auth_client, "/expenses", {"amount": "2", "category": "Gro", "date": TODAY}
    )

    assert response.status_code == 400
    page = text(response)
    assert 'name="pick_category" value="Groceries"' in page
    assert count_expenses(app) == 0


def test_the_edit_page_asks_too(app, auth_client, user, add_expense):
    expense_id = add_expense(user, category="Food")
    url = f"/expenses/{expense_id}/edit"

    response = post_form(
        auth_client, url, {"amount": "2", "category": "Fod", "date": TODAY}, token_page=url
    )

    assert response.status_code == 400
    assert 'name="pick_category" value="Food"' in text(response)
    assert stored(app)[0][2] == "Food"


# The dashboard's add form


def test_after_adding_on_the_dashboard_the_date_stays_and_amount_is_focused(app, auth_client):
    day = (clock.today() - dt.timedelta(days=2)).isoformat()

    response = post_form(auth_client, "/expenses", {"amount": "3", "category": "Food", "date": day})

    assert response.status_code == 302
    page = text(auth_client.get(response.headers["Location"]))
    assert f'id="date" name="date" type="date" value="{day}"' in page
    assert re.search(r'<input id="amount"[^>]*autofocus', page)
    # The category is not kept: Enter after the next amount must not file it silently.
    assert 'id="category" name="category" type="text" value=""' in page


def test_the_dashboard_keeps_its_filters_and_the_date_after_adding(auth_client):
    response = post_form(
        auth_client, "/expenses?period=all", {"amount": "3", "category": "Food", "date": TODAY}
    )

    assert response.headers["Location"] == f"/?period=all&date={TODAY}"


def test_a_date_in_the_url_that_is_not_one_falls_back_to_today(auth_client):
    page = text(auth_client.get("/?date=2026-13-45"))

    assert f'id="date" name="date" type="date" value="{TODAY}"' in page
    assert "autofocus" not in page


# Weight and policy


def test_quick_adds_html_css_and_js_weigh_under_30_kb_compressed(auth_client, user, add_expense):
    for name in ("Coffee", "Books", "Rent", "Bus", "Lunch", "Fuel", "Gym", "Cinema", "Pharmacy"):
        add_expense(user, category=name)
    page = auth_client.get("/add").get_data()
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', page)
    assert {a.rsplit(b".", 1)[1] for a in assets} == {b"css", b"js"}

    # The service worker and the manifest come with the page too.
    assert b'data-service-worker="/sw.js"' in page and b'href="/manifest.webmanifest"' in page
    assets += [b"/sw.js", b"/manifest.webmanifest"]

    weight = len(gzip.compress(page)) + sum(
        len(gzip.compress(auth_client.get(asset.decode()).get_data())) for asset in assets
    )

    assert weight < 30 * 1024


def test_quick_add_has_no_inline_script_or_style_under_the_usual_policy(auth_client):
    response = auth_client.get("/add")
    page = text(response)

    assert "<script>" not in page and "<style" not in page and " style=" not in page
    assert not re.search(r"<[^>]*\son[a-z]+=", page)  # no event handler attributes
    policy = response.headers["Content-Security-Policy"]
    assert policy == auth_client.get("/").headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy

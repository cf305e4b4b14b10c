"""The categories pages: list, add, rename, recolour, merge and delete, through forms."""

from __future__ import annotations

import re

import pytest

from expense_tracker.extensions import db
from expense_tracker.services import categories, totals

from ..helpers import post_form, text


def category_ids(app, person) -> dict[str, int]:
    with app.app_context():
        return {c.name: c.id for c in categories.list_categories(person.id)}


def send(client, url: str, data: dict):
    return post_form(client, url, data, token_page="/categories")


def test_the_page_is_private_and_linked_from_the_header(client, auth_client):
    assert 'href="/categories"' in text(auth_client.get("/"))
    visitor = client.application.test_client().get("/categories")
    assert visitor.status_code == 302 and "/auth/login" in visitor.headers["Location"]


def test_the_list_shows_each_category_with_colour_count_and_all_time_total(
    auth_client, user, add_expense
):
    add_expense(user, amount="1250", category="Housing", date="2025-12-01")
    add_expense(user, amount="2.5", category="Food", date="2026-01-01")
    add_expense(user, amount="3", category="food", date="2026-02-01")

    page = text(auth_client.get("/categories"))

    rows = re.findall(r'<tr>\s*<th scope="row">(.*?)</tr>', page, re.S)
    cells = [re.sub(r"<[^>]+>|\s+", " ", row).split() for row in rows]
    assert cells == [["Food", "Amber", "2", "€5.50"], ["Housing", "Teal", "1", "€1,250.00"]]
    assert 'class="swatch c1"' in page and 'class="swatch c0"' in page


def test_adding_a_category_lists_it_empty(auth_client, user, app):
    response = send(auth_client, "/categories", {"name": "Pets"})

    assert response.status_code == 302
    assert "Pets" in category_ids(app, user)
    assert "Added the category “Pets”." in text(auth_client.get("/categories"))


def test_adding_a_name_you_have_is_shown_beside_the_field(auth_client, user, add_expense):
    add_expense(user, category="Food")

    response = send(auth_client, "/categories", {"name": "FOOD"})

    assert response.status_code == 400
    assert re.search(
        r'class="field-error" id="name-error">[^<]*already have a category called “Food”',
        text(response),
    )


def test_renaming_is_followed_by_the_dashboard(auth_client, user, add_expense, app):
    add_expense(user, category="Fod", description="Lunch")
    fod = category_ids(app, user)["Fod"]

    response = send(auth_client, f"/categories/{fod}/name", {"name": "Food"})

    assert response.status_code == 302
    dashboard = text(auth_client.get("/"))
    assert 'data-label="Category">Food</td>' in dashboard


def test_renaming_to_a_name_you_have_suggests_merging_beside_the_field(
    auth_client, user, add_expense, app
):
    add_expense(user, category="Food")
    add_expense(user, category="Lunch")
    lunch = category_ids(app, user)["Lunch"]

    response = send(auth_client, f"/categories/{lunch}/name", {"name": "food"})

    assert response.status_code == 400
    page = text(response)
    assert re.search(r'id="name-error">[^<]*“Food”[^<]*merge this category into it', page)
    assert 'aria-invalid="true"' in page


def test_the_name_and_colour_forms_carry_the_version_the_page_shows(
    auth_client, user, add_expense, app
):
    add_expense(user, category="Food")
    food = category_ids(app, user)["Food"]

    page = text(auth_client.get(f"/categories/{food}"))

    assert page.count('<input type="hidden" name="version" value="1">') == 2


@pytest.mark.both_databases
@pytest.mark.parametrize(
    ("form", "sent", "change"),
    [
        ("name", {"name": "Dining"}, "Your change: the name &#39;Dining&#39;."),
        ("color", {"color": "3"}, "Your change: the colour Pink."),
    ],
)
def test_a_change_from_a_page_opened_before_another_is_refused_showing_both(
    auth_client, user, add_expense, app, form, sent, change
):
    add_expense(user, category="Food")
    food = category_ids(app, user)["Food"]
    with app.app_context():
        categories.update_category(user.id, food, {"name": "Meals", "color": "5"})

    response = send(auth_client, f"/categories/{food}/{form}", {**sent, "version": "1"})

    page = text(response)
    assert response.status_code == 409
    assert "This category was changed since you opened it." in page
    assert change in page
    assert 'id="name" name="name" type="text" value="Meals"' in page
    assert re.search(r'name="color" value="5"\s+checked>', page)
    assert page.count('<input type="hidden" name="version" value="2">') == 2
    with app.app_context():
        stored = categories.category_balance(user.id, food)
        assert (stored.name, stored.color) == ("Meals", 5)


def test_choosing_a_colour_paints_the_dashboard_donut(auth_client, user, add_expense, app):
    add_expense(user, category="Food")
    food = category_ids(app, user)["Food"]

    response = send(auth_client, f"/categories/{food}/color", {"color": "6"})

    assert response.status_code == 302
    dashboard = text(auth_client.get("/"))
    assert 'class="donut-segment c6"' in dashboard
    assert 'class="swatch c6"' in dashboard
    edit = text(auth_client.get(f"/categories/{food}"))
    assert re.search(r'value="6"\s+checked>', edit)


def test_a_colour_not_offered_is_refused_beside_the_picker(auth_client, user, add_expense, app):
    add_expense(user, category="Food")
    food = category_ids(app, user)["Food"]

    response = send(auth_client, f"/categories/{food}/color", {"color": "12"})

    assert response.status_code == 400
    assert 'id="color-error">Choose one of the colours.' in text(response)


def test_merging_moves_the_expenses_and_keeps_totals_right(auth_client, user, add_expense, app):
    add_expense(user, amount="4", category="Lunch", date="2026-01-03")
    add_expense(user, amount="6", category="Food", date="2026-01-04")
    found = category_ids(app, user)

    page = text(auth_client.get(f"/categories/{found['Lunch']}"))
    assert "data-confirm=" in page and f'<option value="{found["Food"]}">Food</option>' in page
    response = send(auth_client, f"/categories/{found['Lunch']}/merge", {"into": found["Food"]})

    assert response.status_code == 302
    assert "Merged “Lunch” into “Food”." in text(auth_client.get("/categories"))
    with app.app_context():
        assert [(c.name, c.count) for c in categories.list_categories(user.id)] == [("Food", 2)]
        assert totals.check_monthly_totals() == []


def test_merging_without_choosing_is_refused_beside_the_select(auth_client, user, add_expense, app):
    add_expense(user, category="Lunch")
    add_expense(user, category="Food")
    lunch = category_ids(app, user)["Lunch"]

    response = send(auth_client, f"/categories/{lunch}/merge", {"into": ""})

    assert response.status_code == 400
    assert 'id="into-error">Choose the category to merge this one into.' in text(response)


def test_delete_is_offered_and_works_only_without_expenses(auth_client, user, add_expense, app):
    add_expense(user, category="Food")
    send(auth_client, "/categories", {"name": "Pets"})
    found = category_ids(app, user)

    assert "Delete category" not in text(auth_client.get(f"/categories/{found['Food']}"))
    assert "Delete category" in text(auth_client.get(f"/categories/{found['Pets']}"))
    refused = send(auth_client, f"/categories/{found['Food']}/delete", {})
    deleted = send(auth_client, f"/categories/{found['Pets']}/delete", {})

    assert refused.status_code == 409 and "still has expenses" in text(refused)
    assert deleted.status_code == 302
    assert list(category_ids(app, user)) == ["Food"]


def test_another_persons_category_is_404_on_every_page(auth_client, other_user, add_expense, app):
    add_expense(other_user, category="Theirs")
    theirs = category_ids(app, other_user)["Theirs"]

    assert auth_client.get(f"/categories/{theirs}").status_code == 404
    for action, data in [("name", {"name": "X"}), ("color", {"color": "1"}), ("delete", {})]:
        assert send(auth_client, f"/categories/{theirs}/{action}", data).status_code == 404
    with app.app_context():
        db.session.expire_all()
        assert [c.name for c in categories.list_categories(other_user.id)] == ["Theirs"]


def test_forms_without_a_csrf_token_are_refused(auth_client, user, add_expense, app):
    add_expense(user, category="Food")
    food = category_ids(app, user)["Food"]

    response = auth_client.post(f"/categories/{food}/name", data={"name": "Changed"})

    assert response.status_code == 400
    assert list(category_ids(app, user)) == ["Food"]

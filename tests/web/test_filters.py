"""The dashboard's period and filters: in the URL, applied to list and summary alike."""

import datetime as dt
import re

import pytest

from ..factories import TODAY
from ..helpers import post_form, text

LONG_AGO = "2020-03-15"


def total(page: str) -> str | None:
    match = re.search(r'data-testid="total">([^<]+)<', page)
    return match and match.group(1)


def test_this_month_is_the_default_and_marked_current(auth_client, user, add_expense):
    add_expense(user, amount="5", description="Recent")
    add_expense(user, amount="500", date=LONG_AGO, description="Old")

    page = text(auth_client.get("/"))

    assert 'aria-current="page">This month</a>' in page
    assert "Recent" in page and "Old" not in page
    assert total(page) == "€5.00"


def test_all_time_shows_every_expense(auth_client, user, add_expense):
    add_expense(user, amount="5", description="Recent")
    add_expense(user, amount="500", date=LONG_AGO, description="Old")

    page = text(auth_client.get("/?period=all"))

    assert 'aria-current="page">All time</a>' in page
    assert "Recent" in page and "Old" in page
    assert total(page) == "€505.00"


def test_custom_range_and_filters_narrow_list_and_summary_alike(auth_client, user, add_expense):
    add_expense(user, amount="12", category="Food", date="2020-03-02", description="Coffee beans")
    add_expense(user, amount="3", category="Food", date="2020-03-03", description="coffee")
    add_expense(user, amount="40", category="Food", date="2020-03-04", description="Weekly shop")
    add_expense(user, amount="9", category="Fun", date="2020-03-05", description="Coffee date")
    add_expense(user, amount="8", category="Food", date="2020-04-01", description="Coffee")

    page = text(
        auth_client.get(
            "/?period=custom&from=2020-03-01&to=2020-03-31&category=food&q=COFFEE&min=5"
        )
    )

    assert total(page) == "€12.00"
    assert "Coffee beans" in page
    for other in ("Weekly shop", "Coffee date", ">coffee<"):
        assert other not in page
    assert 'value="COFFEE"' in page
    assert '<option value="Food" selected>' in page


def test_period_links_keep_the_other_filters(auth_client, user, add_expense):
    add_expense(user, category="Food")

    page = text(auth_client.get("/?period=this-month&category=Food&q=x"))

    assert 'href="/?category=Food&amp;q=x&amp;period=all"' in page


def test_bad_filters_are_400_with_messages_beside_their_fields(auth_client):
    response = auth_client.get("/?period=custom&from=2020-02-30&min=abc")

    assert response.status_code == 400
    page = text(response)
    assert re.search(r'id="filter-from-error">That date does not exist.<', page)
    assert re.search(r'id="filter-min-error">Enter the amount as a number', page)


@pytest.mark.both_databases
def test_a_category_or_search_with_control_characters_is_400_beside_the_field(auth_client):
    response = auth_client.get("/?category=%00&q=a%1Bb")

    assert response.status_code == 400
    page = text(response)
    assert (
        'id="filter-category-error">The category contains characters that are not allowed.<' in page
    )
    assert 'id="filter-q-error">The search contains characters that are not allowed.<' in page


def test_the_summary_compares_with_the_previous_period(auth_client, user, add_expense):
    today = dt.date.fromisoformat(TODAY)
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).isoformat()
    add_expense(user, amount="50", date=last_month)
    add_expense(user, amount="75")

    page = text(auth_client.get("/"))

    assert re.search(r"Previous period: €50\.00\s*<span[^>]*>\s*\(\+50\.0%\)", page)


def test_adding_from_a_filtered_dashboard_returns_to_it(auth_client):
    response = post_form(
        auth_client,
        "/expenses?period=all&category=Food",
        {"date": TODAY, "amount": "1", "category": "Food", "description": ""},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"/?period=all&category=Food&date={TODAY}"


def test_an_empty_period_says_so_and_offers_all_time(auth_client, user, add_expense):
    add_expense(user, date=LONG_AGO)

    page = text(auth_client.get("/"))

    assert "No expenses match" in page
    assert "Nothing spent yet" not in page
    assert 'href="/?period=all">Show all time</a>' in page

"""The budgets page and the dashboard's budgets card and monthly trend."""

import datetime as dt
import re

import pytest
from sqlalchemy import event

from expense_tracker import clock
from expense_tracker.extensions import db
from expense_tracker.models import User
from expense_tracker.services import budgets

from ..factories import TODAY
from ..helpers import post_form, text

THIS_MONTH = clock.today().strftime("%B %Y")


def field_names(page: str) -> dict[str, str]:
    """The budget page's category fields: category name to the amount field's name."""
    names = re.findall(r'type="hidden" name="(name_\d+)" value="([^"]*)"', page)
    return {value: key.replace("name_", "amount_") for key, value in names}


def save(client, overall: str = "", **amounts: str):
    page = text(client.get("/budgets"))
    fields = field_names(page)
    data = {"overall": overall}
    for name, amount_field in fields.items():
        data[amount_field.replace("amount_", "name_")] = name
        data[amount_field] = amounts.get(name, "")
    return post_form(client, "/budgets", data, token_page="/budgets")


def test_budgets_page_is_private_and_linked_from_the_header(client, auth_client):
    assert 'href="/budgets"' in text(auth_client.get("/"))
    visitor = client.application.test_client().get("/budgets")
    assert visitor.status_code == 302 and "/auth/login" in visitor.headers["Location"]


def test_saving_budgets_shows_them_on_the_page_again(auth_client):
    response = save(auth_client, "500", Food="100", Travel="60.5")

    assert response.status_code == 302
    page = text(auth_client.get("/budgets"))
    assert "Saved your budgets." in page
    assert 'name="overall" type="text" value="500.00"' in page
    fields = field_names(page)
    assert f'name="{fields["Food"]}" type="text" value="100.00"' in page
    assert f'name="{fields["Travel"]}" type="text" value="60.50"' in page


def test_amounts_are_typed_and_shown_in_the_users_convention(app, auth_client, user):
    with app.app_context():
        db.session.get(User, user.id).locale = "de_DE"
        db.session.commit()

    refused = save(auth_client, "1.500.50")  # "1500.50" is unambiguous, two dots are not
    assert refused.status_code == 400
    assert "Did you mean" in text(refused)

    assert save(auth_client, "1.500,50", Food="99,9").status_code == 302
    page = text(auth_client.get("/budgets"))
    assert 'name="overall" type="text" value="1500,50"' in page
    assert f'name="{field_names(page)["Food"]}" type="text" value="99,90"' in page
    assert "Amounts are in EUR, like 1.234,56 or 12,5." in page


def test_a_bad_amount_is_shown_beside_its_field_and_nothing_is_saved(auth_client):
    save(auth_client, "500")

    response = save(auth_client, "abc", Food="0")

    assert response.status_code == 400
    page = text(response)
    food = field_names(page)["Food"]
    assert re.search(rf'id="{food}-error">The amount must be greater than zero.<', page)
    assert re.search(r'id="overall-error">Enter the amount as a number', page)
    assert 'value="abc"' in page
    assert 'name="overall" type="text" value="500.00"' in text(auth_client.get("/budgets"))


def test_without_budgets_the_dashboard_offers_to_set_one(auth_client):
    page = text(auth_client.get("/"))

    assert 'No monthly budget yet. <a href="/budgets">Set a budget</a>' in page


def test_the_dashboard_shows_spent_left_and_over(auth_client, user, add_expense):
    save(auth_client, "100", Food="20", Travel="50")
    add_expense(user, amount="25", category="Food", date=TODAY)
    add_expense(user, amount="50", category="Travel", date=TODAY)

    page = text(auth_client.get("/"))

    assert f"{THIS_MONTH}, every expense" in page
    assert re.search(r"All spending</span>\s*<span [^>]*>€75.00 of €100.00", page)
    assert "€25.00 left (75.0% spent)" in page
    assert "⚠ Over budget by €5.00</strong> (125.0%)" in page
    assert "<strong>Budget reached:</strong> nothing left (100%)" in page


def test_a_period_of_several_months_shows_this_months_budgets(auth_client, user, add_expense):
    save(auth_client, "100")
    add_expense(user, amount="30", date=TODAY)
    add_expense(user, amount="500", date="2020-01-01")

    page = text(auth_client.get("/?period=all&category=Rent"))

    assert f"{THIS_MONTH}, every expense" in page
    assert re.search(r"All spending</span>\s*<span [^>]*>€30.00 of €100.00", page)


@pytest.mark.parametrize("period", ["this-year", "all", "last-30-days"])
def test_a_longer_period_takes_this_months_budget_spending_from_the_trend(
    auth_client, user, add_expense, period
):
    save(auth_client, "100", Food="20")
    add_expense(user, amount="25", category="Food", date=TODAY)
    last_month = clock.today().replace(day=1) - dt.timedelta(days=1)
    add_expense(user, amount="500", category="Food", date=last_month.isoformat())

    page = text(auth_client.get(f"/?period={period}"))

    # The trend's months hold this month's spending by category: the card reads it there.
    assert f"{THIS_MONTH}, every expense" in page
    assert re.search(r"All spending</span>\s*<span [^>]*>€25.00 of €100.00", page)
    assert "⚠ Over budget by €5.00</strong> (125.0%)" in page


def test_the_trend_is_on_the_dashboard_with_a_table_of_its_months(auth_client, user, add_expense):
    add_expense(user, amount="12.50", category="Food", date=TODAY)

    page = text(auth_client.get("/"))

    assert 'class="trend-chart"' in page
    month = clock.today().strftime("%b %Y")
    assert re.search(
        rf'<tr class="in-period"><th scope="row">{month}</th><td class="num">12.50<', page
    )
    assert page.count('<rect class="bar ') == 1


def test_a_text_search_leaves_the_trend_to_its_own_request(auth_client, user, add_expense):
    add_expense(user, amount="3.40", category="Food", date=TODAY, description="coffee")
    add_expense(user, amount="9.00", category="Food", date=TODAY, description="lunch")

    page = text(auth_client.get("/?category=Food&q=coffee"))

    assert 'class="trend-chart"' not in page
    assert 'href="/trend?category=Food&amp;q=coffee"' in page
    assert 'data-fragment="/trend/card?category=Food&amp;q=coffee"' in page
    card = text(auth_client.get("/trend/card?category=Food&q=coffee"))
    assert card.lstrip().startswith('<section class="card trend"')
    assert '<td class="num">3.40</td></tr>' in card and "9.00" not in card
    full = text(auth_client.get("/trend?category=Food&q=coffee"))
    assert "<h1" in full and "3.40" in full


def test_a_bad_filter_on_the_trend_is_400(auth_client):
    assert auth_client.get("/trend/card?min=abc").status_code == 400


def statements_of(client, url: str) -> list[str]:
    """The SQL statements one request runs."""
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    with client.application.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_budgets_and_the_trend_add_no_query_to_the_default_dashboard(
    auth_client, user, add_expense
):
    add_expense(user, amount="5", category="Food", date=TODAY)
    without = statements_of(auth_client, "/")
    save(auth_client, "100", Food="20")

    with_budgets = statements_of(auth_client, "/")

    assert len(with_budgets) == len(without)
    # The trend's one read of the monthly totals also gives the summary and the budgets' spending.
    assert sum("monthly_totals" in statement for statement in with_budgets) == 1


def hidden_fields(page: str) -> dict[str, str]:
    """Every hidden input of the budgets form (names and the amounts shown), as sent back."""
    return dict(re.findall(r'type="hidden" name="((?:name|shown)_\w+)" value="([^"]*)"', page))


def typed_into(page: str, overall: str = "", **amounts: str) -> dict[str, str]:
    """What the page's form sends when these amounts are typed into it (others left blank)."""
    data = {"overall": overall, **hidden_fields(page)}
    for name, amount_field in field_names(page).items():
        data[amount_field] = amounts.get(name, "")
    return data


def test_the_page_keeps_the_amounts_it_shows(auth_client):
    save(auth_client, "500", Food="100")

    hidden = hidden_fields(text(auth_client.get("/budgets")))

    assert hidden["shown_overall"] == "500.00"
    shown = {
        hidden[f"name_{key[6:]}"]: value
        for key, value in hidden.items()
        if key.startswith("shown_") and key[6:].isdigit()
    }
    assert (shown["Food"], shown["Travel"]) == ("100.00", "")


@pytest.mark.both_databases
def test_a_save_over_budgets_changed_in_another_tab_is_refused_showing_both(auth_client, app, user):
    save(auth_client, "500", Food="100", Travel="60")
    opened = text(auth_client.get("/budgets"))
    with app.app_context():
        budgets.replace_budgets(user.id, "500", {"Food": "150", "Travel": "60"})

    response = post_form(
        auth_client,
        "/budgets",
        typed_into(opened, "600", Food="120", Travel="70"),
        token_page="/budgets",
    )

    page = text(response)
    assert response.status_code == 409
    assert "Some budgets were changed since you opened this page." in page
    food, travel = field_names(page)["Food"], field_names(page)["Travel"]
    assert f'name="{food}" type="text" value="150.00"' in page
    assert re.search(rf'id="{food}-error">Changed meanwhile to 150.00. Your change: 120.<', page)
    assert f'name="{travel}" type="text" value="70"' in page
    assert 'name="overall" type="text" value="600"' in page
    with app.app_context():
        lines = budgets.month_budgets(user.id, clock.today().replace(day=1)).lines
        assert [str(line.amount) for line in lines] == ["500.00", "150.00", "60.00"]


def test_saving_the_refused_page_again_applies_the_rest_in_one_step(auth_client, app, user):
    save(auth_client, "500", Food="100", Travel="60")
    opened = text(auth_client.get("/budgets"))
    with app.app_context():
        budgets.replace_budgets(user.id, "500", {"Food": "150", "Travel": "60"})
    data = typed_into(opened, "600", Food="120", Travel="70")
    refused = text(post_form(auth_client, "/budgets", data, token_page="/budgets"))

    again = typed_into(refused, "600", Food="150", Travel="70")
    response = post_form(auth_client, "/budgets", again, token_page="/budgets")

    assert response.status_code == 302
    with app.app_context():
        lines = budgets.month_budgets(user.id, clock.today().replace(day=1)).lines
        assert [str(line.amount) for line in lines] == ["600.00", "150.00", "70.00"]


def test_a_form_without_the_amounts_shown_is_saved_as_before(auth_client, app, user):
    # As from a page made before the form kept them, or a script: the last save wins.
    with app.app_context():
        budgets.replace_budgets(user.id, None, {"Entertainment": "10"})

    response = post_form(
        auth_client,
        "/budgets",
        {"overall": "", "name_0": "Travel", "amount_0": "7"},
        token_page="/budgets",
    )

    assert response.status_code == 302
    assert "Saved your budgets." in text(auth_client.get("/budgets"))

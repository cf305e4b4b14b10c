"""GET /api/v1/dashboard: the page's figures, from the same use case, for the token's owner."""

from __future__ import annotations

import datetime as dt

from ..helpers import noon, text
from .conftest import assert_problem
from .test_expenses import add

NOVEMBER = "period=custom&from=2026-11-01&to=2026-11-30"


def put_budgets(api, overall: str, **categories: str) -> None:
    response = api.client.put(
        "/api/v1/budgets",
        json={"overall": overall, "categories": categories},
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code == 200, response.get_json()


def test_the_dashboard_gives_the_same_figures_as_the_other_operations(api):
    add(api, "2026-10-31", "100.00", "Rent", "October rent")
    add(api, "2026-11-01", "10.10", "Food", "Lunch")
    add(api, "2026-11-30", "20.20", "Food", "Dinner")
    add(api, "2026-12-01", "999.00", "Rent")
    put_budgets(api, "50", Food="25")

    response = api.get(f"/api/v1/dashboard?{NOVEMBER}")

    assert response.status_code == 200
    body = response.get_json()
    assert (body["period"], body["from"], body["to"]) == ("custom", "2026-11-01", "2026-11-30")
    assert body["summary"] == api.get("/api/v1/summary?from=2026-11-01&to=2026-11-30").get_json()
    assert body["trend"] == api.get("/api/v1/trend?month=2026-11").get_json()
    assert body["budgets"] == api.get("/api/v1/budgets?month=2026-11").get_json()
    assert body["comparison"] == {
        "from": "2026-10-02",
        "to": "2026-10-31",
        "total": "100.00",
        "change_percent": "-69.7",
    }
    assert body["categories"] == ["Food", "Rent"]
    assert [item["description"] for item in body["expenses"]["items"]] == ["Dinner", "Lunch"]
    assert body["expenses"]["next"] is None


def test_the_dashboard_matches_the_page_for_the_same_parameters(api, auth_client):
    add(api, "2026-05-02", "12.34", "Food")
    add(api, "2026-05-20", "7.66", "Travel")
    query = "period=custom&from=2026-05-01&to=2026-05-31&category=food"

    body = api.get(f"/api/v1/dashboard?{query}").get_json()
    page = text(auth_client.get(f"/?{query}"))

    assert body["summary"]["total"] == "12.34"
    assert [share["category"] for share in body["summary"]["categories"]] == ["Food"]
    assert '<span class="total-amount" data-testid="total">€12.34</span>' in page
    assert "1 expense<" in page


def test_another_users_expenses_and_budgets_never_show(api, other_api):
    add(other_api, "2026-11-05", "70", "Secret", "Someone else's")
    put_budgets(other_api, "500", Secret="100")

    body = api.get(f"/api/v1/dashboard?{NOVEMBER}").get_json()

    assert body["summary"] == {
        "from": "2026-11-01",
        "to": "2026-11-30",
        "total": "0.00",
        "count": 0,
        "categories": [],
    }
    assert body["expenses"] == {"items": [], "next": None}
    assert body["categories"] == []
    assert body["budgets"] == {"month": "2026-11", "overall": None, "categories": []}
    assert all(month["total"] == "0.00" for month in body["trend"]["months"])
    assert body["comparison"]["total"] == "0.00"


def test_without_a_period_it_is_this_month_and_from_or_to_alone_mean_custom(api, time_machine):
    time_machine.move_to(noon(dt.date(2027, 1, 1)))

    this_month = api.get("/api/v1/dashboard").get_json()
    custom = api.get("/api/v1/dashboard?from=2026-12-24").get_json()

    assert (this_month["period"], this_month["from"], this_month["to"]) == (
        "this-month",
        "2027-01-01",
        "2027-01-31",
    )
    assert (custom["period"], custom["from"], custom["to"]) == ("custom", "2026-12-24", None)
    assert custom["comparison"] is None


def test_a_text_filter_leaves_the_trend_to_get_trend(api):
    add(api, "2026-11-05", "5", "Food", "Coffee")
    add(api, "2026-11-06", "7", "Food", "Tea")

    body = api.get(f"/api/v1/dashboard?{NOVEMBER}&q=coffee").get_json()

    assert body["trend"] is None
    assert body["summary"]["total"] == "5.00"


def test_a_longer_list_links_to_its_next_page_with_the_same_filters(app, api):
    for day in range(1, 8):
        add(api, f"2026-11-{day:02d}", "1", "Food")

    body = api.get(f"/api/v1/dashboard?{NOVEMBER}&category=Food").get_json()

    items = body["expenses"]["items"]
    assert len(items) == app.config["EXPENSES_PER_PAGE"]
    rest = api.get(body["expenses"]["next"]).get_json()
    assert len(items) + len(rest["items"]) == 7
    assert rest["next"] is None


def test_bad_parameters_are_422_by_name(api):
    assert assert_problem(api.get("/api/v1/dashboard?period=fortnight"), 422)["errors"]
    body = assert_problem(api.get("/api/v1/dashboard?from=2026-02-30"), 422)
    assert body["errors"] == {"from": "That date does not exist."}


def test_the_dashboard_needs_a_token(client):
    assert_problem(client.get("/api/v1/dashboard"), 401)


def test_what_became_due_is_made_before_the_dashboard_is_read(api, time_machine):
    time_machine.move_to(noon(dt.date(2026, 11, 24)))
    created = api.post(
        "/api/v1/recurring",
        json={
            "amount": "950",
            "category": "Housing",
            "description": "Rent",
            "frequency": "monthly",
            "start_date": "2026-11-01",
        },
    )
    assert created.status_code == 201, created.get_json()
    time_machine.move_to(noon(dt.date(2026, 12, 2)))

    body = api.get("/api/v1/dashboard?period=this-month").get_json()

    assert body["summary"]["total"] == "950.00"
    assert [item["date"] for item in body["expenses"]["items"]] == ["2026-12-01"]

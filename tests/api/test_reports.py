"""Summary and categories: the same figures as the dashboard, as exact decimal strings."""

from __future__ import annotations

import re

from ..helpers import text
from .conftest import assert_problem
from .test_expenses import add


def test_the_summary_of_a_period_totals_each_category_largest_first(api):
    add(api, "2026-01-31", "100.00", "Rent")
    add(api, "2026-02-01", "10.10", "Food")
    add(api, "2026-02-14", "20.20", "Food")
    add(api, "2026-02-28", "5.00", "Travel")
    add(api, "2026-03-01", "999.00", "Rent")

    response = api.get("/api/v1/summary?from=2026-02-01&to=2026-02-28")

    assert response.status_code == 200
    assert response.get_json() == {
        "from": "2026-02-01",
        "to": "2026-02-28",
        "total": "35.30",
        "count": 3,
        "categories": [
            # Each category's colour: Rent came first (0), then Food and Travel.
            {"category": "Food", "color": 1, "total": "30.30", "count": 2, "percent": "85.8"},
            {"category": "Travel", "color": 2, "total": "5.00", "count": 1, "percent": "14.2"},
        ],
    }


def test_no_bounds_means_all_time(api):
    add(api, "1999-12-31", "1", "Old")
    add(api, "2100-01-01", "2", "Future")

    body = api.get("/api/v1/summary").get_json()

    assert (body["from"], body["to"], body["total"], body["count"]) == (None, None, "3.00", 2)


def test_percent_is_rounded_half_up_to_one_decimal(api):
    # 1/8 = 12.5%, 7/8 = 87.5%: exact halves at two decimals are not involved, so use
    # 1 of 16 = 6.25% -> 6.3 (half up; banker's rounding would give 6.2).
    add(api, "2026-01-01", "1", "A")
    add(api, "2026-01-01", "15", "B")

    shares = {
        c["category"]: c["percent"] for c in api.get("/api/v1/summary").get_json()["categories"]
    }

    assert shares == {"A": "6.3", "B": "93.8"}


def test_the_summary_matches_the_dashboard_for_the_same_period(app, api, auth_client):
    add(api, "2026-05-02", "12.34", "Food")
    add(api, "2026-05-20", "7.66", "Travel")
    add(api, "2026-06-01", "50", "Food")

    summary = api.get("/api/v1/summary?from=2026-05-01&to=2026-05-31").get_json()
    page = text(auth_client.get("/?period=custom&from=2026-05-01&to=2026-05-31"))

    assert summary["total"] == "20.00"
    assert re.search(r"20\.00", page)
    for share in summary["categories"]:
        assert share["total"] in page and f"{share['percent']}%" in page


def test_bad_summary_dates_are_422(api):
    body = assert_problem(api.get("/api/v1/summary?from=2026-02-30"), 422)
    assert body["errors"] == {"from": "That date does not exist."}


def test_categories_list_every_category_with_its_all_time_total(api, other_api):
    add(api, "2026-01-01", "5", "Food")
    add(api, "2025-01-01", "7.5", "food")
    add(api, "2026-01-01", "3", "Travel")
    deleted = add(api, "2026-01-01", "4", "Books")
    api.delete(f"/api/v1/expenses/{deleted}")
    add(other_api, "2026-01-01", "100", "Food")

    items = api.get("/api/v1/categories").get_json()["items"]

    assert [(c["name"], c["total"], c["count"]) for c in items] == [
        ("Books", "0.00", 0),
        ("Food", "12.50", 2),
        ("Travel", "3.00", 1),
    ]

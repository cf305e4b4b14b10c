"""Budgets and the monthly trend through the API: the services' figures, as decimal strings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from expense_tracker import clock

from .conftest import assert_problem
from .test_expenses import add

THIS_MONTH = clock.today().strftime("%Y-%m")
TODAY = clock.today().isoformat()


def test_budgets_are_replaced_and_read_against_the_months_spending(api):
    add(api, TODAY, "20.00", "Food")
    add(api, TODAY, "30.00", "Rent")

    response = api.client.put(
        "/api/v1/budgets",
        json={"overall": "50", "categories": {"food": "10.00", "Travel": "5", "Rent": None}},
        headers={"Authorization": f"Bearer {api.token}"},
    )

    assert response.status_code == 200
    assert response.get_json() == {
        "month": THIS_MONTH,
        "overall": {
            "amount": "50.00",
            "spent": "50.00",
            "left": "0.00",
            "over": "0.00",
            "percent": "100.0",
            "state": "at",
        },
        "categories": [
            {
                "category": "Food",
                "amount": "10.00",
                "spent": "20.00",
                "left": "0.00",
                "over": "10.00",
                "percent": "200.0",
                "state": "over",
            },
            {
                "category": "Travel",
                "amount": "5.00",
                "spent": "0.00",
                "left": "5.00",
                "over": "0.00",
                "percent": "0.0",
                "state": "unspent",
            },
        ],
    }
    assert api.get("/api/v1/budgets").get_json() == response.get_json()


def test_another_month_reads_its_own_spending(api):
    add(api, "2025-03-10", "4.00", "Food")
    api.client.put(
        "/api/v1/budgets",
        json={"categories": {"Food": "10"}},
        headers={"Authorization": f"Bearer {api.token}"},
    )

    body = api.get("/api/v1/budgets?month=2025-03").get_json()

    assert body["month"] == "2025-03" and body["overall"] is None
    assert [(c["spent"], c["left"], c["state"]) for c in body["categories"]] == [
        ("4.00", "6.00", "under")
    ]


def test_bad_budget_amounts_are_422_naming_each_field_and_change_nothing(api):
    response = api.client.put(
        "/api/v1/budgets",
        json={"overall": "0", "categories": {"Food": "1.234", "": "5"}},
        headers={"Authorization": f"Bearer {api.token}"},
    )

    body = assert_problem(response, 422)
    assert body["errors"] == {
        "overall": "The amount must be greater than zero.",
        "categories.Food": "Enter the amount as a number such as 12, 12.5 or 12.50.",
        "categories.": "Enter a category.",
    }
    assert api.get("/api/v1/budgets").get_json()["categories"] == []


def test_an_amount_sent_as_a_number_is_refused(api):
    response = api.client.put(
        "/api/v1/budgets",
        json={"overall": 50, "categories": {}},
        headers={"Authorization": f"Bearer {api.token}"},
    )

    assert "overall" in assert_problem(response, 422)["errors"]


@pytest.mark.parametrize("month", ["2026-13", "26-01", "1899-12"])
def test_a_bad_month_is_422(api, month):
    assert "month" in assert_problem(api.get(f"/api/v1/budgets?month={month}"), 422)["errors"]
    assert "month" in assert_problem(api.get(f"/api/v1/trend?month={month}"), 422)["errors"]


def test_budgets_are_private(api, other_api):
    other_api.client.put(
        "/api/v1/budgets",
        json={"overall": "99", "categories": {}},
        headers={"Authorization": f"Bearer {other_api.token}"},
    )

    assert api.get("/api/v1/budgets").get_json()["overall"] is None


def test_the_trend_gives_twelve_months_by_category(api):
    add(api, "2026-02-01", "10.10", "Food")
    add(api, "2026-02-14", "20.20", "Rent")
    add(api, "2025-02-28", "5.00", "Food")  # thirteen months back

    body = api.get("/api/v1/trend?month=2026-02").get_json()

    assert [m["month"] for m in body["months"]] == [
        f"{2025 + (m + 2) // 12}-{(m + 2) % 12 + 1:02d}" for m in range(12)
    ]
    assert body["months"][-1] == {
        "month": "2026-02",
        "total": "30.30",
        "count": 2,
        "categories": [
            {"category": "Rent", "total": "20.20", "count": 1},
            {"category": "Food", "total": "10.10", "count": 1},
        ],
    }
    assert all(m["total"] == "0.00" for m in body["months"][:-1])


def add_some(api) -> None:
    add(api, "2026-01-31", "1.50", "Food", "bread")
    add(api, "2026-02-01", "2.25", "Rent", "garage")
    add(api, "2026-02-14", "30.00", "Food", "cake")
    add(api, "2025-03-01", "7.00", "Food", "first day of the first month")


def test_each_trend_month_equals_the_summary_of_that_month(api):
    add_some(api)

    months = api.get("/api/v1/trend?month=2026-02").get_json()["months"]

    for month in months:
        first = dt.date.fromisoformat(month["month"] + "-01")
        last = (first + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
        summary = api.get(f"/api/v1/summary?from={first}&to={last}").get_json()
        assert (month["total"], month["count"]) == (summary["total"], summary["count"])
        assert month["categories"] == [
            {key: share[key] for key in ("category", "total", "count")}
            for share in summary["categories"]
        ]


@pytest.mark.parametrize("query", ["", "&category=food", "&q=E", "&min=2&max=20"])
def test_a_filtered_trend_adds_up_to_the_filtered_list_of_its_months(api, query):
    add_some(api)

    months = api.get(f"/api/v1/trend?month=2026-02{query}").get_json()["months"]
    listed = api.get(f"/api/v1/expenses?from=2025-03-01&to=2026-02-28&limit=500{query}")

    amounts = [Decimal(item["amount"]) for item in listed.get_json()["items"]]
    assert sum(Decimal(month["total"]) for month in months) == sum(amounts)
    assert sum(month["count"] for month in months) == len(amounts)


def test_the_categories_must_be_sent_even_if_empty(api):
    response = api.client.put(
        "/api/v1/budgets", json={}, headers={"Authorization": f"Bearer {api.token}"}
    )

    assert "categories" in assert_problem(response, 422)["errors"]


def test_a_category_amount_sent_as_a_number_is_refused_naming_the_categories(api):
    response = api.client.put(
        "/api/v1/budgets",
        json={"categories": {"Food": 5}},
        headers={"Authorization": f"Bearer {api.token}"},
    )

    body = assert_problem(response, 422)
    assert list(body["errors"]) == ["categories"] and body["errors"]["categories"]
    assert api.get("/api/v1/budgets").get_json()["categories"] == []

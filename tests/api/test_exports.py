"""Exports through the API: the filters of GET /expenses, streamed CSV and JSON."""

from __future__ import annotations

from .conftest import assert_problem


def add(api, **fields) -> None:
    body = {"date": "2026-03-14", "amount": "12.50", "category": "Food", **fields}
    assert api.post("/api/v1/expenses", json=body).status_code == 201


def test_json_export_holds_every_expense_oldest_first_without_filters(api):
    add(api, date="2026-03-14", description="Lunch")
    add(api, date="2025-01-01", amount="3", category="Travel", description="Bus")

    response = api.get("/api/v1/export.json")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].endswith('.json"')
    assert response.get_json() == [
        {"date": "2025-01-01", "amount": "3.00", "currency": "EUR", "category": "Travel",
         "description": "Bus"},
        {"date": "2026-03-14", "amount": "12.50", "currency": "EUR", "category": "Food",
         "description": "Lunch"},
    ]  # fmt: skip


def test_csv_export_takes_the_same_filters_as_the_list(api):
    add(api, date="2026-03-14", amount="5", description="=coffee")
    add(api, date="2026-03-15", amount="50", description="coffee machine")
    add(api, date="2026-04-01", amount="6", description="coffee")

    response = api.get("/api/v1/export.csv?from=2026-03-01&to=2026-03-31&q=COFFEE&max=10")

    assert response.mimetype == "text/csv"
    assert response.get_data(as_text=True).splitlines()[1:] == ["2026-03-14,5.00,EUR,Food,'=coffee"]


def test_export_holds_only_the_callers_expenses(api, other_api):
    add(other_api, description="Not yours")

    assert api.get("/api/v1/export.json").get_json() == []


def test_a_wrong_filter_is_a_422_problem(api):
    body = assert_problem(api.get("/api/v1/export.csv?min=abc"), 422)

    assert "min" in body["errors"]

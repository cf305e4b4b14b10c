"""Recurring expenses through the API: the same service, rules and privacy as the pages."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from ..helpers import noon
from .conftest import ApiClient, assert_problem, make_token

TODAY = dt.date(2026, 11, 24)
RENT = {
    "amount": "950.00",
    "category": "Housing",
    "description": "Rent",
    "frequency": "monthly",
    "start_date": "2026-09-30",
}


@pytest.fixture(autouse=True)
def fixed_today(time_machine):
    time_machine.move_to(noon(TODAY))


def test_adding_answers_201_fills_in_past_dates_and_says_where_it_lives(api):
    response = api.post("/api/v1/recurring", json={**RENT, "day_of_month": 31})

    assert response.status_code == 201
    created = response.get_json()
    assert created == {
        **RENT,
        "id": created["id"],
        "day_of_month": 31,
        "end_date": None,
        "status": "active",
        "next_due": "2026-11-30",
    }
    assert api.get(response.headers["Location"]).get_json() == created
    made = api.get("/api/v1/expenses").get_json()["items"]
    assert [item["date"] for item in made] == ["2026-10-31", "2026-09-30"]


def test_patch_changes_only_the_fields_sent(api):
    created = api.post("/api/v1/recurring", json=RENT).get_json()

    changed = api.patch(f"/api/v1/recurring/{created['id']}", json={"amount": "1000"})

    assert changed.status_code == 200
    assert changed.get_json() == {**created, "amount": "1000.00"}


def test_an_end_date_of_null_removes_it(api):
    created = api.post("/api/v1/recurring", json={**RENT, "end_date": "2026-12-31"}).get_json()

    changed = api.patch(f"/api/v1/recurring/{created['id']}", json={"end_date": None})

    assert changed.get_json()["end_date"] is None


def test_bad_values_are_422_with_the_pages_messages(api):
    body = assert_problem(
        api.post("/api/v1/recurring", json={**RENT, "frequency": "daily", "day_of_month": 0}),
        422,
    )

    assert body["errors"] == {
        "frequency": "Choose weekly, monthly or yearly.",
        "day_of_month": "Enter a day of the month from 1 to 31.",
    }


def test_deleting_keeps_the_expenses_it_made(api):
    created = api.post("/api/v1/recurring", json=RENT).get_json()

    response = api.delete(f"/api/v1/recurring/{created['id']}")

    assert response.status_code == 204
    assert api.get("/api/v1/recurring").get_json() == {"items": []}
    assert len(api.get("/api/v1/expenses").get_json()["items"]) == 2


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_users_recurring_expense_is_404(api, other_api, method):
    created = api.post("/api/v1/recurring", json=RENT).get_json()

    response = getattr(other_api, method)(f"/api/v1/recurring/{created['id']}", json={})

    assert_problem(response, 404)


@pytest.mark.parametrize("recurring_id", [0, 2**31])
def test_a_recurring_expense_that_cannot_exist_is_404(api, recurring_id):
    assert_problem(api.get(f"/api/v1/recurring/{recurring_id}"), 404)
    assert_problem(api.delete(f"/api/v1/recurring/{recurring_id}"), 404)


def test_a_recurring_expense_comes_with_its_version_as_etag(api):
    response = api.post("/api/v1/recurring", json=RENT)
    url = response.headers["Location"]

    changed = api.patch(url, json={"amount": "1000"}, headers={"If-Match": '"1"'})

    assert response.headers["ETag"] == '"1"'
    assert changed.status_code == 200
    assert changed.headers["ETag"] == api.get(url).headers["ETag"] == '"2"'


@pytest.mark.parametrize("if_match", ['"1"', 'W/"2"', "garbage"])
def test_a_recurring_change_from_another_version_is_412_and_changes_nothing(api, if_match):
    url = api.post("/api/v1/recurring", json=RENT).headers["Location"]
    api.patch(url, json={"amount": "1000"})

    refused = api.patch(url, json={"amount": "1100"}, headers={"If-Match": if_match})
    not_deleted = api.delete(url, headers={"If-Match": if_match})

    assert "recurring expense was changed since" in assert_problem(refused, 412)["detail"]
    assert_problem(not_deleted, 412)
    assert api.get(url).get_json()["amount"] == "1000.00"


@pytest.mark.parametrize("headers", [{}, {"If-Match": "*"}])
def test_a_recurring_change_without_if_match_is_made_whatever_the_version(api, headers):
    url = api.post("/api/v1/recurring", json=RENT).headers["Location"]
    api.patch(url, json={"amount": "1000"})

    response = api.patch(url, json={"amount": "1100"}, headers=headers)

    assert response.status_code == 200
    assert api.get(url).get_json()["amount"] == "1100.00"


@pytest.mark.both_databases
def test_two_clients_patching_one_version_at_once_one_is_made_one_is_412(app, api, user):
    url = api.post("/api/v1/recurring", json=RENT).headers["Location"]
    clients = [api, ApiClient(app.test_client(), make_token(app, user, "phone"))]
    barrier = threading.Barrier(2)
    responses: list = [None, None]

    def send(index: int) -> None:
        barrier.wait()
        responses[index] = clients[index].patch(
            url, json={"amount": f"{1000 + index}"}, headers={"If-Match": '"1"'}
        )

    threads = [threading.Thread(target=send, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(response.status_code for response in responses) == [200, 412]
    [made] = [response for response in responses if response.status_code == 200]
    assert api.get(url).get_json()["amount"] == made.get_json()["amount"]
    assert api.get(url).headers["ETag"] == '"2"'

"""Expenses through the API: the same rules and privacy as the pages."""

from __future__ import annotations

import json

import pytest

from ..factories import TODAY
from .conftest import assert_problem

LUNCH = {"date": "2026-03-14", "amount": "12.50", "category": "Food", "description": "Lunch"}


def test_adding_an_expense_answers_201_with_it_and_where_it_lives(api):
    response = api.post("/api/v1/expenses", json=LUNCH)

    assert response.status_code == 201
    created = response.get_json()
    assert created == {**LUNCH, "id": created["id"]}
    assert response.headers["Location"] == f"/api/v1/expenses/{created['id']}"
    assert api.get(response.headers["Location"]).get_json() == created


def test_an_expense_sent_again_with_its_client_id_is_answered_200_and_stored_once(api):
    sent = {**LUNCH, "client_id": "0b7e4c1e-8f2a-4d53-9a61-3f1c2d4e5f60"}

    first = api.post("/api/v1/expenses", json=sent)
    again = api.post("/api/v1/expenses", json={**sent, "amount": "99.00"})

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json() == {**LUNCH, "id": first.get_json()["id"]}
    assert again.headers["Location"] == first.headers["Location"]
    listed = api.get("/api/v1/expenses").get_json()["items"]
    assert [item["id"] for item in listed] == [first.get_json()["id"]]


def test_a_malformed_client_id_is_422_naming_it(api):
    response = api.post("/api/v1/expenses", json={**LUNCH, "client_id": "no spaces"})

    assert_problem(response, 422)
    assert set(response.get_json()["errors"]) == {"client_id"}
    assert api.get("/api/v1/expenses").get_json()["items"] == []


def test_the_date_is_today_when_left_out(api):
    created = api.post("/api/v1/expenses", json={"amount": "3", "category": "Coffee"}).get_json()

    assert created["date"] == TODAY
    assert created["amount"] == "3.00" and created["description"] == ""


def test_an_amount_sent_as_a_number_is_422_asking_for_a_string(api):
    body = assert_problem(api.post("/api/v1/expenses", json={**LUNCH, "amount": 12.5}), 422)

    assert "as a string" in body["errors"]["amount"]
    assert api.get("/api/v1/expenses").get_json()["items"] == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "0", "The amount must be greater than zero."),
        ("amount", "1.234", "Enter the amount as a number such as 12, 12.5 or 12.50."),
        ("date", "2026-02-30", "That date does not exist."),
        ("date", "14/03/2026", "Enter the date as YYYY-MM-DD."),
        ("category", " ", "Enter a category."),
        ("description", "x" * 201, "Use at most 200 characters for the description."),
    ],
)
def test_the_pages_rules_apply_with_the_same_messages(api, field, value, message):
    body = assert_problem(api.post("/api/v1/expenses", json={**LUNCH, field: value}), 422)

    assert body["errors"] == {field: message}


def test_shape_errors_are_422_per_field(api):
    body = assert_problem(api.post("/api/v1/expenses", json={"colour": "red", "date": 5}), 422)

    assert set(body["errors"]) == {"colour", "date", "amount", "category"}


def test_a_body_that_is_not_an_object_is_422(api):
    body = assert_problem(api.post("/api/v1/expenses", json=[LUNCH]), 422)
    assert body["errors"] == {"body": "Send a JSON object."}


def test_malformed_json_is_400(api):
    response = api.post(
        "/api/v1/expenses", data='{"amount": "1",', headers={"Content-Type": "application/json"}
    )
    assert assert_problem(response, 400)["detail"] == "The body is not valid JSON."


def test_a_form_body_is_415(api):
    assert_problem(api.post("/api/v1/expenses", data={"amount": "1", "category": "Food"}), 415)


def test_a_body_over_the_limit_is_413(api):
    huge = json.dumps({**LUNCH, "description": "x" * (2 * 1024 * 1024)})
    response = api.post("/api/v1/expenses", data=huge, headers={"Content-Type": "application/json"})
    assert_problem(response, 413)


def test_a_wrong_method_is_405_with_allow(api):
    response = api.client.put("/api/v1/expenses", headers={"Authorization": f"Bearer {api.token}"})

    assert_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_an_unknown_api_path_is_a_404_problem(api):
    assert_problem(api.get("/api/v1/nothing-here"), 404)


def test_patch_changes_only_the_fields_sent(api):
    created = api.post("/api/v1/expenses", json=LUNCH).get_json()

    response = api.patch(f"/api/v1/expenses/{created['id']}", json={"amount": "20"})

    assert response.status_code == 200
    assert response.get_json() == {**created, "amount": "20.00"}
    assert api.get(f"/api/v1/expenses/{created['id']}").get_json()["amount"] == "20.00"


def test_a_bad_patch_changes_nothing(api):
    created = api.post("/api/v1/expenses", json=LUNCH).get_json()

    body = assert_problem(
        api.patch(f"/api/v1/expenses/{created['id']}", json={"amount": "2", "date": "nope"}), 422
    )

    assert set(body["errors"]) == {"date"}
    assert api.get(f"/api/v1/expenses/{created['id']}").get_json() == created


def test_delete_answers_204_and_the_expense_is_gone(api):
    created = api.post("/api/v1/expenses", json=LUNCH).get_json()

    response = api.delete(f"/api/v1/expenses/{created['id']}")

    assert response.status_code == 204 and response.data == b""
    assert_problem(api.get(f"/api/v1/expenses/{created['id']}"), 404)
    assert api.get("/api/v1/summary").get_json()["total"] == "0.00"


def test_another_users_expense_does_not_exist(api, other_api):
    theirs = other_api.post("/api/v1/expenses", json=LUNCH).get_json()
    url = f"/api/v1/expenses/{theirs['id']}"

    assert_problem(api.get(url), 404)
    assert_problem(api.patch(url, json={"amount": "1"}), 404)
    assert_problem(api.delete(url), 404)
    assert api.get("/api/v1/expenses").get_json()["items"] == []
    assert other_api.get(url).get_json() == theirs


@pytest.mark.both_databases
@pytest.mark.parametrize(
    "expense_id", ["0", "-1", "abc", str(2**31), str(2**63 - 1), "99999999999999999999"]
)
def test_impossible_ids_are_404(api, expense_id):
    assert_problem(api.get(f"/api/v1/expenses/{expense_id}"), 404)


def add(api, date: str, amount: str = "1", category: str = "Food", description: str = ""):
    response = api.post(
        "/api/v1/expenses",
        json={"date": date, "amount": amount, "category": category, "description": description},
    )
    assert response.status_code == 201
    return response.get_json()["id"]


def test_the_list_is_newest_first_and_filters_like_the_pages(api):
    add(api, "2026-01-05", "5", "Food", "Coffee beans")
    add(api, "2026-02-10", "7", "Travel", "Train")
    add(api, "2026-02-20", "9", "food", "coffee with Ana")
    add(api, "2026-03-01", "11", "Food", "Dinner")

    def dates(query: str) -> list[str]:
        response = api.get(f"/api/v1/expenses?{query}")
        assert response.status_code == 200, response.get_json()
        return [item["date"] for item in response.get_json()["items"]]

    assert dates("") == ["2026-03-01", "2026-02-20", "2026-02-10", "2026-01-05"]
    assert dates("from=2026-02-01&to=2026-02-28") == ["2026-02-20", "2026-02-10"]
    assert dates("from=2026-02-20") == ["2026-03-01", "2026-02-20"]
    assert dates("to=2026-01-31") == ["2026-01-05"]
    assert dates("category=FOOD") == ["2026-03-01", "2026-02-20", "2026-01-05"]
    assert dates("q=COFFEE") == ["2026-02-20", "2026-01-05"]
    assert dates("category=food&q=coffee&from=2026-02-01") == ["2026-02-20"]
    assert dates("min=8&max=10") == ["2026-02-20"]


@pytest.mark.both_databases
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=ten", "limit"),
        ("from=2026-13-01", "from"),
        ("from=2026-03-01&to=2026-02-01", "to"),
        ("cursor=garbage", "cursor"),
        ("q=" + "x" * 101, "q"),
        ("q=a%00b", "q"),
        ("category=%00", "category"),
        ("category=Food%1B", "category"),
    ],
)
def test_bad_list_parameters_are_422(api, query, field):
    body = assert_problem(api.get(f"/api/v1/expenses?{query}"), 422)
    assert field in body["errors"]


def walk(api, url: str, between_pages=None) -> list[int]:
    seen, pages = [], 0
    while url:
        response = api.get(url)
        assert response.status_code == 200
        body = response.get_json()
        seen += [item["id"] for item in body["items"]]
        url = body["next"]
        pages += 1
        if between_pages and url:
            between_pages(pages)
    return seen


def test_pagination_walks_every_expense_exactly_once(api):
    # Several expenses per date, so pages split days and ties are broken by id.
    ids = [add(api, f"2026-01-{day:02d}") for day in range(1, 8) for _ in range(3)]

    seen = walk(api, "/api/v1/expenses?limit=4")

    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen))
    assert api.get("/api/v1/expenses?limit=4").get_json()["next"].startswith("/api/v1/expenses?")


def test_pagination_sees_each_expense_once_while_expenses_are_added(api):
    ids = [add(api, f"2026-01-{day:02d}") for day in range(1, 11) for _ in range(2)]
    added = []

    def add_more(page: int) -> None:
        # Newer than everything, older than everything, and in the middle of the walk.
        added.append(add(api, "2026-02-01"))
        added.append(add(api, "2025-12-01"))
        added.append(add(api, f"2026-01-{10 - page:02d}"))

    seen = walk(api, "/api/v1/expenses?limit=3", add_more)

    assert len(seen) == len(set(seen)), "an expense was listed twice"
    assert set(ids) <= set(seen), "an expense was skipped"
    assert set(seen) <= set(ids) | set(added)


def test_the_next_link_keeps_the_filter(api):
    for day in range(1, 6):
        add(api, f"2026-01-{day:02d}", category="Food")
        add(api, f"2026-01-{day:02d}", category="Travel")

    seen = walk(api, "/api/v1/expenses?category=Travel&limit=2")

    assert len(seen) == 5
    items = [api.get(f"/api/v1/expenses/{i}").get_json()["category"] for i in seen]
    assert set(items) == {"Travel"}


def test_one_users_pages_never_show_another_users_expenses(api, other_api):
    add(other_api, "2026-01-01")
    mine = add(api, "2026-01-02")

    assert walk(api, "/api/v1/expenses?limit=1") == [mine]


def test_an_expense_comes_with_its_version_as_etag(api):
    response = api.post("/api/v1/expenses", json=LUNCH)
    url = response.headers["Location"]

    changed = api.patch(url, json={"amount": "20"})

    assert response.headers["ETag"] == '"1"'
    assert changed.headers["ETag"] == api.get(url).headers["ETag"] == '"2"'


def test_a_patch_with_the_current_etag_is_made(api):
    url = api.post("/api/v1/expenses", json=LUNCH).headers["Location"]

    response = api.patch(url, json={"amount": "20"}, headers={"If-Match": '"1"'})

    assert response.status_code == 200
    assert response.get_json()["amount"] == "20.00"


@pytest.mark.parametrize("if_match", ['"1"', 'W/"2"', '"7", "1"', "garbage", '"", W/"x"'])
def test_a_change_from_another_version_is_412_and_changes_nothing(api, if_match):
    url = api.post("/api/v1/expenses", json=LUNCH).headers["Location"]
    api.patch(url, json={"amount": "20"})

    refused = api.patch(url, json={"amount": "30"}, headers={"If-Match": if_match})
    not_deleted = api.delete(url, headers={"If-Match": if_match})

    assert "changed since" in assert_problem(refused, 412)["detail"]
    assert_problem(not_deleted, 412)
    assert api.get(url).get_json()["amount"] == "20.00"


@pytest.mark.parametrize("headers", [{}, {"If-Match": "*"}, {"If-Match": '"1", "2"'}])
def test_without_if_match_or_with_a_matching_one_the_last_writer_wins(api, headers):
    url = api.post("/api/v1/expenses", json=LUNCH).headers["Location"]
    api.patch(url, json={"amount": "20"})

    response = api.patch(url, json={"amount": "30"}, headers=headers)

    assert response.status_code == 200
    assert api.get(url).get_json()["amount"] == "30.00"


def test_a_bad_change_from_another_version_is_told_as_bad_input(api):
    url = api.post("/api/v1/expenses", json=LUNCH).headers["Location"]

    response = api.patch(url, json={"amount": "nope"}, headers={"If-Match": '"7"'})

    assert set(assert_problem(response, 422)["errors"]) == {"amount"}

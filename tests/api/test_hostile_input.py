"""Hostile JSON and query strings at every API operation: a clear problem, never a 500.

The operations come from the OpenAPI document, so a new one is covered without being
listed here.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import assert_problem

# Bodies no JSON route takes: the parser's recursion limit, Python's 4,300-digit limit
# for int(), a float of as many digits, and UTF-16 halves no text can hold.
HOSTILE_BODIES = {
    "deep": "[" * 100_000 + "]" * 100_000,
    "deep objects": '{"a":' * 5_000 + "1" + "}" * 5_000,
    "long integer": '{"amount": ' + "9" * 5000 + "}",
    "long float": '{"amount": 1.' + "9" * 5000 + "}",
    "huge exponent": '{"amount": 1e999999}',
    "NaN": '{"amount": NaN}',
    "lone surrogate in a value": '{"username": "\\ud800", "password": "\\udfff", "name": "x"}',
    "lone surrogate in a key": '{"\\ud83d": "x"}',
}


def json_operations(app) -> list[tuple[str, str]]:
    """(method, path) of every operation that takes a JSON body, ids filled in with 1."""
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    found = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                found.append((method.upper(), re.sub(r"\{[^}]+\}", "1", path)))
    return found


@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
def test_hostile_json_at_every_operation_is_a_400_problem(app, api, body):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is a 500 here, as in production
    api.post("/api/v1/categories", json={"name": "Food"})
    operations = json_operations(app)
    assert ("POST", "/api/v1/tokens") in operations
    assert len(operations) >= 8

    for method, path in operations:
        for headers in ({"Authorization": f"Bearer {api.token}"}, {}):
            response = api.client.open(
                path,
                method=method,
                data=body,
                headers={**headers, "Content-Type": "application/json"},
            )

            if headers or path == "/api/v1/tokens":
                problem = assert_problem(response, 400)
                assert "JSON" in problem["detail"], (method, path, problem)
            else:
                assert_problem(response, 401)


def test_the_token_endpoint_refuses_a_lone_surrogate_for_a_real_user(app, client, user):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    body = '{"username": "' + user.username + '", "password": "\\ud800"}'

    response = client.post(
        "/api/v1/tokens", data=body, headers={"Content-Type": "application/json"}
    )

    problem = assert_problem(response, 400)
    assert "surrogate" in problem["detail"]


# Names url_for() takes for itself, and a few no operation knows.
RESERVED_QUERY = {
    "_external": "0",
    "endpoint": "api.list_tokens",
    "_method": "POST",
    "_anchor": "top",
    "_scheme": "javascript",
    "values": "x",
    "unknown": "x",
}


def get_operations(app) -> list[str]:
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    return [
        re.sub(r"\{[^}]+\}", "1", path) for path, item in spec["paths"].items() if "get" in item
    ]


def test_url_for_names_in_the_query_of_every_operation_are_never_a_500(app, api):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    for day in (1, 2, 3):
        api.post(
            "/api/v1/expenses", json={"amount": "5", "category": "Food", "date": f"2026-01-0{day}"}
        )
    paths = get_operations(app)
    assert "/api/v1/expenses" in paths

    statuses = {
        path: api.get(path, query_string={**RESERVED_QUERY, "limit": "1"}).status_code
        for path in paths
    }

    assert {path: status for path, status in statuses.items() if status >= 500} == {}


@pytest.mark.parametrize("name", sorted(RESERVED_QUERY))
def test_the_next_link_carries_only_the_filters_and_the_cursor(api, name):
    for day in (1, 2, 3):
        api.post(
            "/api/v1/expenses", json={"amount": "5", "category": "Food", "date": f"2026-01-0{day}"}
        )

    response = api.get(
        "/api/v1/expenses", query_string={"limit": "1", "category": "Food", name: "x"}
    )

    assert response.status_code == 200
    next_url = response.get_json()["next"]
    assert next_url.startswith("/api/v1/expenses?")
    assert "#" not in next_url
    query = parse_qs(urlsplit(next_url).query)
    assert set(query) == {"limit", "category", "cursor"}
    assert query["limit"] == ["1"] and query["category"] == ["Food"]


def add_three(api) -> None:
    for day in (1, 2, 3):
        api.post(
            "/api/v1/expenses", json={"amount": "5", "category": "Food", "date": f"2026-01-0{day}"}
        )


def test_links_never_name_a_host_the_server_was_not_told_of(api):
    add_three(api)
    evil = {"Host": "evil.example"}

    next_url = api.get("/api/v1/expenses?limit=1", headers=evil).get_json()["next"]
    created = api.post(
        "/api/v1/expenses", json={"amount": "1", "category": "Food"}, headers=evil
    ).headers["Location"]
    recurring = api.post(
        "/api/v1/recurring",
        json={
            "amount": "1",
            "category": "Rent",
            "frequency": "monthly",
            "start_date": "2026-01-01",
        },
        headers=evil,
    ).headers["Location"]

    assert next_url.startswith("/api/v1/expenses?")
    assert created.startswith("/api/v1/expenses/")
    assert recurring.startswith("/api/v1/recurring/")


def test_with_trusted_hosts_links_are_absolute_and_other_hosts_are_refused(app, api):
    add_three(api)
    app.config["TRUSTED_HOSTS"] = ["expenses.example.org"]

    response = api.get("/api/v1/expenses?limit=1", headers={"Host": "expenses.example.org"})
    refused = api.get("/api/v1/expenses?limit=1", headers={"Host": "evil.example"})

    assert response.get_json()["next"].startswith("http://expenses.example.org/api/v1/expenses?")
    assert_problem(refused, 400)


@pytest.mark.parametrize("lookalike", ["Fo\u200bod", "\u202eFood", "Foo\u200dd", "Foo\u0064\u200e"])
def test_a_category_that_only_looks_like_another_is_refused(api, lookalike):
    api.post("/api/v1/categories", json={"name": "Food"})

    response = api.post("/api/v1/categories", json={"name": lookalike})
    expense = api.post("/api/v1/expenses", json={"amount": "1", "category": lookalike})

    assert "invisible characters" in assert_problem(response, 422)["errors"]["name"]
    assert "invisible characters" in assert_problem(expense, 422)["errors"]["category"]
    assert [item["name"] for item in api.get("/api/v1/categories").get_json()["items"]] == ["Food"]


def test_a_code_longer_than_the_documented_limit_is_refused_even_when_unused(client, user):
    body = {"username": user.username, "password": user.password, "otp": "1" * 65}

    response = client.post("/api/v1/tokens", json=body)

    assert "otp" in assert_problem(response, 422)["errors"]

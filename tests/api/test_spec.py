"""The OpenAPI document and the page that shows it."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from ..helpers import text

OPERATIONS = {
    ("post", "/api/v1/tokens"),
    ("get", "/api/v1/tokens"),
    ("delete", "/api/v1/tokens/{token_id}"),
    ("get", "/api/v1/expenses"),
    ("post", "/api/v1/expenses"),
    ("get", "/api/v1/expenses/{expense_id}"),
    ("patch", "/api/v1/expenses/{expense_id}"),
    ("delete", "/api/v1/expenses/{expense_id}"),
    ("get", "/api/v1/summary"),
    ("get", "/api/v1/dashboard"),
    ("get", "/api/v1/categories"),
    ("post", "/api/v1/categories"),
    ("patch", "/api/v1/categories/{category_id}"),
    ("post", "/api/v1/categories/{category_id}/merge"),
    ("delete", "/api/v1/categories/{category_id}"),
    ("get", "/api/v1/export.csv"),
    ("get", "/api/v1/export.json"),
    ("get", "/api/v1/recurring"),
    ("post", "/api/v1/recurring"),
    ("get", "/api/v1/recurring/{template_id}"),
    ("patch", "/api/v1/recurring/{template_id}"),
    ("delete", "/api/v1/recurring/{template_id}"),
    ("get", "/api/v1/trend"),
    ("get", "/api/v1/budgets"),
    ("put", "/api/v1/budgets"),
}


def operations(document: dict) -> dict[tuple[str, str], dict]:
    """Each operation of the document by (method, path); "parameters" is not a method."""
    return {
        (method, path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method != "parameters"
    }


def spec(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_the_spec_is_valid_openapi_3_1_and_lists_every_operation(client):
    document = spec(client)

    validate(document)
    assert document["openapi"] == "3.1.0"
    assert set(operations(document)) == OPERATIONS


def test_every_operation_declares_its_success_and_problem_responses(client):
    document = spec(client)
    responses = document["components"]["responses"]

    for where, operation in operations(document).items():
        statuses = operation["responses"]
        assert any(s.startswith("2") for s in statuses), where
        assert "default" in statuses, where
        for status, response in statuses.items():
            if status.startswith(("4", "5")) or status == "default":
                name = response["$ref"].rsplit("/", 1)[-1]
                content = responses[name]["content"]
                assert list(content) == ["application/problem+json"], (where, status)


def test_only_token_creation_goes_without_a_token(client):
    document = spec(client)

    open_operations = {
        where for where, operation in operations(document).items() if operation["security"] == []
    }

    assert open_operations == {("post", "/api/v1/tokens")}
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_the_docs_page_describes_each_operation_and_is_linked_from_the_footer(client):
    home = text(client.get("/"))
    assert 'href="/api/v1/docs"' in home

    page = text(client.get("/api/v1/docs"))

    for method, path in OPERATIONS:
        assert f"{method.upper()}</span> <code>{path}</code>" in page
    assert "application/problem+json" in page and "Authorization: Bearer" in page


def test_every_operation_but_token_creation_is_401_without_a_token(client, api):
    created = api.post("/api/v1/expenses", json={"amount": "1", "category": "Food"}).get_json()
    token_id = api.get("/api/v1/tokens").get_json()["items"][0]["id"]
    category_id = api.get("/api/v1/categories").get_json()["items"][0]["id"]
    ids = {
        "expense_id": created["id"],
        "token_id": token_id,
        "category_id": category_id,
        "template_id": 1,
    }

    for method, path in OPERATIONS - {("post", "/api/v1/tokens")}:
        url = path.format(**ids)
        response = client.open(url, method=method.upper(), json={"amount": "2"})
        assert response.status_code == 401, (method, path)
        assert response.mimetype == "application/problem+json"

    # Nothing was changed or revoked on the way.
    assert api.get(f"/api/v1/expenses/{created['id']}").get_json() == created


@pytest.mark.parametrize(
    "path", ["/api/v1/expenses/{expense_id}", "/api/v1/recurring/{template_id}"]
)
def test_the_spec_says_what_if_match_does_and_when_412_comes(client, path):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"][path]

    for method in ("patch", "delete"):
        [if_match] = [p for p in operation[method]["parameters"] if p["name"] == "If-Match"]
        assert if_match["in"] == "header" and "last writer wins" in if_match["description"]
        assert "412" in operation[method]["responses"]
    assert "ETag" in operation["get"]["responses"]["200"]["headers"]

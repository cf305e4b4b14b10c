"""Random JSON at every API field: never a 500, and a refused request changes nothing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Hostile input reaches each database's driver differently (PostgreSQL refuses a NUL).
pytestmark = pytest.mark.both_databases

# Any JSON value a hostile client might put in a field: text with control characters,
# huge and tiny numbers, floats, nulls, lists and objects.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=250),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=5,
)
FIELDS = ("date", "amount", "category", "description", "colour")
bodies = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=5) | json_values
FUZZ = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def snapshot(api) -> tuple:
    items = api.get("/api/v1/expenses?limit=500").get_json()["items"]
    return tuple(
        sorted((i["id"], i["date"], i["amount"], i["category"], i["description"]) for i in items)
    ), api.get("/api/v1/summary").get_json()


@FUZZ
@given(body=bodies, method=st.sampled_from(["POST", "PATCH"]))
def test_random_bodies_never_cause_a_500_and_refusals_change_nothing(api, body, method):
    existing = api.post(
        "/api/v1/expenses", json={"amount": "5", "category": "Food", "date": "2026-01-02"}
    ).get_json()
    before = snapshot(api)
    url = "/api/v1/expenses" if method == "POST" else f"/api/v1/expenses/{existing['id']}"

    response = api.client.open(
        url, method=method, json=body, headers={"Authorization": f"Bearer {api.token}"}
    )

    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"
        assert snapshot(api) == before


@FUZZ
@given(
    query=st.dictionaries(
        st.sampled_from(["from", "to", "category", "q", "min", "max", "limit", "cursor"]),
        st.text(max_size=60),
        max_size=5,
    ),
    path=st.sampled_from(["/api/v1/expenses", "/api/v1/summary", "/api/v1/export.csv"]),
)
def test_random_query_strings_never_cause_a_500(api, query, path):
    response = api.get(path, query_string=query)

    assert response.status_code in (200, 422), response.get_data(as_text=True)

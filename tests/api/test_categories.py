"""The categories API: create, rename and recolour, merge, delete; each person's own only."""

from __future__ import annotations

import pytest

from .conftest import assert_problem
from .test_expenses import add


def categories(api) -> dict[str, dict]:
    return {c["name"]: c for c in api.get("/api/v1/categories").get_json()["items"]}


def test_the_list_gives_each_categorys_colour(api):
    add(api, "2026-01-01", "5", "Food")
    add(api, "2026-01-01", "3", "Travel")

    items = api.get("/api/v1/categories").get_json()["items"]

    assert [(c["name"], c["color"]) for c in items] == [("Food", 0), ("Travel", 1)]


def test_creating_a_category(api):
    response = api.post("/api/v1/categories", json={"name": "Pets", "color": 4})

    assert response.status_code == 201
    body = response.get_json()
    assert body == {"id": body["id"], "name": "Pets", "color": 4, "total": "0.00", "count": 0}


def test_creating_a_name_you_have_is_422(api):
    add(api, "2026-01-01", "5", "Food")

    body = assert_problem(api.post("/api/v1/categories", json={"name": "FOOD"}), 422)

    assert body["errors"] == {"name": "You already have a category called “Food”."}


def test_patch_renames_and_recolours_and_expenses_follow(api):
    expense = add(api, "2026-01-01", "5", "Fod")
    food = categories(api)["Fod"]["id"]

    response = api.patch(f"/api/v1/categories/{food}", json={"name": "Food", "color": 8})

    assert response.status_code == 200
    assert response.get_json() == {
        "id": food,
        "name": "Food",
        "color": 8,
        "total": "5.00",
        "count": 1,
    }
    assert api.get(f"/api/v1/expenses/{expense}").get_json()["category"] == "Food"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Travel"}, "name"),
        ({"name": " "}, "name"),
        ({"color": 10}, "color"),
        ({"color": -1}, "color"),
        ({"color": "3"}, "color"),
        ({"color": None}, "color"),
    ],
)
def test_patch_with_a_bad_field_is_422_naming_it(api, body, field):
    add(api, "2026-01-01", "5", "Food")
    add(api, "2026-01-01", "5", "Travel")
    food = categories(api)["Food"]["id"]

    problem = assert_problem(api.patch(f"/api/v1/categories/{food}", json=body), 422)

    assert list(problem["errors"]) == [field]
    assert categories(api)["Food"]["color"] == 0


def test_merge_moves_the_expenses_and_answers_with_the_target(api):
    add(api, "2026-01-01", "5", "Lunch")
    add(api, "2026-02-01", "2.25", "Lunch")
    add(api, "2026-02-01", "1", "Food")
    found = categories(api)

    response = api.post(
        f"/api/v1/categories/{found['Lunch']['id']}/merge", json={"into": found["Food"]["id"]}
    )

    assert response.status_code == 200
    assert response.get_json()["total"] == "8.25"
    assert response.get_json()["count"] == 3
    assert list(categories(api)) == ["Food"]


def test_merging_into_itself_is_422(api):
    add(api, "2026-01-01", "5", "Food")
    food = categories(api)["Food"]["id"]

    problem = assert_problem(api.post(f"/api/v1/categories/{food}/merge", json={"into": food}), 422)

    assert list(problem["errors"]) == ["into"]


def test_delete_of_an_empty_category_is_204(api):
    pets = api.post("/api/v1/categories", json={"name": "Pets"}).get_json()["id"]

    assert api.delete(f"/api/v1/categories/{pets}").status_code == 204
    assert categories(api) == {}


def test_delete_of_a_category_with_expenses_is_409_and_keeps_it(api):
    add(api, "2026-01-01", "5", "Food")
    food = categories(api)["Food"]["id"]

    problem = assert_problem(api.delete(f"/api/v1/categories/{food}"), 409)

    assert "still has expenses" in problem["detail"]
    assert list(categories(api)) == ["Food"]


def test_another_persons_category_is_404_for_every_operation(api, other_api):
    add(other_api, "2026-01-01", "5", "Theirs")
    add(api, "2026-01-01", "5", "Mine")
    theirs = categories(other_api)["Theirs"]["id"]
    mine = categories(api)["Mine"]["id"]

    assert_problem(api.patch(f"/api/v1/categories/{theirs}", json={"name": "X"}), 404)
    assert_problem(api.post(f"/api/v1/categories/{theirs}/merge", json={"into": mine}), 404)
    assert_problem(api.post(f"/api/v1/categories/{mine}/merge", json={"into": theirs}), 404)
    assert_problem(api.delete(f"/api/v1/categories/{theirs}"), 404)
    assert_problem(api.delete("/api/v1/categories/99999999999"), 404)
    assert categories(other_api)["Theirs"]["count"] == 1
    assert categories(api)["Mine"]["count"] == 1

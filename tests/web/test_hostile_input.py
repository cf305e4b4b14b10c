"""Hostile values in every field of every page: a clear answer, never a 500.

The routes come from the app's url_map and the field names from the pages themselves, so a
new page or field is covered without being listed here.
"""

from __future__ import annotations

import io
import re

import pytest

from expense_tracker import clock
from expense_tracker.extensions import db
from expense_tracker.models import Import
from expense_tracker.services import recurring, tokens

from ..helpers import csrf_token, log_in, text

# Whole numbers no field takes: past Python's 4,300-digit limit for int(), past a 64-bit
# column, and in another script's digits.
HOSTILE_NUMBERS = ["9" * 5000, "18446744073709551616", "１２"]
_FIELD_NAME = re.compile(r'\bname="([A-Za-z_][A-Za-z0-9_]*)"')
_SKIPPED = {"static"}


@pytest.fixture
def owned(app, user, add_expense, auth_client) -> dict[str, int]:
    """One of each record the pages take an id of, all the user's."""
    expense_id = add_expense(user, category="Food")
    with app.app_context():
        template = recurring.create_recurring(
            user.id,
            {
                "amount": "9.99",
                "category": "Rent",
                "frequency": "monthly",
                "start_date": "2026-01-01",
            },
            clock.today(),
        )
        token = tokens.create_token(user.id, "phone")[0]
        ids = {"recurring_id": template.id, "token_id": token.id}
    auth_client.post(
        "/import",
        data={
            "csrf_token": csrf_token(auth_client, "/import"),
            "file": (io.BytesIO(b"date,amount,what\n2026-01-02,5.00,Tea\n"), "bank.csv"),
        },
        content_type="multipart/form-data",
    )
    with app.app_context():
        ids["import_id"] = db.session.scalar(db.select(Import.id).where(Import.user_id == user.id))
    category_id = auth_client.get("/categories")
    found = re.search(r'href="/categories/([0-9]+)"', text(category_id))
    assert found, "no category link on /categories"
    return {**ids, "expense_id": expense_id, "category_id": int(found.group(1))}


def page_routes(app) -> list:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if not rule.rule.startswith("/api/") and rule.endpoint not in _SKIPPED
    ]


def build_path(rule, ids: dict[str, int]) -> str:
    """The rule's path for the user's records; an id of a kind not made here is 1."""
    values = {
        name: ids.get(name, 1 if type(converter).__name__ == "IntegerConverter" else "csv")
        for name, converter in rule._converters.items()
    }
    return rule.build(values)[1]


def field_names(client, app, ids) -> set[str]:
    """Every form field name the pages draw, for the user's records."""
    names: set[str] = set()
    for rule in page_routes(app):
        if "GET" in rule.methods:
            names.update(_FIELD_NAME.findall(text(client.get(build_path(rule, ids)))))
    return names - {"csrf_token"}


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
def test_hostile_numbers_in_every_field_of_every_page_never_cause_a_500(
    app, auth_client, user, owned, value
):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is a 500 here, as in production
    names = field_names(auth_client, app, owned)
    assert {"color", "into", "day_of_month", "amount_col"} <= names
    answered = {}

    for rule in sorted(page_routes(app), key=lambda rule: rule.rule):
        # Afresh for each route: one of them logs out, and another could end the session.
        client = app.test_client()
        log_in(client, user.username, user.password)
        path = build_path(rule, owned)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = dict.fromkeys(names, value)
            if method == "POST":
                data["csrf_token"] = csrf_token(client, "/")
            response = client.open(path, method=method, data=data, query_string=data)
            answered[f"{method} {path}"] = response.status_code
            response.close()  # a streamed download keeps its request open until closed

    assert len(answered) > 40
    assert {request for request, status in answered.items() if status >= 500} == set()


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
@pytest.mark.parametrize("column", ["date_col", "amount_col", "category_col", "description_col"])
def test_a_hostile_column_choice_is_refused_beside_the_field(auth_client, owned, column, value):
    # The columns are read only once every other setting is sound, as these are.
    settings = {
        "encoding": "utf-8",
        "delimiter": ",",
        "has_header": "yes",
        "date_format": "%Y-%m-%d",
        "decimal": ".",
        "signs": "positive",
        "date_col": "0",
        "amount_col": "1",
        "category_col": "",
        "description_col": "2",
        "default_category": "Bank",
        "save_as": "",
    }
    token = csrf_token(auth_client, "/import")

    response = auth_client.post(
        f"/import/{owned['import_id']}", data={**settings, column: value, "csrf_token": token}
    )

    assert response.status_code == 400
    assert "Choose one of the file&#39;s columns." in text(response)


@pytest.mark.parametrize("number", ["9" * 5000, "18446744073709551616", "9223372036854775808", "0"])
def test_a_hostile_id_in_any_path_finds_nothing(app, auth_client, user, number):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with app.app_context():
        secret = tokens.create_token(user.id, "paths")[1]
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if any(
            type(converter).__name__ == "IntegerConverter"
            for converter in rule._converters.values()
        )
    ]
    assert len(rules) > 20
    answered = {}

    for rule in rules:
        path = re.sub(r"<int:[a-z_]+>", number, rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if path.startswith("/api/"):
                sent = {"into": 1} if path.endswith("/merge") else {}
                body = {"json": sent} if method in ("POST", "PATCH") else {}
            else:
                body = {"data": {"csrf_token": csrf_token(auth_client, "/")}}
            response = auth_client.open(
                path, method=method, headers={"Authorization": f"Bearer {secret}"}, **body
            )
            answered[f"{method} {rule.rule}"] = response.status_code

    # Werkzeug's int converter refuses a number int() cannot read: no route, 404 or 405.
    assert {
        request: status for request, status in answered.items() if status not in (404, 405)
    } == {}
    assert list(answered.values()).count(404) > 10 and len(answered) > 30


@pytest.mark.parametrize("key", ["before", "after"])
def test_a_page_cursor_of_thousands_of_digits_means_the_first_page(auth_client, key):
    response = auth_client.get("/", query_string={key: "2026-01-01_" + "9" * 5000})

    assert response.status_code == 200

"""The installable app: its manifest, its service worker, and /add/sync for the device's queue."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from sqlalchemy import func, select

from expense_tracker.extensions import db
from expense_tracker.models import Expense

from ..factories import TODAY
from ..helpers import csrf_token, log_in, post_form, text

DEVICE_ID = "6f1d2c3b-4a59-4e8f-9d07-1b2c3d4e5f6a"


def sync(client, token: str | None = None, **fields):
    token = token if token is not None else client.get("/add/sync").get_json()["csrf_token"]
    return client.post(
        "/add/sync",
        data={"csrf_token": token, **fields},
        headers={"Accept": "application/json"},
    )


def device_expenses(app) -> list[tuple]:
    with app.app_context():
        return db.session.execute(
            select(Expense.user_id, Expense.amount, Expense.client_id).order_by(Expense.id)
        ).all()


# The manifest and the service worker


def test_the_manifest_opens_the_installed_app_on_quick_add(client):
    response = client.get("/manifest.webmanifest")

    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data())
    assert manifest["start_url"] == "/add" and manifest["display"] == "standalone"
    assert [shortcut["url"] for shortcut in manifest["shortcuts"]] == ["/add", "/"]
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:  # every icon is served, as the PNG it says it is
        served = client.get(icon["src"])
        assert served.status_code == 200 and served.get_data().startswith(b"\x89PNG")


def test_the_service_worker_is_served_from_the_root_naming_only_this_sites_files(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    script = text(response)
    assert "importScripts" not in script and "http" not in script.replace("https://", "")
    assert '["/add", "/"]' in script
    for asset in json.loads(re.search(r"const ASSETS = (\[.*?\]);", script)[1]):
        assert client.get(asset).status_code == 200
    # Served as every answer here: the policy holds for the worker too.
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_a_new_release_of_a_kept_file_is_a_new_service_worker(app, client, tmp_path, monkeypatch):
    from expense_tracker.app_shell import views

    version = re.search(r'const VERSION = "(\w+)"', text(client.get("/sw.js")))[1]
    static = tmp_path / "static"
    static.mkdir()
    for name in views.ASSETS:
        (static / name).write_bytes(b"changed " + name.encode())
    monkeypatch.setattr(app, "static_folder", str(static))

    changed = re.search(r'const VERSION = "(\w+)"', text(client.get("/sw.js")))[1]

    assert changed != version


def test_only_a_signed_in_page_registers_the_service_worker(client, user):
    assert "data-service-worker" not in text(client.get("/auth/login"))
    assert "data-signed-out" in text(client.get("/auth/login"))

    log_in(client, user.username, user.password)
    page = text(client.get("/add"))

    assert f'data-user="{user.id}"' in page and 'data-service-worker="/sw.js"' in page
    assert 'data-queue="/add/sync"' in page


OFFLINE_COPY = {"X-Offline-Copy": "1"}


def test_a_page_fetched_to_be_kept_after_the_session_ended_is_refused_and_leaves_no_message(
    client,
):
    # The service worker keeps quick add and the dashboard as it starts; if the session has
    # just ended it must keep neither the visitors' home page nor leave "Please log in" behind.
    for path in ("/", "/add"):
        response = client.get(path, headers=OFFLINE_COPY)
        assert response.status_code == 401, path
        assert "Set-Cookie" not in response.headers

    assert "Please log in" not in text(client.get("/auth/login"))
    response = client.get("/add")
    assert response.headers["Location"] == "/auth/login?next=%2Fadd"
    assert "Please log in to see that page." in text(client.get(response.headers["Location"]))


def test_a_page_fetched_to_be_kept_leaves_the_message_for_the_page_the_person_sees(auth_client):
    post_form(
        auth_client,
        "/expenses",
        {"amount": "4.20", "category": "Food", "date": TODAY, "description": ""},
    )

    kept = text(auth_client.get("/", headers=OFFLINE_COPY))
    assert "Your expenses" in kept and "Added €4.20" not in kept
    assert "Added €4.20 in Food" in text(auth_client.get("/"))


# /add/sync: the device's queue


def test_an_expense_from_the_queue_is_stored_then_answered_as_stored(app, auth_client, user):
    fields = {"client_id": DEVICE_ID, "amount": "4.50", "chip": "Food", "date": TODAY}

    first = sync(auth_client, **fields)
    again = sync(auth_client, **{**fields, "amount": "9.99"})

    assert first.status_code == 201 and again.status_code == 200
    assert first.get_json() == again.get_json()
    answer = first.get_json()
    assert answer["stored"] == "Stored €4.50 in Food, today."
    assert answer["next"] == f"/add?stored={answer['id']}"
    assert device_expenses(app) == [(user.id, Decimal("4.50"), DEVICE_ID)]


def test_a_refused_expense_from_the_queue_says_why_and_stores_nothing(app, auth_client, user):
    response = sync(auth_client, client_id=DEVICE_ID, amount="4.50", category="Gro", date=TODAY)

    assert response.status_code == 400
    answer = response.get_json()
    assert set(answer["errors"]) == {"category"}
    assert "Gro" in answer["message"]
    assert device_expenses(app) == []


def test_the_queue_must_name_each_expense_with_a_device_id(app, auth_client):
    for client_id in ("", "no spaces allowed"):
        response = sync(auth_client, client_id=client_id, amount="4.50", chip="Food", date=TODAY)

        assert response.status_code == 400
        assert set(response.get_json()["errors"]) == {"client_id"}
    assert device_expenses(app) == []


def test_another_users_device_id_is_not_theirs_to_replay(app, client, user, other_user):
    log_in(client, user.username, user.password)
    mine = sync(client, client_id=DEVICE_ID, amount="4.50", chip="Food", date=TODAY)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/add")})
    log_in(client, other_user.username, other_user.password)

    theirs = sync(client, client_id=DEVICE_ID, amount="7.00", chip="Food", date=TODAY)

    assert theirs.status_code == 201 and theirs.get_json()["id"] != mine.get_json()["id"]
    assert theirs.get_json()["stored"] == "Stored €7.00 in Food, today."


def test_the_queue_needs_a_form_token_and_a_session(app, client, auth_client):
    refused = sync(auth_client, token="forged", client_id=DEVICE_ID, amount="4.50", chip="Food")
    assert refused.status_code == 400
    assert device_expenses(app) == []

    auth_client.post("/auth/logout", data={"csrf_token": csrf_token(auth_client, "/add")})
    assert auth_client.get("/add/sync").status_code == 302  # to log in: app.js keeps waiting


def test_a_page_form_sent_twice_with_one_device_id_stores_one_expense(app, auth_client):
    fields = {"client_id": DEVICE_ID, "amount": "4.50", "chip": "Food", "date": TODAY}
    token = csrf_token(auth_client, "/add")

    for _ in range(2):
        response = auth_client.post("/add", data={"csrf_token": token, **fields})
        assert response.status_code == 302
    response = auth_client.post("/expenses", data={"csrf_token": token, **fields})
    assert response.status_code == 302

    with app.app_context():
        assert db.session.scalar(select(func.count(Expense.id))) == 1

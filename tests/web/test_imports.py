"""The CSV import page: upload, preview, check, import, undo, through HTTP."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from expense_tracker.extensions import db
from expense_tracker.models import Expense, Import

from ..helpers import csrf_token, post_form, text

GERMAN = (
    "Buchungstag;Verwendungszweck;Betrag\r\n"
    "05.01.2026;REWE Markt;-12,50\r\n"
    "06.01.2026;Gehalt;2.500,00\r\n"
    "07.01.2026;Miete;-1.250,00\r\n"
    "08.01.2026;Kaputt;abc\r\n"
)


def upload(client, content: bytes, name: str = "bank.csv"):
    token = csrf_token(client, "/import")
    return client.post(
        "/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def count(app, user_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(Expense.user_id == user_id))


def settings(**changes) -> dict:
    form = {
        "encoding": "utf-8",
        "delimiter": ";",
        "has_header": "yes",
        "date_format": "%d.%m.%Y",
        "decimal": ",",
        "signs": "negative",
        "date_col": "0",
        "amount_col": "2",
        "category_col": "",
        "description_col": "1",
        "default_category": "Bank",
        "save_as": "",
    }
    return form | changes


def test_the_page_is_linked_from_the_dashboard_and_settings(auth_client):
    assert 'href="/import"' in text(auth_client.get("/"))
    assert 'href="/import"' in text(auth_client.get("/settings"))
    assert "Upload and preview" in text(auth_client.get("/import"))


def test_the_page_needs_a_log_in(client):
    response = client.get("/import")

    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_a_bank_file_goes_through_preview_check_and_import(app, auth_client, user):
    uploaded = upload(auth_client, GERMAN.encode("utf-8"))
    assert uploaded.status_code == 302
    page = auth_client.get(uploaded.headers["Location"])
    assert page.status_code == 200
    assert "REWE Markt" in text(page) and 'value=";" selected' in text(page)
    url = uploaded.headers["Location"]

    changed = post_form(auth_client, url, settings(action="check"), token_page=url)
    checked = auth_client.get(changed.headers["Location"])
    body = text(checked)
    assert "<strong>2</strong> new" in body
    assert "Line 3: a positive amount is money coming in" in body
    assert "Line 5: “abc” is not an amount." in body

    run_url = re.search(r'action="(/import/\d+/run)"', body)[1]
    done = post_form(auth_client, run_url, {"duplicates": "skip"}, token_page=url)
    assert done.status_code == 302
    assert "Imported 2 expenses from bank.csv" in text(auth_client.get("/import"))
    assert count(app, user.id) == 2


def test_bad_settings_are_shown_beside_the_field(auth_client):
    url = upload(auth_client, GERMAN.encode()).headers["Location"]

    response = post_form(
        auth_client, url, settings(default_category="", date_col="9"), token_page=url
    )

    assert response.status_code == 400
    assert 'id="date_col-error"' in text(response)
    assert "choose one for every row" in text(response)


def test_a_file_over_the_limit_gets_a_message_beside_the_field(app, auth_client):
    app.config["IMPORT_MAX_BYTES"] = 2048
    response = upload(auth_client, b"date,amount,category\n" + b"2026-01-05,1,Food\n" * 4000)

    assert response.status_code == 413
    assert 'id="file-error"' in text(response) and "larger than" in text(response)


def test_a_file_over_one_mib_is_taken_by_the_import_page(auth_client):
    content = b"date,amount,category\n" + b"2026-01-05,1.00,Food\n" * 70_000

    response = upload(auth_client, content)

    assert len(content) > 1024 * 1024
    assert response.status_code == 302


def test_an_upload_without_csrf_token_is_refused(app, auth_client):
    response = auth_client.post(
        "/import",
        data={"file": (io.BytesIO(b"date,amount\n2026-01-01,1\n"), "x.csv")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Import)) == 0


def test_an_empty_upload_is_refused_beside_the_field(auth_client):
    response = upload(auth_client, b"")

    assert response.status_code == 400 and "this one is empty" in text(response)


def test_undo_removes_the_imported_expenses(app, auth_client, user):
    url = upload(auth_client, b"date,amount,category\n2026-01-05,1,Food\n").headers["Location"]
    import_id = url.rsplit("/", 1)[1]
    post_form(auth_client, f"/import/{import_id}/run", {}, token_page="/import")
    assert count(app, user.id) == 1

    response = post_form(auth_client, f"/import/{import_id}/undo", {}, token_page="/import")

    assert response.status_code == 302
    assert "Undone: 1 expense deleted." in text(auth_client.get("/import"))
    assert count(app, user.id) == 0


def test_another_users_import_is_404(client, auth_client, other_user):
    url = upload(auth_client, b"date,amount,category\n2026-01-05,1,Food\n").headers["Location"]
    post_form(auth_client, "/auth/logout", {})
    from ..helpers import log_in

    log_in(client, other_user.username, other_user.password)

    assert client.get(url).status_code == 404
    assert client.get(url + "/check").status_code == 404
    assert post_form(client, url + "/run", {}).status_code == 404


def test_changing_a_setting_shows_the_preview_again_with_it(auth_client):
    url = upload(auth_client, GERMAN.encode()).headers["Location"]

    changed = post_form(auth_client, url, settings(default_category="Giro"), token_page=url)

    assert changed.status_code == 302 and changed.headers["Location"].endswith(url)
    assert 'value="Giro"' in text(auth_client.get(url))


def test_an_upload_past_the_pending_cap_is_refused_beside_the_field(auth_client):
    for n in range(3):
        assert upload(auth_client, GERMAN.encode(), f"{n}.csv").status_code == 302

    response = upload(auth_client, GERMAN.encode(), "fourth.csv")

    assert response.status_code == 400
    assert "You have 3 uploads waiting to be imported" in text(response)


@pytest.mark.parametrize(
    "row",
    ["05.01.2026;Teuer;-" + "9" * 29, "05.01.2026;" + "x" * 140_000 + ";-1,00"],
    ids=["29 digits", "a cell over 128 KiB"],
)
def test_a_bad_row_is_shown_with_its_line_on_the_check_page(auth_client, row):
    response = upload(auth_client, (GERMAN + row + "\r\n").encode())
    page = auth_client.get(response.headers["Location"] + "/check")

    assert page.status_code == 200
    assert re.search(r"Line 6: (“-9{29}” is too large|a field is longer than 128 KiB)", text(page))


def test_an_import_finished_by_another_tab_meanwhile_sends_back_to_the_check(
    app, auth_client, user, monkeypatch
):
    from expense_tracker.services import imports

    content = b"date,amount,category\n2026-01-05,1,Food\n"
    first = upload(auth_client, content).headers["Location"].rsplit("/", 1)[1]
    second = upload(auth_client, content).headers["Location"].rsplit("/", 1)[1]
    plan = imports._plan
    other_tab: list = []

    def planned_then_the_other_tab_imports(user_id, record):
        found = plan(user_id, record)
        if record.id == int(first) and not other_tab:
            monkeypatch.setattr(imports, "_plan", plan)
            other_tab.append(imports.run_import(user_id, int(second)))
        return found

    monkeypatch.setattr(imports, "_plan", planned_then_the_other_tab_imports)
    response = post_form(auth_client, f"/import/{first}/run", {}, token_page="/import")

    assert other_tab == [1]
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/import/{first}/check")
    assert "Another import finished while this file was being imported" in text(
        auth_client.get(response.headers["Location"])
    )
    assert count(app, user.id) == 1

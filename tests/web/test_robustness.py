"""No input, on any route, produces a server error; a crash still gets a proper page."""

import pytest
from flask_login import current_user, login_required
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from expense_tracker.extensions import db
from expense_tracker.models import Category, Expense

from ..factories import PASSWORD, make_user
from ..helpers import csrf_token, log_in, make_app, post_form, text

# Hostile input reaches each database's driver differently (PostgreSQL refuses a NUL).
pytestmark = pytest.mark.both_databases

# Printable text and a sprinkling of control characters, as a hostile client might send.
field_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), max_codepoint=0x2FFFF), max_size=300
)
form = st.fixed_dictionaries(
    {},
    optional={
        name: field_text
        for name in (
            "date",
            "amount",
            "category",
            "description",
            "username",
            "password",
            "confirm_password",
        )
    },
)
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def stored_expenses(app, user_id: int) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(
            select(
                Expense.id, Expense.date, Expense.amount, Expense.category_id, Expense.description
            )
            .where(Expense.user_id == user_id)
            .order_by(Expense.id)
        ).all()
        return [tuple(row) for row in rows]


@FUZZ
@given(data=form, action=st.sampled_from(["create", "edit", "delete"]))
def test_random_expense_forms_never_cause_a_500_and_refusals_change_nothing(
    app, auth_client, user, add_expense, data, action
):
    expense_id = add_expense(user, description="kept as it was")
    path = {"create": "/expenses", "edit": f"/expenses/{expense_id}/edit"}.get(
        action, f"/expenses/{expense_id}/delete"
    )
    before = stored_expenses(app, user.id)
    token = csrf_token(auth_client, "/")

    response = auth_client.post(path, data={**data, "csrf_token": token})

    assert response.status_code in (302, 400), text(response)[:500]
    if response.status_code == 400:
        assert stored_expenses(app, user.id) == before


@FUZZ
@given(data=form, path=st.sampled_from(["/auth/login", "/auth/register"]))
def test_random_account_forms_never_cause_a_500(app, data, path):
    client = app.test_client()
    token = csrf_token(client, "/auth/login")

    response = client.post(path, data={**data, "csrf_token": token})

    # Many wrong passwords in a row are throttled (429), as they should be.
    assert response.status_code in (302, 400, 429), text(response)[:500]


@FUZZ
@given(query=st.dictionaries(st.sampled_from(["before", "after", "next"]), field_text, max_size=3))
def test_random_query_strings_never_cause_a_500(auth_client, query):
    response = auth_client.get("/", query_string=query)

    assert response.status_code == 200


def test_a_crash_gets_the_error_page_and_a_500(tmp_path):
    # As in production: handle the crash instead of raising it into the test.
    app = make_app(f"sqlite:///{tmp_path / 'c.sqlite'}", PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")

    assert response.status_code == 500
    assert "Something went wrong" in text(response)
    assert "Traceback" not in text(response)


def test_a_failed_write_is_rolled_back_before_the_error_page_is_drawn(database_url):
    app = make_app(database_url, PROPAGATE_EXCEPTIONS=False)

    @app.post("/half-done")
    @login_required
    def half_done():
        # As after any use case's commit, the logged-in user is expired and is read again
        # when the error page names them; then a write the database refuses.
        db.session.commit()
        for _ in range(2):
            db.session.add(Category(user_id=current_user.id, name="Twice", name_key="twice"))
        db.session.flush()

    with app.app_context():
        make_user("carol")
    client = app.test_client()
    log_in(client, "carol", PASSWORD)

    response = post_form(client, "/half-done", {})

    assert response.status_code == 500
    assert "Something went wrong" in text(response)
    assert '<span class="who">carol</span>' in text(response)
    with app.app_context():
        assert db.session.scalars(select(Category)).all() == []
        db.engine.dispose()

"""Request helpers: forms are posted the way a browser posts them, CSRF token included."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from expense_tracker import create_app
from expense_tracker.config import TestConfig
from expense_tracker.extensions import db

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_token(client, page: str = "/auth/login") -> str:
    """Return the CSRF token a page hands to this client's session."""
    html = client.get(page).get_data(as_text=True)
    match = _TOKEN.search(html)
    assert match, f"no CSRF token on {page}"
    return match.group(1) or match.group(2)


def post_form(client, url: str, data: dict, *, token_page: str = "/", **kwargs):
    """POST `data` to `url` with a valid CSRF token, as the page's form would."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, token_page)}, **kwargs)


def log_in(client, username: str, password: str, next_url: str | None = None):
    url = "/auth/login" + (f"?next={next_url}" if next_url else "")
    return post_form(
        client, url, {"username": username, "password": password}, token_page="/auth/login"
    )


def text(response) -> str:
    return response.get_data(as_text=True)


def noon(day: dt.date) -> dt.datetime:
    """Noon of `day` in the server's zone: a moment for time-machine to travel to."""
    return dt.datetime.combine(day, dt.time(12)).astimezone()


def make_app(database_url: str, **settings):
    """Build an app with the test settings on the given database."""
    config = type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url, **settings})
    return create_app(config)


@contextmanager
def recorded_statements() -> Iterator[list[str]]:
    """Yield a list that collects the SQL of every statement sent to the database meanwhile."""
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def writes_to(statements: list[str], table: str) -> int:
    """How many of `statements` insert into or update `table`."""
    pattern = re.compile(rf"^\s*(INSERT INTO|UPDATE) {table}\b", re.IGNORECASE)
    return sum(bool(pattern.match(statement)) for statement in statements)

"""Database helpers that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def dialect_name() -> str:
    """Return the name of the database the session talks to: "sqlite" or "postgresql"."""
    return db.session.get_bind().dialect.name


def upsert_insert(table):
    """Return an INSERT for `table` that supports ON CONFLICT on the current database."""
    return _INSERTS[dialect_name()](table)


def contains_ignoring_case(column, text: str):
    """SQL that is true where `column` contains `text`, ignoring case, also beyond ASCII.

    SQLite's own lower() folds ASCII letters only. For ASCII search text that is
    enough and fast; other text goes through `unicode_lower` (Python's str.lower,
    registered on every SQLite connection), which matches PostgreSQL's lower().
    """
    if dialect_name() == "sqlite" and not text.isascii():
        return func.unicode_lower(column).contains(text.lower(), autoescape=True)
    return func.lower(column).contains(text.lower(), autoescape=True)

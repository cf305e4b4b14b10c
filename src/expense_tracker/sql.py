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

    SQLite's LIKE already ignores the case of ASCII letters (and only theirs, as its
    lower() does), so ASCII search text needs no function call per row: half the cost of a
    search. Other text goes through `unicode_lower` (Python's str.lower, registered on
    every SQLite connection), which matches PostgreSQL's lower().
    """
    if dialect_name() == "sqlite":
        if text.isascii():
            return column.contains(text.lower(), autoescape=True)
        return func.unicode_lower(column).contains(text.lower(), autoescape=True)
    return func.lower(column).contains(text.lower(), autoescape=True)

"""Database helpers that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def upsert_insert(table):
    """Return an INSERT for `table` that supports ON CONFLICT on the current database."""
    return _INSERTS[db.session.get_bind().dialect.name](table)


def lowered(column):
    """SQL for `column` in lower case, Unicode-aware on both databases.

    SQLite's own lower() folds ASCII only; connections get a `unicode_lower`
    function (Python's str.lower) for this, matching PostgreSQL's lower().
    """
    if db.session.get_bind().dialect.name == "sqlite":
        return func.unicode_lower(column)
    return func.lower(column)

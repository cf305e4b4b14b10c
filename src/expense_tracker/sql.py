"""Database helpers that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def upsert_insert(table):
    """Return an INSERT for `table` that supports ON CONFLICT on the current database."""
    return _INSERTS[db.session.get_bind().dialect.name](table)

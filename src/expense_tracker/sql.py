"""Database helpers: what differs between SQLite and PostgreSQL, and reads under a lock."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from sqlalchemy import delete, false, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .errors import NotFound, Stale
from .extensions import db
from .models import MAX_ID

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def dialect_name() -> str:
    """Return the name of the database the session talks to: "sqlite" or "postgresql"."""
    return db.session.get_bind().dialect.name


# How strongly PostgreSQL holds a locked row: as one about to be deleted (or its key changed),
# as one about to be changed (rows merely filed under it, FOR KEY SHARE, may still come),
# or as one others may hold the same way, that cannot be deleted meanwhile.
LOCK_STRENGTHS = {
    "update": {},
    "no key update": {"key_share": True},
    "key share": {"read": True, "key_share": True},
}


def lock_rows(model, *conditions, strength: str = "update") -> None:
    """Lock the rows of `model` that meet `conditions` until the transaction ends.

    Call it before reading what will be written, then read under the lock with `fresh`.
    PostgreSQL locks those rows alone, in id order (so two requests locking the same rows
    cannot deadlock), and joins nothing: a join would be re-checked against a row changed
    meanwhile and drop it. `strength` is one of LOCK_STRENGTHS.
    SQLite has no row locks and starts a transaction only once it writes: a write that
    changes nothing takes the database's write lock before anything is read.
    """
    if dialect_name() == "sqlite":
        db.session.execute(
            update(model)
            .where(*conditions)
            .values(id=model.id)
            .execution_options(synchronize_session=False)
        )
        return
    locked = select(model.id).where(*conditions).order_by(model.id)
    db.session.execute(locked.with_for_update(**LOCK_STRENGTHS[strength]))


def lock_many(model, *conditions) -> None:
    """Lock every row of `model` that meets `conditions`, as `lock_rows`, without reading them.

    For many rows at once (an import's): PostgreSQL locks them in a subquery the database
    counts, so not one id comes back; SQLite takes its write lock with a write that
    changes nothing.
    """
    if dialect_name() == "sqlite":
        lock_rows(model, false())
        return
    locked = select(model.id).where(*conditions).order_by(model.id).with_for_update()
    db.session.execute(select(func.count()).select_from(locked.subquery()))


def fresh(query):
    """Return `query` made to overwrite objects the session already holds with what is stored.

    The identity map would otherwise hand back an object read earlier in the request, with
    the values it had then.
    """
    return query.execution_options(populate_existing=True)


def owned_row(model, row_id: int, user_id: int, *, lock: bool = False, strength: str = "update"):
    """Return the user's row of `model` with this id; NotFound for another user's or none.

    With lock=True the row is locked first, until the transaction ends (`lock_rows`, with
    `strength`), and then read as stored now (`fresh`).
    """
    if not 0 < row_id <= MAX_ID:
        raise NotFound()
    owned = (model.id == row_id, model.user_id == user_id)
    query = select(model).where(*owned)
    if lock:
        lock_rows(model, *owned, strength=strength)
        query = fresh(query)
    row = db.session.scalar(query)
    if row is None:
        raise NotFound()
    return row


# Rows past their use that an ordinary write deletes on the way (see `delete_some`): few
# enough that no request waits long, enough that a server nobody runs cron on stays bounded.
PURGE_BATCH = 20


def delete_some(model, condition, limit: int | None) -> int:
    """Delete the rows of `model` that meet `condition`, the `limit` lowest ids (None: all).

    Returns how many went. Does not commit: a request deletes a few in its own transaction.
    """
    doomed = select(model.id).where(condition).order_by(model.id).limit(limit)
    return db.session.execute(
        delete(model)
        .where(model.id.in_(doomed.scalar_subquery()))
        .execution_options(synchronize_session=False)
    ).rowcount


def check_version(row, versions: Collection[int] | None, message: str) -> None:
    """Refuse (Stale, carrying `row`) a change made from a version other than the stored one.

    Call it on a row read under its lock (`owned_row(..., lock=True)`). `versions` are those
    the change may start from; None takes any (the last writer wins). The transaction is
    rolled back first, so nothing the change began is kept.
    """
    if versions is not None and row.version not in versions:
        db.session.rollback()
        raise Stale(message, row)


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


def driver_value(column, value):
    """Return `value` as the driver takes it for `column` (what SQLAlchemy would bind).

    For `bulk_insert`, which hands rows to the driver itself: convert each distinct value
    once, not once a row.
    """
    dialect = db.session.get_bind().dialect
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    return process(value) if process else value


def bulk_insert(table, columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert `rows` (tuples of driver values, see `driver_value`) into `table`; return how many.

    Many rows at the driver's own speed, in the session's transaction: COPY on PostgreSQL,
    one executemany on SQLite. `rows` may be an iterator: it is read as it goes.
    """
    connection = db.session.connection()
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(table.c[name].name) for name in columns)
    cursor = connection.connection.cursor()
    count = 0
    try:
        if connection.dialect.name == "postgresql":
            # Names come from the table's own columns, never from input.
            with cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:  # nosec B608
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join("?" * len(columns))
        cursor.executemany(
            f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})",  # nosec B608
            rows,
        )
        return cursor.rowcount  # summed over every row by sqlite3
    finally:
        cursor.close()

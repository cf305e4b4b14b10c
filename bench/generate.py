"""Fill an empty database with benchmark data, straight into the tables, fast.

    python -m bench.generate sqlite:///build/bench/1M.sqlite --size 1M
    python -m bench.generate postgresql://user@host/db --size 100k

The schema comes from the app's migrations (`flask db upgrade`); the rows go in with one
`executemany` (SQLite) or `COPY` (PostgreSQL), not through the services, then the app
rebuilds its monthly totals from them.
"""

from __future__ import annotations

import argparse
import random
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
from flask import Flask
from sqlalchemy import create_engine, inspect
from werkzeug.security import generate_password_hash

from expense_tracker import clock, create_app
from expense_tracker.config import normalize_database_url
from expense_tracker.extensions import db
from expense_tracker.services.totals import rebuild_monthly_totals

from . import dataset

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
EXPENSE_COLUMNS = "user_id, category_id, date, amount_cents, description, created_at, updated_at"
# How SQLAlchemy stores dates and times in SQLite; rows written here must read back the same.
SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"


def app_for(url: str) -> Flask:
    """Return the app, with development settings, on the database at `url`."""
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": normalize_database_url(url),
            "SECRET_KEY": secrets.token_hex(32),
        }
    )


@contextmanager
def raw_connection(url: str) -> Iterator:
    """Yield the driver's own connection (sqlite3 or psycopg) to the database."""
    engine = create_engine(normalize_database_url(url))
    connection = engine.raw_connection()
    try:
        yield connection.driver_connection
    finally:
        connection.close()
        engine.dispose()


def fill(url: str, size: int) -> float:
    """Migrate the empty database at `url`, load `size` expenses; return the load's seconds.

    The seconds cover generating and inserting the rows and rebuilding the totals, not
    creating the schema.
    """
    with app_for(url).app_context():
        if inspect(db.engine).has_table("expenses"):
            raise SystemExit(f"refusing to fill {url}: it already has the app's tables")
        # What `flask --app expense_tracker db upgrade` does, without starting another Python.
        flask_migrate.upgrade(directory=str(MIGRATIONS))
        # The load switches SQLite's journal off, which needs no other connection open.
        db.engine.dispose()
        started = time.perf_counter()
        rng = random.Random(dataset.SEED)
        everyone = dataset.people(size, rng)
        with raw_connection(url) as connection:
            if db.engine.dialect.name == "sqlite":
                _load_sqlite(connection, everyone, rng)
            else:
                _load_postgresql(connection, everyone, rng)
        rebuild_monthly_totals()
        db.engine.dispose()
    return time.perf_counter() - started


def _rows(
    ids: list[tuple[int, list[int]]], everyone: list[dataset.Person], rng: random.Random
) -> list[tuple]:
    """Return every expense as (user_id, category_id, date, cents, description, created_at).

    Rows are sorted by entry time, so ids grow with time as in a database filled by use.
    """
    today = clock.today()
    rows = [
        (user_id, *row)
        for (user_id, category_ids), person in zip(ids, everyone, strict=True)
        for row in dataset.expenses(person, category_ids, rng, today)
    ]
    rows.sort(key=lambda row: row[5])
    return rows


def _password_hash() -> str:
    return generate_password_hash(dataset.PASSWORD, method=dataset.PASSWORD_METHOD)


def _sqlite_row(row: tuple) -> tuple:
    """Write the dates of an expense row as SQLAlchemy writes them in SQLite."""
    user_id, category_id, day, cents, text, created = row
    stamp = created.strftime(SQLITE_DATETIME)
    return (user_id, category_id, day.isoformat(), cents, text, stamp, stamp)


def _load_sqlite(connection, everyone: list[dataset.Person], rng: random.Random) -> None:
    """Insert in one transaction, without a journal: a failed load is simply made again."""
    connection.execute("PRAGMA journal_mode=OFF")
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA cache_size=-1000000")
    now = clock.now().strftime(SQLITE_DATETIME)
    ids = []
    for person in everyone:
        cursor = connection.execute(
            "INSERT INTO users (username, password_hash, created_at) VALUES (?, ?, ?)",
            (person.username, _password_hash(), now),
        )
        user_id = cursor.lastrowid
        category_ids = [
            connection.execute(
                "INSERT INTO categories (user_id, name, name_key, created_at) VALUES (?, ?, ?, ?)",
                (user_id, kind.name, kind.name.casefold(), now),
            ).lastrowid
            for kind in person.kinds
        ]
        ids.append((user_id, category_ids))
    connection.executemany(
        f"INSERT INTO expenses ({EXPENSE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        map(_sqlite_row, _rows(ids, everyone, rng)),
    )
    connection.commit()
    # The app runs in WAL mode; leave the file that way so its workers need not switch it.
    connection.execute("PRAGMA journal_mode=WAL")


def _load_postgresql(connection, everyone: list[dataset.Person], rng: random.Random) -> None:
    """Insert users and categories row by row (they are few) and the expenses with COPY."""
    now = clock.now()
    ids = []
    with connection.cursor() as cursor:
        for person in everyone:
            cursor.execute(
                "INSERT INTO users (username, password_hash, created_at)"
                " VALUES (%s, %s, %s) RETURNING id",
                (person.username, _password_hash(), now),
            )
            user_id = cursor.fetchone()[0]
            category_ids = []
            for kind in person.kinds:
                cursor.execute(
                    "INSERT INTO categories (user_id, name, name_key, created_at)"
                    " VALUES (%s, %s, %s, %s) RETURNING id",
                    (user_id, kind.name, kind.name.casefold(), now),
                )
                category_ids.append(cursor.fetchone()[0])
            ids.append((user_id, category_ids))
        with cursor.copy(f"COPY expenses ({EXPENSE_COLUMNS}) FROM STDIN") as copy:
            for user_id, category_id, day, cents, text, created in _rows(ids, everyone, rng):
                copy.write_row((user_id, category_id, day, cents, text, created, created))
    connection.commit()


def main(argv: list[str] | None = None) -> None:
    """Fill the database named on the command line and say how long the load took."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url", help="an empty database (a new SQLite file is fine)")
    parser.add_argument("--size", type=dataset.parse_size, default="10k", help="expenses")
    args = parser.parse_args(argv)
    seconds = fill(args.database_url, args.size)
    print(f"Loaded {dataset.format_size(args.size)} expenses in {seconds:.1f} s")


if __name__ == "__main__":
    main()

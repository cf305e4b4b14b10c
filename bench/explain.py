"""Show the plan of every SQL statement each measured page runs, on SQLite or PostgreSQL.

    python -m bench.explain sqlite [--size 100k] [--output docs/benchmarks.md]
    python -m bench.explain postgresql [--size 100k] [--output docs/benchmarks.md]
    python -m bench.explain sqlite --database-url sqlite:///build/bench/1M.sqlite

Without --database-url it fills a new database with --size expenses: a SQLite file under
build/bench/, or a throwaway PostgreSQL cluster (tests/postgres.py), analysed first. The
pages are requested as the heavy user through Flask's test client; every statement they
run is recorded with its parameters and explained, and full scans of the tables that grow
with the data are flagged.
"""

from __future__ import annotations

import argparse
import re
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy import event

from expense_tracker import clock
from expense_tracker.extensions import db

from . import dataset, generate, pages, report
from .server import ROOT, exit_cleanly_on_sigterm

# Tables that grow with the data: scanning one whole is what the targets forbid. Users and
# categories stay small, and PostgreSQL rightly reads their few pages straight through.
GROWING = ("expenses", "monthly_totals")
# SQLite's SCAN reads a whole table or a whole index (SEARCH is the bounded kind); an alias
# such as expenses_1 is still that table.
_SQLITE_GROWING_SCAN = re.compile(rf"\bSCAN ({'|'.join(GROWING)})(_[0-9]+)?\b")
_SQLITE_ANY_SCAN = re.compile(r"^\s*SCAN (?!CONSTANT ROW)")
_POSTGRESQL_GROWING_SCAN = re.compile(rf"\bSeq Scan on ({'|'.join(GROWING)})\b")


@dataclass(frozen=True)
class Explained:
    """One statement a page ran, its parameters and plan, and how it reads the tables.

    `full_scan`: the plan reads all of a growing table. `indexed`: every table can be read
    through an index (on PostgreSQL, the plan with sequential scans disabled has none left).
    """

    statement: str
    parameters: object
    plan: list[str]
    full_scan: bool
    indexed: bool


def record_statements(
    app: Flask, page: pages.Page, client, api_token: str
) -> list[tuple[str, object]]:
    """Request the page and return every statement it sent to the database."""
    statements: list[tuple[str, object]] = []

    def record(connection, cursor, statement, parameters, context, executemany) -> None:
        statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        form = page.form() if page.form else None
        headers = {"Authorization": f"Bearer {api_token}"} if page.api else {}
        response = client.open(page.path, method=page.method, data=form, headers=headers)
        # A streamed body (an export) runs its queries while it is read.
        response.get_data()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    if response.status_code != page.expect:
        raise RuntimeError(f"{page.name} answered {response.status_code}, not {page.expect}")
    return statements


def _explain_sqlite(connection, statement: str, parameters) -> Explained:
    rows = connection.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
    depth = {0: -1}
    plan = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        plan.append("  " * depth[node] + detail)
    full_scan = any(_SQLITE_GROWING_SCAN.search(line) for line in plan)
    indexed = not any(_SQLITE_ANY_SCAN.match(line) for line in plan)
    return Explained(statement, parameters, plan, full_scan, indexed)


def _plan_postgresql(connection, statement: str, parameters, *, seqscan: bool) -> list[str]:
    import psycopg

    # Client-side binding puts the values into the text, as EXPLAIN needs no server parameters.
    with psycopg.ClientCursor(connection) as cursor:
        cursor.execute(f"SET enable_seqscan = {'on' if seqscan else 'off'}")
        cursor.execute(f"EXPLAIN {statement}", parameters)
        return [row[0] for row in cursor.fetchall()]


def _explain_postgresql(connection, statement: str, parameters) -> Explained:
    plan = _plan_postgresql(connection, statement, parameters, seqscan=True)
    full_scan = any(_POSTGRESQL_GROWING_SCAN.search(line) for line in plan)
    forced = plan
    if any("Seq Scan" in line for line in plan):
        # A tiny table is read straight through even when an index would serve; asking again
        # with sequential scans disabled shows whether an index path exists at all.
        forced = _plan_postgresql(connection, statement, parameters, seqscan=False)
    indexed = not any("Seq Scan" in line for line in forced)
    return Explained(statement, parameters, plan, full_scan, indexed)


def explain_pages(app: Flask) -> dict[str, list[Explained]]:
    """Log in as the heavy user and explain every statement of every built page."""
    client = app.test_client()
    credentials = {"username": dataset.HEAVY_USER, "password": dataset.PASSWORD}
    client.post("/auth/login", data=credentials)
    api_token = client.post("/api/v1/tokens", json=credentials).get_json()["token"]
    recorded = {
        page.name: record_statements(app, page, client, api_token)
        for page in pages.PAGES
        if page.is_built
    }
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
        explain = _explain_sqlite if sqlite else _explain_postgresql
        connection = db.engine.raw_connection()
        try:
            return {
                name: [
                    explain(connection, statement, parameters) for statement, parameters in items
                ]
                for name, items in recorded.items()
            }
        finally:
            connection.rollback()
            connection.close()


def markdown(backend: str, source: str, command: str, explained: dict[str, list[Explained]]) -> str:
    """Return the plans as Markdown: a summary table, then each page's statements."""
    every = [item for items in explained.values() for item in items]
    scans = sum(item.full_scan for item in every)
    unindexed = sum(not item.indexed for item in every)
    lines = [
        f"Run on {clock.now():%Y-%m-%d %H:%M} UTC with `{command}`, on {source}.",
        "",
        f"Full scans of {' or '.join(GROWING)}: **{scans or 'none'}**. Statements with a table"
        f" no index can serve: **{unindexed or 'none'}**.",
        "",
        "| Page | Statements | Full scans | Without an index path |",
        "| --- | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {name} | {len(items)} | {sum(item.full_scan for item in items)}"
        f" | {sum(not item.indexed for item in items)} |"
        for name, items in explained.items()
    ]
    for name, items in explained.items():
        lines += ["", f"#### {name} ({backend})"]
        for number, item in enumerate(items, 1):
            lines += [
                "",
                f"{number}.{_flags(item)}",
                "",
                "```sql",
                " ".join(item.statement.split()),
                f"-- parameters: {item.parameters!r}",
                "```",
                "",
                "```",
                *(item.plan or ["(no plan rows)"]),
                "```",
            ]
    return "\n".join(lines) + "\n"


def _flags(item: Explained) -> str:
    flags = []
    if item.full_scan:
        flags.append("**full scan**")
    if not item.indexed:
        flags.append("**no index path**")
    elif any("Seq Scan" in line for line in item.plan):
        flags.append("(a small table read straight through; with seq scans off, an index serves)")
    return "".join(f" {flag}" for flag in flags)


@contextmanager
def database(backend: str, url: str | None, size: int) -> Iterator[tuple[str, str]]:
    """Yield (url, description) of the database to explain on, filling a new one if needed."""
    if url is not None:
        yield url, f"the database at `{url}`"
        return
    what = f"{dataset.format_size(size)} generated expenses"
    if backend == "sqlite":
        path = ROOT / "build" / "bench" / f"explain-{dataset.format_size(size)}.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob(f"{path.name}*"):
            stale.unlink()
        url = f"sqlite:///{path}"
        generate.fill(url, size)
        yield url, f"SQLite, {what} (not analysed: nothing runs ANALYZE in production)"
        return
    from tests.postgres import TemporaryCluster, find_bindir

    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL is not installed (no initdb found); pass --database-url")
    cluster = TemporaryCluster(bindir).start()
    try:
        generate.fill(cluster.url, size)
        with generate.raw_connection(cluster.url) as connection:
            connection.autocommit = True
            connection.execute("ANALYZE")
        yield cluster.url, f"a throwaway PostgreSQL cluster, {what}, analysed"
    finally:
        cluster.stop()


def main(argv: list[str] | None = None) -> str:
    """Explain every page's statements on the chosen backend; print and write the result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("backend", choices=("sqlite", "postgresql"))
    parser.add_argument("--size", type=dataset.parse_size, default="100k", help="expenses")
    parser.add_argument("--database-url", help="an already filled database (bench.generate)")
    parser.add_argument("--output", type=Path, help="Markdown file to write the plans into")
    args = parser.parse_args(argv)
    command = shlex.join(
        ["python", "-m", "bench.explain", *(sys.argv[1:] if argv is None else argv)]
    )
    with database(args.backend, args.database_url, args.size) as (url, source):
        app = generate.app_for(url)
        app.config["WTF_CSRF_ENABLED"] = False
        explained = explain_pages(app)
        with app.app_context():
            db.engine.dispose()
    text = markdown(args.backend, source, command, explained)
    print(text)
    if args.output:
        report.write_section(args.output, f"explain-{args.backend}", text)
    return text


if __name__ == "__main__":
    exit_cleanly_on_sigterm()
    main()

"""Time the CSV import and the original app's import on many rows, and their peak memory.

    python -m bench.imports --rows 1M --legacy 1M
    python -m bench.imports --rows 1k --legacy 1k --work build/bench-smoke   # the smoke run

Each step runs in a fresh Python process on a fresh SQLite database built by the
migrations, as a gunicorn worker would hold it: the process's peak resident memory is
what one worker needs for the step. The web import is timed through its services (upload,
check every row, import, undo) on a file of short bank rows at most IMPORT_MAX_BYTES;
the original app's import on a users.csv of 1,000 users and an expenses.csv of the size
given. Each ends with the monthly totals checked against the expenses.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import dataset

ROOT = Path(__file__).resolve().parents[1]
LEGACY_USERS = 1000
# The targets for a file at the upload limit (about a million short rows).
TARGETS = {"check_s": 10.0, "import_s": 10.0, "peak_mib": 200.0}


def bank_file(rows: int) -> bytes:
    """A bank's export of `rows` short rows: date, amount, category, description.

    Made in chunks, so that making it does not raise the peak memory measured after it.
    """
    start = dt.date(2023, 1, 1)
    days = [(start + dt.timedelta(days=n)).isoformat() for n in range(1000)]
    chunks = [b"date,amount,category,description\n"]
    for first in range(0, rows, 10_000):
        lines = (
            f"{days[n % 1000]},{n % 97 + 1},C{n % 40},{n % 997}\n"
            for n in range(first, min(rows, first + 10_000))
        )
        chunks.append("".join(lines).encode())
    return b"".join(chunks)


def legacy_files(expenses: int, users: int = LEGACY_USERS) -> tuple[str, str]:
    """The original app's users.csv and expenses.csv, as its seed script wrote them."""
    from werkzeug.security import generate_password_hash

    password = generate_password_hash(dataset.PASSWORD, method="pbkdf2:sha256:1000")
    people = "id,username,password\n" + "".join(
        f"{u},olduser{u},{password}\n" for u in range(1, users + 1)
    )
    start = dt.date(2020, 1, 1)
    rows = io.StringIO()
    rows.write("id,user_id,date,amount,category,description\n")
    for n in range(expenses):
        day = start + dt.timedelta(days=(n * 7) % 1800)
        rows.write(f"{n + 1},{n % users + 1},{day},{n % 5000 + 1}.5,Kind {n % 12},e{n % 997}\n")
    return people, rows.getvalue()


def _app(url: str):
    import flask_migrate

    from .generate import MIGRATIONS, app_for

    app = app_for(url)
    with app.app_context():
        flask_migrate.upgrade(directory=str(MIGRATIONS))
    return app


def child_web(url: str, rows: int) -> dict:
    """Upload, check, import and undo one file of `rows` rows; return the seconds of each."""
    from expense_tracker.extensions import db
    from expense_tracker.services import accounts, imports, totals

    app = _app(url)
    content = bank_file(rows)
    size = len(content)
    with app.app_context():
        user = accounts.register("importer", dataset.PASSWORD, dataset.PASSWORD)
        began = time.perf_counter()
        record = imports.start_import(user.id, "bank.csv", content)
        uploaded = time.perf_counter()
        # The upload's request ends here; the next ones read the bytes from the database.
        del content
        db.session.expire_all()
        check = imports.check_import(user.id, record.id)
        checked = time.perf_counter()
        count = imports.run_import(user.id, record.id)
        imported = time.perf_counter()
        mismatches = len(totals.check_monthly_totals())
        undone = imports.undo_import(user.id, record.id)
        finished = time.perf_counter()
        mismatches += len(totals.check_monthly_totals())
        db.session.remove()
    return {
        "rows": rows,
        "bytes": size,
        "new": len(check.new),
        "imported": count,
        "undone": undone,
        "upload_s": uploaded - began,
        "check_s": checked - uploaded,
        "import_s": imported - checked,
        "undo_s": finished - imported,
        "mismatches": mismatches,
    }


def child_legacy(url: str, expenses: int, work: Path) -> dict:
    """Import the original app's files of `expenses` expenses over 1,000 users; time it.

    The files were written by the parent process: the command reads them from disk.
    """
    from expense_tracker.services import legacy, totals

    app = _app(url)
    with app.app_context():
        users_path, expenses_path = _legacy_paths(work, expenses)
        with (
            users_path.open(encoding="utf-8-sig", newline="") as people,
            expenses_path.open(encoding="utf-8-sig", newline="") as rows,
        ):
            began = time.perf_counter()
            report = legacy.import_legacy(people, rows)
            seconds = time.perf_counter() - began
        mismatches = len(totals.check_monthly_totals())
    return {
        "expenses": report.expenses,
        "users": report.users,
        "problems": len(report.problems),
        "import_s": seconds,
        "mismatches": mismatches,
    }


@dataclass(frozen=True)
class Step:
    """One measured step: its figures and the peak memory of the process that ran it."""

    name: str
    figures: dict
    peak_mib: float


def _legacy_paths(work: Path, expenses: int) -> tuple[Path, Path]:
    name = dataset.format_size(expenses)
    return work / f"legacy-users-{name}.csv", work / f"legacy-expenses-{name}.csv"


def run_step(kind: str, size: int, work: Path) -> Step:
    """Run one step in a fresh process on a fresh database; return its figures."""
    database = work / f"imports-{kind}-{dataset.format_size(size)}.sqlite"
    if kind == "legacy":
        people, rows = legacy_files(size)
        for path, text in zip(_legacy_paths(work, size), (people, rows), strict=True):
            path.write_text(text, encoding="utf-8")
        del people, rows
    for stale in work.glob(f"{database.name}*"):
        stale.unlink()
    command = [sys.executable, "-m", "bench.imports", "--work", str(work)]
    command += ["--child", kind, str(size), str(database)]
    output = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    figures = json.loads(output.stdout.strip().splitlines()[-1])
    return Step(kind, figures, figures.pop("peak_kib") / 1024)


def markdown(steps: list[Step]) -> str:
    """The figures as a Markdown table, with the targets for the web import."""
    lines = [
        "| Step | Rows | Seconds | Peak MiB | Totals agree |",
        "| --- | --- | --- | --- | --- |",
    ]
    for step in steps:
        f = step.figures
        agree = "yes" if f["mismatches"] == 0 else f"**no** ({f['mismatches']})"
        if step.name == "web":
            rows = f"{f['rows']:,} ({f['bytes'] / 2**20:.1f} MiB)"
            for part in ("upload", "check", "import", "undo"):
                seconds = f[f"{part}_s"]
                target = TARGETS.get(f"{part}_s")
                verdict = "" if target is None else (" ✓" if seconds <= target else " ✗")
                lines.append(
                    f"| CSV import: {part} | {rows} | {seconds:.2f}{verdict} |"
                    f" {step.peak_mib:.0f} | {agree} |"
                )
        else:
            lines.append(
                f"| import-legacy ({f['users']:,} users) | {f['expenses']:,} |"
                f" {f['import_s']:.2f} | {step.peak_mib:.0f} | {agree} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[Step]:
    """Measure both imports from the command line and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=dataset.parse_size, default=1_000_000)
    parser.add_argument("--legacy", type=dataset.parse_size, default=1_000_000)
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, size, database = args.child
        url = f"sqlite:///{database}"
        if kind == "web":
            figures = child_web(url, int(size))
        else:
            figures = child_legacy(url, int(size), args.work)
        figures["peak_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps(figures))
        return []
    args.work.mkdir(parents=True, exist_ok=True)
    steps = [run_step("web", args.rows, args.work), run_step("legacy", args.legacy, args.work)]
    print(markdown(steps))
    return steps


if __name__ == "__main__":
    main()

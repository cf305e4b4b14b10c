"""Backups of the SQLite database, consistent while the app keeps writing.

SQLite's online backup API copies the database page by page. The copy runs inside one
read transaction on the source, so in WAL mode it sees a single snapshot (everything
committed before it started, nothing after) while writers carry on undisturbed.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Engine

# Pages copied per step: small enough for a smooth progress bar, large enough to be quick.
PAGES_PER_STEP = 1024


class BackupError(RuntimeError):
    """The backup cannot be made; the message says why and what to do instead."""


def sqlite_path(engine: Engine) -> Path:
    """Return the database file behind `engine`, or raise BackupError for anything else."""
    url = engine.url
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            f"The database is {url.get_backend_name()}, not SQLite. Back PostgreSQL up with"
            ' its own tools: pg_dump -Fc -f backup.dump "$DATABASE_URL" (see the README).'
        )
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database has no file to back up.")
    return Path(url.database)


def page_count(source: Path) -> int:
    """Return how many pages the database at `source` has (0 when there is no file)."""
    if not source.exists():
        return 0
    connection = sqlite3.connect(source)
    try:
        return connection.execute("PRAGMA page_count").fetchone()[0]
    finally:
        connection.close()


def backup_sqlite(
    source: Path,
    target: Path,
    *,
    overwrite: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Copy the SQLite database at `source` to `target`; return the number of pages copied.

    The copy is written to a temporary file beside `target`, then renamed over it, so
    `target` is never a half-written backup. An existing `target` is refused unless
    `overwrite`. `progress(copied, total)` is called after each step of pages.
    """
    if not source.exists():
        raise BackupError(f"There is no database at {source}.")
    if target.exists() and not overwrite:
        raise BackupError(f"{target} exists already and was left as it is.")
    if target.is_dir():
        raise BackupError(f"{target} is a folder; give the path of the backup file.")
    handle, temporary_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    os.close(handle)
    temporary = Path(temporary_name)
    try:
        pages = _copy(source, temporary, progress)
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return pages


def _copy(source: Path, target: Path, progress: Callable[[int, int], None] | None) -> int:
    # isolation_level=None: transactions are begun and ended here, explicitly.
    reader = sqlite3.connect(source, isolation_level=None)
    writer = sqlite3.connect(target, isolation_level=None)
    copied = 0
    try:
        reader.execute("PRAGMA busy_timeout=10000")
        # Holding a read transaction across every step pins one snapshot: the backup
        # neither restarts nor mixes states when the app commits meanwhile.
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM sqlite_master").fetchone()

        def step(status: int, remaining: int, total: int) -> None:
            nonlocal copied
            copied = total - remaining
            if progress is not None:
                progress(copied, total)

        reader.backup(writer, pages=PAGES_PER_STEP, progress=step)
        reader.execute("COMMIT")
        # A backup is one self-contained file: no write-ahead log beside it.
        writer.execute("PRAGMA journal_mode=DELETE")
        check = writer.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"The copy failed its integrity check: {check}")
    finally:
        writer.close()
        reader.close()
    with open(target, "rb+") as written:
        os.fsync(written.fileno())
    return copied

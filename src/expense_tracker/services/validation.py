"""Turn raw input into clean values, or say exactly what is wrong with it."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import (
    NumberFormatError,
    format_decimal,
    get_currency_precision,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)

from ..models import CENTS

MAX_AMOUNT = Decimal("1000000000")
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
CATEGORY_MAX = 40
DESCRIPTION_MAX = 200

# ASCII digits only: str.isdigit() and \d accept other scripts' digits too.
_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?", re.ASCII)
_DIGITS = frozenset("0123456789")
_SPACES = (" ", "\u00a0", "\u202f")
# Digits, one dot or comma, one or two digits: that separator can only be a decimal point.
_OTHER_POINT = re.compile(r"([0-9]+)([.,])([0-9]{1,2})", re.ASCII)
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
# Every whole number the app takes (ids, colours, days, columns) fits in 18 digits; reading a
# longer one is wasted work, and past 4,300 digits int() raises ValueError.
WHOLE_NUMBER_DIGITS = 18
_WHOLE_NUMBER = re.compile(f"[0-9]{{1,{WHOLE_NUMBER_DIGITS}}}", re.ASCII)

# No request body needs more: the deepest is an object of objects of strings. Python's parser
# recurses, so a body nested some thousand levels deep would raise RecursionError.
JSON_MAX_DEPTH = 32
JSON_NUMBER_MAX = 40
_JSON_NESTING = re.compile(r'"(?:[^"\\]|\\.)*+"|[\[\]{}]')
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class FieldError(ValueError):
    """A single field's input is invalid; the message is meant for the person."""


def _check_amount(amount: Decimal, too_much: str) -> Decimal:
    """Return the amount to the cent, once it is between zero and the largest allowed."""
    if amount <= 0:
        raise FieldError("The amount must be greater than zero.")
    if amount > MAX_AMOUNT:
        raise FieldError(f"The amount can be at most {too_much}.")
    return amount.quantize(CENTS)


def parse_amount(
    raw: str | None, locale: str | None = None, currency: str | None = None
) -> Decimal:
    """Return a positive amount with at most two decimals, up to one billion.

    Without a locale the amount is written as the API writes it (`1234.56`); with one, as
    that locale writes numbers (`1.234,56` or `1234,56` for de_DE, where `1.234` is one
    thousand two hundred thirty-four), read strictly by Babel. A currency without
    decimals (JPY) takes whole amounts only.
    """
    text = (raw or "").strip()
    if not text:
        raise FieldError("Enter an amount.")
    if locale is None:
        if not _AMOUNT.fullmatch(text):
            raise FieldError("Enter the amount as a number such as 12, 12.5 or 12.50.")
        return _check_amount(Decimal(text), "1,000,000,000")
    return _parse_local_amount(text, locale, currency)


def _parse_local_amount(text: str, locale: str, currency: str | None) -> Decimal:
    group, decimal = get_group_symbol(locale), get_decimal_symbol(locale)
    places = min(get_currency_precision(currency), 2) if currency else 2
    if group in _SPACES:
        # People type an ordinary space where the locale groups with a (narrow) no-break one.
        text = re.sub(f"[{''.join(_SPACES)}]", group, text)
    elif group == "\u2019":
        text = text.replace("'", group)
    samples = (
        ["12", f"12{decimal}5", f"1{group}234{decimal}56"] if places else ["12", f"1{group}234"]
    )
    examples = ", ".join(f"“{sample}”" for sample in samples[:-1]) + f" or “{samples[-1]}”"
    how = f"Enter the amount as a number such as {examples}."
    other_point = _OTHER_POINT.fullmatch(text)
    if other_point and other_point[2] != decimal:
        # "12.50" in German, "12,5" in English: a group of thousands has three digits, so
        # one separator before one or two can only be the other convention's decimal point.
        text = f"{other_point[1]}{decimal}{other_point[3]}"
    if any(char not in _DIGITS and char not in (group, decimal) for char in text):
        raise FieldError(how)
    too_much = format_decimal(MAX_AMOUNT, locale=locale)
    try:
        amount = parse_decimal(text, locale=locale, strict=True)
    except NumberFormatError as error:
        guess = error.suggestions[-1] if getattr(error, "suggestions", None) else None
        raise FieldError(f"{how} Did you mean “{guess}”?" if guess else how) from None
    except InvalidOperation:  # strict parsing writes the number back: hundreds of digits overflow
        raise FieldError(f"The amount can be at most {too_much}.") from None
    # The range first: quantizing a number of hundreds of digits would overflow too.
    _check_amount(amount, too_much)
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        raise FieldError(
            f"Use at most {places} decimals." if places else "This currency has no decimals."
        )
    return amount.quantize(CENTS)


def parse_whole_number(raw: object, low: int, high: int, message: str) -> int:
    """Return the whole number from `low` to `high` that `raw` is, or raise FieldError(message).

    `raw` is text of ASCII digits (from a form, a query or a path), surrounding spaces
    allowed, or an int (from JSON); anything else, bool included, is refused.
    """
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and _WHOLE_NUMBER.fullmatch(text := raw.strip()):
        value = int(text)
    else:
        raise FieldError(message)
    if not low <= value <= high:
        raise FieldError(message)
    return value


def parse_date(raw: str | None) -> dt.date:
    """Return the calendar date written as YYYY-MM-DD, between 1900 and 2100."""
    text = (raw or "").strip()
    if not text:
        raise FieldError("Enter a date.")
    if not _ISO_DATE.fullmatch(text):
        raise FieldError("Enter the date as YYYY-MM-DD.")
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise FieldError("That date does not exist.") from None
    if not MIN_DATE <= value <= MAX_DATE:
        raise FieldError("Enter a date between 1900-01-01 and 2100-12-31.")
    return value


def has_control_characters(text: str) -> bool:
    """Whether `text` holds a control character or a lone surrogate (never valid input)."""
    return any(unicodedata.category(char) in ("Cc", "Cs") for char in text)


def has_invisible_characters(text: str) -> bool:
    """Whether `text` holds a character that draws nothing or reorders the text around it.

    Format characters (Unicode's Cf: zero-width spaces and joiners, soft hyphens,
    text-direction marks, overrides and isolates) and the Hangul fillers, which are
    letters that draw nothing. With them two names can look the same and differ.
    """
    return any(unicodedata.category(char) == "Cf" or char in _FILLERS for char in text)


def clean_category(raw: str | None) -> str:
    """Return the category name, trimmed, in NFC, 1 to 40 printable visible characters.

    A name with invisible characters is refused rather than cleaned: what is stored is
    what the person sees, and no name can pass for another (uniqueness ignores case).
    """
    text = unicodedata.normalize("NFC", (raw or "").strip())
    if not text:
        raise FieldError("Enter a category.")
    if len(text) > CATEGORY_MAX:
        raise FieldError(f"Use at most {CATEGORY_MAX} characters for the category.")
    if has_control_characters(text):
        raise FieldError("The category contains characters that are not allowed.")
    if has_invisible_characters(text):
        raise FieldError(
            "The category contains invisible characters (such as zero-width spaces or"
            " text-direction marks), which could make it look like another: remove them."
        )
    return text


def clean_label(raw: str | None, what: str, max_length: int) -> str:
    """Return optional free text, trimmed, at most `max_length` printable characters."""
    text = (raw or "").strip()
    if len(text) > max_length:
        raise FieldError(f"Use at most {max_length} characters for the {what}.")
    if has_control_characters(text):
        raise FieldError(f"The {what} contains characters that are not allowed.")
    return text


def clean_description(raw: str | None) -> str:
    """Return the optional description, trimmed, at most 200 printable characters."""
    return clean_label(raw, "description", DESCRIPTION_MAX)


_CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}", re.ASCII)


def clean_client_id(raw: str | None) -> str | None:
    """Return the id a device gave a record it made (8 to 64 of A-Z, a-z, 0-9, - and _),
    or None when none was given."""
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str) or not _CLIENT_ID.fullmatch(raw):
        raise FieldError("A device's id is 8 to 64 letters, digits, - or _.")
    return raw


def load_json(raw: bytes | str) -> Any:
    """Return the value a request body of JSON holds, or raise FieldError saying what is wrong.

    Stricter than json.loads where the standard library's leniency is a risk: nesting is
    at most 32 levels deep, a number at most 40 characters (a longer integer costs time to
    read and past 4,300 digits raises ValueError), NaN and Infinity are refused (they are
    not JSON), and so is text with a lone UTF-16 surrogate, which no database can store.
    """
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise FieldError("Send the body as JSON in UTF-8.") from None
    depth = 0
    for match in _JSON_NESTING.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > JSON_MAX_DEPTH:
                raise FieldError(f"Send JSON nested at most {JSON_MAX_DEPTH} levels deep.")
        elif token in ("]", "}"):
            depth -= 1
    try:
        value = json.loads(
            text, parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant
        )
    except json.JSONDecodeError:
        raise FieldError("The body is not valid JSON.") from None
    _refuse_surrogates(value)
    return value


def _json_number(text: str) -> str:
    if len(text) > JSON_NUMBER_MAX:
        raise FieldError(
            f"Send JSON numbers of at most {JSON_NUMBER_MAX} characters;"
            ' amounts go as strings such as "12.50".'
        )
    return text


def _json_int(text: str) -> int:
    return int(_json_number(text))


def _json_float(text: str) -> float:
    value = float(_json_number(text))
    if math.isinf(value):
        raise FieldError(f"{text} is too large for a JSON number.")
    return value


def _json_constant(text: str) -> float:
    raise FieldError(f"{text} is not a JSON number.")


def _refuse_surrogates(value: Any) -> None:
    """Refuse a string (or key) with half of a UTF-16 pair; json.loads joins whole pairs."""
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise FieldError(
                "The JSON holds a lone surrogate (\\ud800 to \\udfff) that is not half"
                " of a pair: send text as valid Unicode."
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_surrogates(key)
            _refuse_surrogates(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_surrogates(item)

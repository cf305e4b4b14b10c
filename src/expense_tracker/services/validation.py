"""Turn raw input into clean values, or say exactly what is wrong with it."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

from ..models import CENTS

MAX_AMOUNT = Decimal("1000000000")
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
CATEGORY_MAX = 40
DESCRIPTION_MAX = 200

# ASCII digits only: str.isdigit() and \d accept other scripts' digits too.
_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?", re.ASCII)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


class FieldError(ValueError):
    """A single field's input is invalid; the message is meant for the person."""


def parse_amount(raw: str | None) -> Decimal:
    """Return a positive amount with at most two decimals, up to one billion."""
    text = (raw or "").strip()
    if not text:
        raise FieldError("Enter an amount.")
    if not _AMOUNT.fullmatch(text):
        raise FieldError("Enter the amount as a number such as 12, 12.5 or 12.50.")
    amount = Decimal(text)
    if amount <= 0:
        raise FieldError("The amount must be greater than zero.")
    if amount > MAX_AMOUNT:
        raise FieldError("The amount can be at most 1,000,000,000.")
    return amount.quantize(CENTS)


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


def clean_category(raw: str | None) -> str:
    """Return the category name, trimmed, 1 to 40 printable characters."""
    text = (raw or "").strip()
    if not text:
        raise FieldError("Enter a category.")
    if len(text) > CATEGORY_MAX:
        raise FieldError(f"Use at most {CATEGORY_MAX} characters for the category.")
    if has_control_characters(text):
        raise FieldError("The category contains characters that are not allowed.")
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

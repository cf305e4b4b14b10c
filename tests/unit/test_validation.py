"""The input rules every door shares: amounts, dates, categories, descriptions."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from expense_tracker.services.validation import (
    FieldError,
    clean_category,
    clean_description,
    parse_amount,
    parse_date,
    parse_whole_number,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", "12.00"),
        ("12.5", "12.50"),
        ("12.50", "12.50"),
        ("0.5", "0.50"),
        ("0.01", "0.01"),
        ("  7.25 ", "7.25"),
        ("1000000000", "1000000000.00"),
        ("1000000000.00", "1000000000.00"),
        ("007", "7.00"),
    ],
)
def test_valid_amounts_are_read_exactly(raw, expected):
    amount = parse_amount(raw)

    assert amount == Decimal(expected)
    assert str(amount) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        None,
        "0",
        "0.00",
        "-5",
        "+5",
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "inf",
        "1e309",
        "1e3",
        "1E3",
        "abc",
        "12.345",
        "12.",
        ".5",
        "1_000",
        "1,000",
        "1 000",
        "12,50",
        "١٢",  # Arabic-Indic digits
        "１２",  # full-width digits
        "1000000000.01",
        "99999999999999999999",
        "0x10",
        "12\n3",
    ],
)
def test_invalid_amounts_are_rejected_with_a_message(raw):
    with pytest.raises(FieldError) as error:
        parse_amount(raw)

    assert str(error.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-24", dt.date(2026, 11, 24)),
        ("1900-01-01", dt.date(1900, 1, 1)),
        ("2100-12-31", dt.date(2100, 12, 31)),
        ("2024-02-29", dt.date(2024, 2, 29)),
    ],
)
def test_valid_dates_are_read(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Enter a date."),
        (None, "Enter a date."),
        ("2023-02-29", "That date does not exist."),
        ("2026-13-01", "That date does not exist."),
        ("2026-04-31", "That date does not exist."),
        ("1899-12-31", "Enter a date between 1900-01-01 and 2100-12-31."),
        ("2101-01-01", "Enter a date between 1900-01-01 and 2100-12-31."),
        ("24-11-2026", "Enter the date as YYYY-MM-DD."),
        ("20261124", "Enter the date as YYYY-MM-DD."),
        ("2026-W48-2", "Enter the date as YYYY-MM-DD."),
        ("2026-11-24T10:00", "Enter the date as YYYY-MM-DD."),
        ("today", "Enter the date as YYYY-MM-DD."),
        ("２０２６-１１-２４", "Enter the date as YYYY-MM-DD."),
    ],
)
def test_invalid_dates_are_rejected_with_a_message(raw, message):
    with pytest.raises(FieldError, match=message):
        parse_date(raw)


def test_category_is_trimmed():
    assert clean_category("  Eating out  ") == "Eating out"


def test_category_of_forty_characters_is_accepted():
    assert clean_category("x" * 40) == "x" * 40


@pytest.mark.parametrize(
    "raw",
    [
        "Fo\u200bod",  # zero-width space
        "Food\u200c",  # zero-width non-joiner
        "Fo\u200dod",  # zero-width joiner
        "\u2060Food",  # word joiner
        "Fo\ufeffod",  # zero-width no-break space (byte order mark)
        "Fo\u00adod",  # soft hyphen
        "\u202eDOOF",  # right-to-left override
        "Food\u202a",  # left-to-right embedding
        "\u2067Food\u2069",  # right-to-left isolate
        "Food\u200f",  # right-to-left mark
        "Fo\u3164od",  # Hangul filler, a letter that draws nothing
    ],
)
def test_categories_with_invisible_characters_are_refused(raw):
    with pytest.raises(FieldError, match="invisible characters"):
        clean_category(raw)


def test_a_category_is_stored_in_one_unicode_form_however_it_was_typed():
    assert clean_category("Cafe\u0301") == clean_category("Caf\u00e9") == "Caf\u00e9"


@pytest.mark.parametrize("raw", ["Café", "Кафе", "مقهى", "咖啡", "🍕 Pizza", "Fish & chips"])
def test_categories_in_any_script_are_accepted(raw):
    assert clean_category(raw) == raw


@pytest.mark.parametrize("raw", ["", "   ", None, "x" * 41, "Fo\x00od", "Food\x07"])
def test_invalid_categories_are_rejected(raw):
    with pytest.raises(FieldError):
        clean_category(raw)


def test_description_is_optional():
    assert clean_description("") == ""
    assert clean_description(None) == ""


def test_description_of_two_hundred_characters_is_accepted():
    assert clean_description("é" * 200) == "é" * 200


@pytest.mark.parametrize("raw", ["x" * 201, "nul\x00byte", "line\nbreak"])
def test_invalid_descriptions_are_rejected(raw):
    with pytest.raises(FieldError):
        clean_description(raw)


@pytest.mark.parametrize(
    ("raw", "expected"), [("0", 0), ("7", 7), (" 31 ", 31), ("007", 7), (12, 12), (0, 0)]
)
def test_whole_numbers_in_range_are_read(raw, expected):
    assert parse_whole_number(raw, 0, 31, "Pick a day.") == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        " ",
        None,
        "32",
        "-1",
        "+1",
        "1.0",
        "1e1",
        "0x1",
        "1_0",
        "١٢",
        "１２",
        "9" * 5000,
        "0" * 5000,
        "9" * 19,
        32,
        -1,
        10**40,
        True,
        1.0,
        [],
        {},
    ],
)
def test_other_whole_numbers_are_refused_with_the_fields_message(raw):
    with pytest.raises(FieldError, match="^Pick a day.$"):
        parse_whole_number(raw, 0, 31, "Pick a day.")


@given(
    raw=st.text(max_size=40)
    | st.text(alphabet="0123456789 ", min_size=4000, max_size=6000)
    | st.integers()
    | st.integers(min_value=10**4000, max_value=10**4400),
    low=st.integers(min_value=-5, max_value=5),
    high=st.integers(min_value=0, max_value=2**63),
)
def test_a_whole_number_is_either_in_range_or_refused_never_anything_else(raw, low, high):
    try:
        value = parse_whole_number(raw, low, high, "Out of range.")
    except FieldError as error:
        assert str(error) == "Out of range."
    else:
        assert type(value) is int
        assert low <= value <= high

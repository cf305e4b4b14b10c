"""Reading a CSV file: encoding, delimiter, decimal mark, dates, signs, columns, cut-off lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from expense_tracker.services import csv_files
from expense_tracker.services.validation import FieldError

TEXT = "date,amount,category,description\n2026-01-05,3.20,Café,Crème\n"


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        (b"\xef\xbb\xbf" + TEXT.encode(), "utf-8"),
        (TEXT.encode(), "utf-8"),
        (TEXT.encode("cp1252"), "cp1252"),
        (TEXT.encode("latin-1") + b"\x81", "latin-1"),  # a byte only Latin-1 takes
    ],
    ids=["utf-8 with BOM", "utf-8", "windows-1252", "latin-1"],
)
def test_the_encoding_is_detected_and_the_text_read_without_a_bom(content, encoding):
    detected = csv_files.detect_encoding(content)

    assert detected == encoding
    assert csv_files.decode(content, detected).startswith(TEXT)


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("Buchungstag;Betrag\n05.01.2026;-12,50\n", ";"),
        ("a\tb\n1\t2\n", "\t"),
        ("a|b|c\n1|2|3\n", "|"),
        ('a;b\n"1,5";2\n', ";"),
    ],
)
def test_the_delimiter_is_the_one_that_splits_every_line_alike(text, delimiter):
    assert csv_files.detect_delimiter(text) == delimiter


@pytest.mark.parametrize(
    ("values", "decimal"),
    [
        (["-12,50", "2.500,00"], ","),
        (["12.50", "1,234.56"], "."),
        (["1,234", "7"], "."),  # three digits after the mark could be either: a point
        (["3,5"], ","),
    ],
)
def test_the_decimal_mark_is_read_from_the_amounts(values, decimal):
    assert csv_files.detect_decimal(values) == decimal


@pytest.mark.parametrize(
    ("raw", "decimal", "amount"),
    [
        ("-1.234,50 €", ",", "-1234.50"),
        ("(12.50)", ".", "-12.50"),
        ("12.50-", ".", "-12.50"),
        ("+3", ".", "3"),
        ("1'234.50", ".", "1234.50"),
    ],
)
def test_signed_amounts_are_read_exactly(raw, decimal, amount):
    assert csv_files.signed_amount(raw, decimal) == Decimal(amount)


@pytest.mark.parametrize(
    ("raw", "reason"), [("", "empty"), ("abc", "not an amount"), ("1.234", "decimals")]
)
def test_what_is_not_an_amount_says_why(raw, reason):
    with pytest.raises(FieldError, match=reason):
        csv_files.signed_amount(raw, ".")


def test_every_date_format_that_reads_all_the_samples_is_offered():
    assert csv_files.detect_date_formats(["05.01.2026", "31.12.2025"]) == ["%d.%m.%Y"]
    ambiguous = csv_files.detect_date_formats(["05/01/2026", "06/01/2026"])
    assert "%d/%m/%Y" in ambiguous and "%m/%d/%Y" in ambiguous
    assert csv_files.parse_date_as("05.01.2026", "%d.%m.%Y") == dt.date(2026, 1, 5)
    with pytest.raises(FieldError, match="between 1900 and 2100"):
        csv_files.parse_date_as("01.01.1899", "%d.%m.%Y")


@pytest.mark.parametrize(
    ("header", "columns"),
    [
        (["Buchungstag", "Verwendungszweck", "Betrag"], (0, 2, None, 1)),
        (["Date", "Montant", "Catégorie", "Libellé"], (0, 1, 2, 3)),
        (["id", "date", "amount", "category", "description"], (1, 2, 3, 4)),
    ],
)
def test_columns_are_guessed_from_their_names(header, columns):
    guessed = csv_files.guess_columns(header)

    assert tuple(guessed[f] for f in ("date", "amount", "category", "description")) == columns


def test_a_first_row_of_numbers_or_dates_is_data_not_a_header():
    assert csv_files.looks_like_data(["2026-01-05", "12,50", "Food"])
    assert not csv_files.looks_like_data(["Datum", "Betrag", "Kategorie"])


def test_records_keep_their_physical_lines_skip_blank_ones_and_flag_a_cut_off_last():
    text = 'date,amount\n\n2026-01-05,1\n"multi\nline",2\n2026-01-07,"3'

    found = list(csv_files.records(text, ","))

    assert [(r.line, r.cells[:1], r.cut_off) for r in found] == [
        (1, ["date"], False),
        (3, ["2026-01-05"], False),
        (4, ["multi\nline"], False),
        (6, ["2026-01-07"], True),
    ]


@pytest.mark.parametrize(
    ("value", "signs", "spent"),
    [("-12.50", "negative", "12.50"), ("12.50", "positive", "12.50"), ("-3", "all", "3.00")],
)
def test_the_sign_rule_turns_a_value_into_spending(value, signs, spent):
    assert csv_files.spending(Decimal(value), signs) == Decimal(spent)


def test_money_coming_in_is_not_spending():
    with pytest.raises(csv_files.NotSpending):
        csv_files.spending(Decimal("2500"), "negative")

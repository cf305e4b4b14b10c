"""Exports: the filtered expenses, oldest first, as CSV and JSON, in bounded memory."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tracemalloc
from decimal import Decimal

import pytest
from sqlalchemy import insert

from expense_tracker.extensions import db
from expense_tracker.models import Expense
from expense_tracker.services import exports
from expense_tracker.services.categories import resolve_category
from expense_tracker.services.filters import ExpenseFilter

from ..factories import make_expense


def read_csv(text: str) -> list[dict[str, str]]:
    assert text.startswith(exports.CSV_BOM)
    return list(csv.DictReader(io.StringIO(text.removeprefix(exports.CSV_BOM))))


def export_csv(user_id: int, expense_filter: ExpenseFilter | None = None, **kwargs) -> str:
    return "".join(exports.csv_chunks(exports.iter_expenses(user_id, expense_filter, **kwargs)))


def bulk_expenses(user_id: int, count: int) -> None:
    """Insert `count` expenses at once, spread over a few years (faster than the service)."""
    category_id = resolve_category(user_id, "Food").id
    start = dt.date(2020, 1, 1)
    db.session.execute(
        insert(Expense),
        [
            {
                "user_id": user_id,
                "category_id": category_id,
                "date": start + dt.timedelta(days=number % 1500),
                "amount": Decimal(number % 9000 + 1) / 100,
                "description": f"Expense number {number} with a description of some length",
            }
            for number in range(count)
        ],
    )
    db.session.commit()


def test_csv_has_the_header_and_every_expense_oldest_first(user):
    make_expense(user, amount="12.5", category="Food", date="2026-03-02", description="Lunch")
    make_expense(user, amount="3", category="Travel", date="2026-01-15", description="Bus")
    make_expense(user, amount="7.25", category="Food", date="2026-03-02", description="Later")

    text = export_csv(user.id)

    assert text.splitlines()[0] == exports.CSV_BOM + "date,amount,currency,category,description"
    assert [tuple(row.values()) for row in read_csv(text)] == [
        ("2026-01-15", "3.00", "EUR", "Travel", "Bus"),
        ("2026-03-02", "12.50", "EUR", "Food", "Lunch"),
        ("2026-03-02", "7.25", "EUR", "Food", "Later"),
    ]


def test_export_follows_the_filter_and_holds_only_the_users_expenses(user, other_user):
    make_expense(user, amount="20", category="Food", date="2026-02-01", description="Groceries")
    make_expense(user, amount="5", category="Food", date="2026-02-03", description="Coffee")
    make_expense(user, amount="30", category="Food", date="2025-02-03", description="Coffee")
    make_expense(user, amount="8", category="Travel", date="2026-02-04", description="Coffee")
    make_expense(other_user, amount="9", category="Food", date="2026-02-03", description="Coffee")
    expense_filter = ExpenseFilter(
        period="custom",
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 12, 31),
        category="food",
        text="coffee",
    )

    rows = read_csv(export_csv(user.id, expense_filter))

    assert [(r["date"], r["amount"]) for r in rows] == [("2026-02-03", "5.00")]
    assert exports.count_expenses(user.id, expense_filter) == 1


@pytest.mark.parametrize(
    ("description", "written"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1 2", "'+1 2"),
        ("-5 discount", "'-5 discount"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("'quoted", "''quoted"),
        ("Plain = fine", "Plain = fine"),
        ("\uff1dHYPERLINK(1)", "'\uff1dHYPERLINK(1)"),  # a full-width equals sign
        ("\u200b=1+1", "'\u200b=1+1"),  # a zero-width space first
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_get_a_leading_quote(
    user, description, written
):
    make_expense(user, category="=cmd|' /C calc'!A0", description=description)

    (row,) = read_csv(export_csv(user.id))

    assert row["description"] == written
    assert row["category"] == "'=cmd|' /C calc'!A0"
    assert exports.unneutralise_formula(written) == description


def test_json_is_an_array_of_objects_with_amounts_as_strings(user):
    make_expense(user, amount="1000000000", category="Café", date="2026-03-02", description='ü"')
    make_expense(user, amount="0.01", category="Food", date="2026-03-03", description="=1+1")

    items = json.loads("".join(exports.json_chunks(exports.iter_expenses(user.id))))

    assert items == [
        {"date": "2026-03-02", "amount": "1000000000.00", "currency": "EUR",
         "category": "Café", "description": "ü\""},
        {"date": "2026-03-03", "amount": "0.01", "currency": "EUR",
         "category": "Food", "description": "=1+1"},
    ]  # fmt: skip


def test_an_empty_export_is_a_header_or_an_empty_array(user):
    assert export_csv(user.id) == exports.CSV_BOM + "date,amount,currency,category,description\r\n"
    assert "".join(exports.json_chunks(exports.iter_expenses(user.id))) == "[]"


def test_batches_meet_without_losing_or_repeating_a_row_on_the_same_day(user):
    for number in range(7):
        make_expense(user, amount=str(number + 1), date="2026-05-05")
    make_expense(user, amount="99", date="2026-05-04")

    rows = list(exports.iter_expenses(user.id, batch_size=3))

    assert [row.amount for row in rows] == ["99.00", *(f"{n + 1}.00" for n in range(7))]


def test_the_currency_column_takes_the_currency_it_is_given(user):
    make_expense(user)

    (row,) = read_csv(export_csv(user.id, currency="CHF"))

    assert row["currency"] == "CHF"


@pytest.mark.volume
def test_streaming_many_expenses_keeps_memory_flat(user):
    count = 30_000
    bulk_expenses(user.id, count)
    db.session.expire_all()

    tracemalloc.start()
    try:
        streamed = 0
        for chunk in exports.csv_chunks(exports.iter_expenses(user.id)):
            streamed += chunk.count("\n")
        _, streaming_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        loaded = "".join(exports.csv_chunks(list(exports.iter_expenses(user.id))))
        _, loading_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert streamed == count + 1 == loaded.count("\n")
    # A batch of a thousand rows, not thirty thousand: well under a tenth of loading them all.
    assert streaming_peak < loading_peak / 10, (streaming_peak, loading_peak)
    assert streaming_peak < 5 * 2**20

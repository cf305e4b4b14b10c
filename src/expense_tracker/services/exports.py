"""Exports: a user's expenses that pass a filter, streamed as CSV or JSON in keyed batches.

Rows are read oldest first, by (date, id), a batch at a time over the (user_id, date, id)
index, so memory stays flat however many expenses there are, and a file imported back in
order gets the same order again. Each batch is its own bounded query; nothing holds a
cursor open between them.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from .. import clock
from ..colors import COLOR_NAMES
from ..config import DEFAULT_CURRENCY
from ..extensions import db
from ..models import (
    ApiToken,
    Budget,
    Category,
    Expense,
    Import,
    RecurringExpense,
    User,
)
from .filters import ExpenseFilter, expense_conditions

BATCH_SIZE = 1000
# Every amount is written beside its currency (the user's, see services/preferences.py),
# so a file says what its numbers mean.
COLUMNS = ("date", "amount", "currency", "category", "description")
# Excel opens UTF-8 CSV correctly only with a byte order mark; Python reads it with
# encoding="utf-8-sig", and the importers here do.
CSV_BOM = "\ufeff"
# A cell starting with one of these is run as a formula by spreadsheets (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportRow:
    """One exported expense: the fields a file holds."""

    date: str
    amount: str
    currency: str
    category: str
    description: str


def iter_expenses(
    user_id: int,
    expense_filter: ExpenseFilter | None = None,
    *,
    currency: str = DEFAULT_CURRENCY,
    batch_size: int = BATCH_SIZE,
) -> Iterator[ExportRow]:
    """Yield the user's expenses that pass the filter, oldest first, `batch_size` at a time."""
    query = (
        select(Expense.id, Expense.date, Expense.amount, Category.name, Expense.description)
        .join(Category, Category.id == Expense.category_id)
        .where(*expense_conditions(user_id, expense_filter or ExpenseFilter()))
        .order_by(Expense.date, Expense.id)
        .limit(batch_size)
    )
    after = None
    while True:
        batch = query
        if after is not None:
            batch = query.where(
                Expense.date >= after[0], or_(Expense.date > after[0], Expense.id > after[1])
            )
        rows = db.session.execute(batch).all()
        for _, date, amount, category, description in rows:
            yield ExportRow(date.isoformat(), f"{amount:.2f}", currency, category, description)
        if len(rows) < batch_size:
            return
        after = (rows[-1].date, rows[-1].id)


def count_expenses(user_id: int, expense_filter: ExpenseFilter | None = None) -> int:
    """Return how many expenses an export with this filter holds."""
    conditions = expense_conditions(user_id, expense_filter or ExpenseFilter())
    return db.session.scalar(select(func.count()).select_from(Expense).where(*conditions)) or 0


def _needs_quote(cell: str) -> bool:
    """Whether a spreadsheet might run the cell as a formula, or it starts with our quote.

    Spreadsheets skip what draws nothing before a formula (spaces, zero-width and
    direction characters) and read full-width and small forms (＝, ﹦) as the ASCII
    ones, so the first visible character is compared in its compatibility form (NFKC).
    """
    visible = cell.lstrip()
    while visible and unicodedata.category(visible[0]) == "Cf":
        visible = visible[1:].lstrip()
    first = unicodedata.normalize("NFKC", visible[:1])
    return cell.startswith(FORMULA_STARTS) or first.startswith((*FORMULA_STARTS, "'"))


def neutralise_formula(cell: str) -> str:
    """Return the cell as text no spreadsheet runs as a formula: a leading `'` where needed.

    A cell that already starts with `'` gets one more, so `unneutralise_formula`
    gives back exactly what was stored.
    """
    return "'" + cell if _needs_quote(cell) else cell


def unneutralise_formula(cell: str) -> str:
    """Undo `neutralise_formula` on a cell read back from an exported file."""
    if cell.startswith("'") and _needs_quote(cell[1:]):
        return cell[1:]
    return cell


def csv_chunks(
    rows: Iterator[ExportRow], *, bom: bool = True, decimal_comma: bool = False
) -> Iterator[str]:
    """Yield CSV text: a header, then one chunk per thousand rows; formulas neutralised.

    With `decimal_comma` (a locale that writes 1234,56) amounts have a comma and cells are
    separated by `;`, as spreadsheets in those locales open CSV files; amounts are never
    grouped and carry no symbol, so the file stays data that imports back (import-legacy
    reads both kinds).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", delimiter=";" if decimal_comma else ",")
    writer.writerow(COLUMNS)
    yield (CSV_BOM if bom else "") + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for number, row in enumerate(rows, 1):
        writer.writerow(
            (
                row.date,
                row.amount.replace(".", ",") if decimal_comma else row.amount,
                row.currency,
                neutralise_formula(row.category),
                neutralise_formula(row.description),
            )
        )
        if number % BATCH_SIZE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_chunks(rows: Iterator[ExportRow]) -> Iterator[str]:
    """Yield a JSON array of objects, one chunk per thousand rows; amounts are strings."""
    parts = ["["]
    for number, row in enumerate(rows):
        item = json.dumps({field: getattr(row, field) for field in COLUMNS}, ensure_ascii=False)
        parts.append(item if number == 0 else "," + item)
        if len(parts) >= BATCH_SIZE:
            yield "".join(parts)
            parts = []
    parts.append("]")
    yield "".join(parts)


def account_chunks(user_id: int, *, currency: str = DEFAULT_CURRENCY) -> Iterator[str]:
    """Yield everything stored about the user as one JSON document, the expenses streamed.

    Secrets stay out: no password hash, no token or two-factor secret, no session ids.
    """
    user = db.session.get(User, user_id)
    categories = db.session.execute(
        select(Category.name, Category.color)
        .where(Category.user_id == user_id)
        .order_by(Category.name_key)
    ).all()
    budgets = db.session.execute(
        select(Category.name, Budget.amount)
        .outerjoin(Category, Category.id == Budget.category_id)
        .where(Budget.user_id == user_id)
        .order_by(Category.name_key.is_not(None), Category.name_key)
    ).all()
    recurring = db.session.scalars(
        select(RecurringExpense)
        .where(RecurringExpense.user_id == user_id)
        .order_by(RecurringExpense.id)
    ).all()
    imports = db.session.execute(
        select(Import.filename, Import.status, Import.imported, Import.created_at)
        .where(Import.user_id == user_id)
        .order_by(Import.id)
    ).all()
    tokens = db.session.execute(
        select(ApiToken.name, ApiToken.created_at, ApiToken.last_used_at)
        .where(ApiToken.user_id == user_id)
        .order_by(ApiToken.id)
    ).all()
    head = {
        "format": "expense-tracker-account/1",
        "exported_at": clock.now().isoformat(),
        "account": {
            "username": user.username,
            "created_at": user.created_at.isoformat(),
            "two_factor": user.totp_secret is not None,
            # As chosen in Settings; null means the server's default. Amounts below stay
            # plain decimals: a formatted copy would only repeat them.
            "preferences": {"currency": user.currency, "locale": user.locale, "theme": user.theme},
        },
        "categories": [name for name, _ in categories],
        "category_colors": {name: COLOR_NAMES[color] for name, color in categories},
        # A budget without a category (null) is the overall monthly budget.
        "budgets": [{"category": name, "amount": f"{amount:.2f}"} for name, amount in budgets],
        "recurring_expenses": [
            {
                "amount": f"{recurring_expense.amount:.2f}",
                "category": recurring_expense.category.name,
                "description": recurring_expense.description,
                "frequency": recurring_expense.frequency,
                "day_of_month": recurring_expense.day_of_month,
                "start_date": recurring_expense.start_date.isoformat(),
                "end_date": recurring_expense.end_date.isoformat()
                if recurring_expense.end_date
                else None,
                "paused": recurring_expense.is_paused,
                "next_due": recurring_expense.next_due.isoformat()
                if recurring_expense.next_due
                else None,
            }
            for recurring_expense in recurring
        ],
        "imports": [
            {
                "file": filename,
                "status": status,
                "imported": imported,
                "created_at": created.isoformat(),
            }
            for filename, status, imported, created in imports
        ],
        "api_tokens": [
            {
                "name": name,
                "created_at": created.isoformat(),
                "last_used_at": used.isoformat() if used else None,
            }
            for name, created, used in tokens
        ],
    }
    opening = json.dumps(head, ensure_ascii=False)
    yield opening[:-1] + ', "expenses": '
    yield from json_chunks(iter_expenses(user_id, currency=currency))
    yield "}"

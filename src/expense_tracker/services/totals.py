"""Monthly totals per user and category: kept with every write, rebuilt and checked on demand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, func, insert, literal_column, select

from ..extensions import db
from ..models import Expense, MonthlyTotal
from ..sql import dialect_name, upsert_insert


def month_of(day: dt.date) -> dt.date:
    """Return the first day of the month `day` falls in."""
    return day.replace(day=1)


def add_to_totals(
    user_id: int, day: dt.date, category_id: int, amount: Decimal, count: int
) -> None:
    """Add `amount` and `count` (negative to take away) to one month's category total.

    An upsert of a delta: concurrent writers each add their own part atomically.
    It runs in the caller's transaction, so the total commits with the expense.
    """
    statement = upsert_insert(MonthlyTotal).values(
        user_id=user_id, month=month_of(day), category_id=category_id, total=amount, count=count
    )
    db.session.execute(sum_on_conflict(statement))


TOTALS_BATCH = 1000  # (user, month, category) rows per upsert


def add_many_to_totals(deltas: dict[tuple[int, dt.date, int], list | tuple]) -> None:
    """Add each (user, month, category) key's [amount, count] to its total: one upsert a batch.

    The keys go in order, so two writers that lock the same rows lock them in the same order.
    """
    items = sorted(deltas.items())
    for start in range(0, len(items), TOTALS_BATCH):
        rows = [
            {
                "user_id": user_id,
                "month": month,
                "category_id": category_id,
                "total": amount,
                "count": count,
            }
            for (user_id, month, category_id), (amount, count) in items[
                start : start + TOTALS_BATCH
            ]
        ]
        db.session.execute(sum_on_conflict(upsert_insert(MonthlyTotal).values(rows)))


def add_grouped_to_totals(*conditions, sign: int = 1) -> None:
    """Add the expenses that meet `conditions` to their monthly totals, in one statement.

    The database groups them (an INSERT ... SELECT), so rows written in bulk are added
    without being read into Python; in key order, as `add_many_to_totals` locks them.
    With sign=-1 they are taken away (before they are deleted, locked meanwhile).
    """
    grouped = _grouped_expenses(sign).where(*conditions)
    grouped = grouped.order_by(Expense.user_id, grouped.selected_columns.month, Expense.category_id)
    columns = ["user_id", "month", "category_id", "total_cents", "count"]
    db.session.execute(sum_on_conflict(upsert_insert(MonthlyTotal).from_select(columns, grouped)))


def sum_on_conflict(statement):
    """Return `statement` made to add its total and count to a (user, month, category) row.

    `statement` is `upsert_insert(MonthlyTotal)` with values() or from_select(): a row
    already there gets the new total and count added to its own, not replaced.
    """
    table = MonthlyTotal.__table__
    return statement.on_conflict_do_update(
        index_elements=[table.c.user_id, table.c.month, table.c.category_id],
        set_={
            "total_cents": table.c.total_cents + statement.excluded.total_cents,
            "count": table.c.count + statement.excluded.count,
        },
    )


def month_expression():
    """SQL for the first day of an expense's month, on either database (text on SQLite)."""
    if dialect_name() == "postgresql":
        # A literal, not a parameter: the GROUP BY and ORDER BY must repeat the very same SQL.
        return func.date_trunc(literal_column("'month'"), Expense.date).cast(db.Date)
    return func.date(Expense.date, literal_column("'start of month'"))


def _grouped_expenses(sign: int = 1):
    month = month_expression()
    total, count = func.sum(Expense.amount), func.count()
    return select(
        Expense.user_id,
        month.label("month"),
        Expense.category_id,
        total if sign > 0 else -total,
        count if sign > 0 else -count,
    ).group_by(Expense.user_id, month, Expense.category_id)


def rebuild_monthly_totals() -> None:
    """Recompute every monthly total from the expenses themselves, in one transaction."""
    table = MonthlyTotal.__table__
    db.session.execute(delete(MonthlyTotal))
    db.session.execute(
        insert(table).from_select(
            ["user_id", "month", "category_id", "total_cents", "count"], _grouped_expenses()
        )
    )
    db.session.commit()


@dataclass(frozen=True)
class Mismatch:
    """A (user, month, category) whose kept total differs from its expenses."""

    user_id: int
    month: dt.date
    category_id: int
    kept: tuple[Decimal, int]  # (total, count)
    actual: tuple[Decimal, int]


def check_monthly_totals() -> list[Mismatch]:
    """Compare every kept total and count with its expenses; list the differences."""
    nothing = (Decimal("0.00"), 0)
    kept = {
        (row.user_id, row.month, row.category_id): (row.total, row.count)
        for row in db.session.scalars(select(MonthlyTotal))
        if (row.total, row.count) != nothing
    }
    actual = {
        (user_id, as_date(month), category_id): (total, count)
        for user_id, month, category_id, total, count in db.session.execute(_grouped_expenses())
    }
    return [
        Mismatch(*key, kept=kept.get(key, nothing), actual=actual.get(key, nothing))
        for key in sorted(kept.keys() | actual.keys())
        if kept.get(key, nothing) != actual.get(key, nothing)
    ]


def as_date(value) -> dt.date:
    """Return a month read back from the database as a date (SQLite gives text)."""
    # SQLite's date() gives text; the stored column gives a date.
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)

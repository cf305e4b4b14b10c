"""Expenses: add, change, delete and list one user's expenses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, exists, or_, select
from sqlalchemy.exc import IntegrityError

from ..errors import ValidationError
from ..extensions import db
from ..models import MAX_ID, Category, Expense
from ..sql import check_version, owned_row
from .categories import resolve_category
from .category_choice import check_new_category
from .filters import ExpenseFilter, expense_conditions
from .totals import add_to_totals
from .validation import (
    FieldError,
    clean_category,
    clean_client_id,
    clean_description,
    parse_amount,
    parse_date,
    parse_whole_number,
)

_CLEANERS: dict[str, Callable[[str | None], Any]] = {
    "date": parse_date,
    "amount": parse_amount,
    "category": clean_category,
    "description": clean_description,
}


@dataclass(frozen=True)
class Cursor:
    """A position in a user's expense list: the (date, id) of one row."""

    date: dt.date
    id: int

    def __str__(self) -> str:
        return f"{self.date.isoformat()}_{self.id}"

    @classmethod
    def parse(cls, raw: str | None) -> Cursor | None:
        """Read a cursor from a URL; anything malformed means "from the start"."""
        date_text, _, id_text = (raw or "").partition("_")
        try:
            return cls(dt.date.fromisoformat(date_text), parse_whole_number(id_text, 1, MAX_ID, ""))
        except ValueError:  # FieldError is one
            return None

    @classmethod
    def of(cls, expense: Expense | Row) -> Cursor:
        return cls(expense.date, expense.id)


@dataclass(frozen=True)
class ExpensePage:
    """One page of expenses, newest first, with cursors to its neighbours.

    Each item is a row of id, date, amount, category (its name) and description, in that order.
    """

    items: list[Row]
    newer: Cursor | None
    older: Cursor | None


def _clean(
    raw: Mapping[str, str | None],
    fields: tuple[str, ...],
    locale: str | None = None,
    currency: str | None = None,
    ask_for: int | None = None,
) -> dict[str, Any]:
    """Return the cleaned values of `fields`, or raise ValidationError with every message.

    With `ask_for` (a user id), a category that user has not got is refused as
    UnknownCategory unless raw["new_category"] confirms its name (see category_choice).
    """
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in fields:
        try:
            if field == "amount":
                values[field] = parse_amount(raw.get(field), locale, currency)
            else:
                values[field] = _CLEANERS[field](raw.get(field))
        except FieldError as error:
            errors[field] = str(error)
    if ask_for is not None and "category" in values:
        check_new_category(ask_for, values["category"], raw.get("new_category"), errors)
    if errors:
        raise ValidationError(errors)
    return values


def _apply(user_id: int, expense: Expense, values: Mapping[str, Any]) -> None:
    # The category first: finding it queries, and a query would write (and count as a
    # version) the fields set before it on its own.
    if "category" in values:
        expense.category = resolve_category(user_id, values["category"])
    for field, value in values.items():
        if field != "category":
            setattr(expense, field, value)


def create_expense(
    user_id: int,
    raw: Mapping[str, str | None],
    *,
    locale: str | None = None,
    currency: str | None = None,
    ask_new_category: bool = False,
) -> Expense:
    """Validate and store a new expense for the user.

    The amount is read as `locale` writes numbers in `currency` (see `parse_amount`);
    without a locale, as the API writes it ("1234.56"). With `ask_new_category` (the
    pages), a category name that is new must be confirmed (UnknownCategory otherwise).
    """
    return create_expense_once(
        user_id,
        None,
        raw,
        locale=locale,
        currency=currency,
        ask_new_category=ask_new_category,
    ).expense


@dataclass(frozen=True)
class Created:
    """What `create_expense_once` stored, or found stored."""

    expense: Expense
    new: bool  # False when the device's id was stored before: this is that expense


def create_expense_once(
    user_id: int,
    client_id: str | None,
    raw: Mapping[str, str | None],
    *,
    locale: str | None = None,
    currency: str | None = None,
    ask_new_category: bool = False,
) -> Created:
    """Store a new expense as `create_expense` does, once for each id a device gives it.

    A device that made an expense (offline, say) sends it until it hears back; each time
    after the first, the expense stored then is the answer, whatever `raw` holds now, and
    nothing is stored or counted again (input that is malformed is still refused). Two
    sends at once store one: the unique index on
    (user, device's id) refuses the second, which then answers with the first.
    """
    try:
        client_id = clean_client_id(client_id)
    except FieldError as error:
        raise ValidationError({"client_id": str(error)}) from None
    if client_id is not None and _well_formed(raw, locale, currency):
        # A replay is answered before any question about a new category (the first send
        # settled it); malformed input is refused below, sent again or not.
        if (stored := _from_device(user_id, client_id)) is not None:
            return Created(stored, new=False)
    values = _clean(raw, tuple(_CLEANERS), locale, currency, user_id if ask_new_category else None)
    expense = Expense(user_id=user_id, client_id=client_id)
    _apply(user_id, expense, values)
    try:
        stage_expense(expense)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        stored = _from_device(user_id, client_id) if client_id is not None else None
        if stored is None:
            raise
        return Created(stored, new=False)
    return Created(expense, new=True)


def _well_formed(raw: Mapping[str, str | None], locale: str | None, currency: str | None) -> bool:
    try:
        _clean(raw, tuple(_CLEANERS), locale, currency)
    except ValidationError:
        return False
    return True


def _from_device(user_id: int, client_id: str) -> Expense | None:
    """The user's expense that a device gave this id, if it is stored."""
    return db.session.scalar(
        select(Expense).where(Expense.user_id == user_id, Expense.client_id == client_id)
    )


def stage_expense(expense: Expense) -> Expense:
    """Add a new, already valid expense and its monthly total to the caller's transaction.

    The caller commits; other services (recurring expenses) make expenses through here
    so that the totals stay right.
    """
    db.session.add(expense)
    db.session.flush()
    add_to_totals(expense.user_id, expense.date, expense.category.id, expense.amount, 1)
    return expense


def get_expense(user_id: int, expense_id: int, *, lock: bool = False) -> Expense:
    """Return the user's expense; another user's is as missing as one never made.

    With lock=True the row is locked first, until commit, and then read as stored now
    (not as an earlier read in the request left it), so the old values taken off the
    totals are true: two edits of one expense at once cannot both start from the same ones.
    """
    return owned_row(Expense, expense_id, user_id, lock=lock)


STALE = "This expense was changed since you opened it."


def update_expense(
    user_id: int,
    expense_id: int,
    raw: Mapping[str, str | None],
    *,
    locale: str | None = None,
    currency: str | None = None,
    versions: Collection[int] | None = None,
    ask_new_category: bool = False,
) -> Expense:
    """Change the fields present in `raw`; the others keep their values.

    The amount and `ask_new_category` are as in `create_expense`. With `versions`, the
    stored version must be one of them (the one the page or client saw), or nothing
    changes: Stale.
    """
    expense = get_expense(user_id, expense_id, lock=True)
    try:
        values = _clean(
            raw,
            tuple(field for field in _CLEANERS if field in raw),
            locale,
            currency,
            user_id if ask_new_category else None,
        )
    except ValidationError:
        db.session.rollback()
        raise
    # Bad input is told first: it would be refused from any version.
    check_version(expense, versions, STALE)
    old = (expense.date, expense.category_id, expense.amount)
    _apply(user_id, expense, values)
    add_to_totals(user_id, old[0], old[1], -old[2], -1)
    add_to_totals(user_id, expense.date, expense.category.id, expense.amount, 1)
    db.session.commit()
    return expense


def delete_expense(
    user_id: int, expense_id: int, *, versions: Collection[int] | None = None
) -> Expense:
    """Delete the user's expense and return it, detached, for the confirmation message.

    `versions` as in `update_expense`.
    """
    expense = get_expense(user_id, expense_id, lock=True)
    check_version(expense, versions, STALE)
    db.session.delete(expense)
    add_to_totals(user_id, expense.date, expense.category_id, -expense.amount, -1)
    db.session.commit()
    return expense


def has_expenses(user_id: int) -> bool:
    """Whether the user has stored any expense at all."""
    return db.session.scalar(select(exists().where(Expense.user_id == user_id))) or False


def list_expenses(
    user_id: int,
    *,
    limit: int,
    expense_filter: ExpenseFilter | None = None,
    before: Cursor | None = None,
    after: Cursor | None = None,
) -> ExpensePage:
    """Return a page of the user's expenses, newest date first and newest entry first on ties.

    Pages are found by key (date, id), not by offset, so a deep page costs as
    little as the first one.
    """
    # Plain rows, not ORM objects: a page is only read, and rows cost a fraction to load.
    query = (
        select(
            Expense.id,
            Expense.date,
            Expense.amount,
            Category.name.label("category"),
            Expense.description,
        )
        .join(Category, Category.id == Expense.category_id)
        .where(*expense_conditions(user_id, expense_filter or ExpenseFilter()))
    )
    if after is not None:
        rows = db.session.execute(
            query.where(
                Expense.date >= after.date,
                or_(Expense.date > after.date, Expense.id > after.id),
            )
            .order_by(Expense.date, Expense.id)
            .limit(limit + 1)
        ).all()
        if rows:
            items = list(reversed(rows[:limit]))
            newer = Cursor.of(items[0]) if len(rows) > limit else None
            return ExpensePage(items, newer, Cursor.of(items[-1]))
        before = None  # nothing newer any more: show the first page
    if before is not None:
        query = query.where(
            Expense.date <= before.date,
            or_(Expense.date < before.date, Expense.id < before.id),
        )
    rows = db.session.execute(
        query.order_by(Expense.date.desc(), Expense.id.desc()).limit(limit + 1)
    ).all()
    items = list(rows[:limit])
    newer = Cursor.of(items[0]) if before is not None and items else None
    older = Cursor.of(items[-1]) if len(rows) > limit else None
    return ExpensePage(items, newer, older)

"""Recurring expenses: an amount on a schedule, and the job that makes their expenses.

Rules:
- Weekly schedules repeat every 7 days from the start date. Monthly ones fall on their day
  of the month (1-31), or on the month's last day when it is shorter, and stay anchored to
  that day (31 Jan, 28 Feb, 31 Mar). Yearly ones fall on the start date's day and month;
  29 February falls on 28 February in other years.
- Every date from the start up to today becomes an expense, exactly once: the occurrence
  row's unique (recurring expense, date) pair decides which run makes it (see RecurringOccurrence).
  A start date may lie at most three years back, which bounds that back-fill.
- Pausing skips the dates that fall while paused: resuming does not back-fill them.
  Ending sets an end date; no date after it happens. Editing changes the dates after today
  only: what was due up to today is made first, on the old terms. Deleting a recurring
  expense keeps the expenses it made.
- Versions: each change the user makes (edit, pause, resume, end; merging its category)
  adds one to `version`, and an edit or delete made from an older one is refused (Stale).
  The job moving `next_due` on is no change of the user's terms: it keeps the version, so
  an edit page left open over a due date can still be saved.
- "Today" is the server's date, passed in by the caller.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import func, select, update

from .. import clock
from ..errors import ValidationError
from ..extensions import db
from ..models import Category, Expense, RecurringExpense, RecurringOccurrence, User
from ..sql import check_version, dialect_name, fresh, lock_rows, owned_row, upsert_insert
from .categories import resolve_category
from .expenses import stage_expense
from .validation import (
    FieldError,
    clean_category,
    clean_description,
    parse_amount,
    parse_date,
    parse_whole_number,
)

FREQUENCIES = {"weekly": "Every week", "monthly": "Every month", "yearly": "Every year"}
BACKFILL_YEARS = 3
# Recurring expenses the job reads at a time; each is committed on its own.
BATCH = 100


# Schedules ------------------------------------------------------------------------------


def _clamped(year: int, month: int, day: int) -> dt.date:
    """The `day` of a month, or the month's last day when the month is shorter."""
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def first_on_or_after(
    frequency: str, start: dt.date, day_of_month: int | None, day: dt.date
) -> dt.date:
    """Return the first date of the schedule on or after `day` (and never before `start`)."""
    day = max(day, start)
    if frequency == "weekly":
        return day + dt.timedelta(days=-(day - start).days % 7)
    if frequency == "monthly":
        anchor = day_of_month or start.day
        candidate = _clamped(day.year, day.month, anchor)
        if candidate < day:
            candidate = _clamped(*_add_months(day.year, day.month, 1), anchor)
        return candidate
    candidate = _clamped(day.year, start.month, start.day)
    if candidate < day:
        candidate = _clamped(day.year + 1, start.month, start.day)
    return candidate


def following(recurring_expense: RecurringExpense, day: dt.date) -> dt.date:
    """Return the recurring expense's first date after `day`."""
    return first_on_or_after(
        recurring_expense.frequency,
        recurring_expense.start_date,
        recurring_expense.day_of_month,
        day + dt.timedelta(days=1),
    )


def _within_end(recurring_expense: RecurringExpense, day: dt.date | None) -> dt.date | None:
    """`day`, or None when it falls after its end date (nothing more is due)."""
    if day is None or (recurring_expense.end_date is not None and day > recurring_expense.end_date):
        return None
    return day


def _schedule_from(recurring_expense: RecurringExpense, day: dt.date) -> None:
    recurring_expense.next_due = _within_end(
        recurring_expense,
        first_on_or_after(
            recurring_expense.frequency,
            recurring_expense.start_date,
            recurring_expense.day_of_month,
            day,
        ),
    )


# Validation -----------------------------------------------------------------------------


def _years_before(day: dt.date, years: int) -> dt.date:
    return _clamped(day.year - years, day.month, day.day)


def _parse_day_of_month(raw: str | None) -> int | None:
    text = (raw or "").strip()
    if not text:
        return None
    return parse_whole_number(text, 1, 31, "Enter a day of the month from 1 to 31.")


def _clean(
    raw: Mapping[str, str | None],
    today: dt.date,
    kept_start: dt.date | None = None,
    preferences: tuple[str | None, str | None] = (None, None),
) -> dict[str, Any]:
    """Check every field; the amount is read in `preferences` (locale, currency) if given."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    cleaners = {
        "amount": partial(parse_amount, locale=preferences[0], currency=preferences[1]),
        "category": clean_category,
        "description": clean_description,
        "start_date": parse_date,
        "day_of_month": _parse_day_of_month,
    }
    for field, cleaner in cleaners.items():
        try:
            values[field] = cleaner(raw.get(field))
        except FieldError as error:
            errors[field] = str(error)
    frequency = (raw.get("frequency") or "").strip()
    if frequency not in FREQUENCIES:
        errors["frequency"] = "Choose weekly, monthly or yearly."
    values["frequency"] = frequency
    earliest = _years_before(today, BACKFILL_YEARS)
    start = values.get("start_date")
    # The limit bounds the back-fill of a new start; an edit may keep an older one.
    if start is not None and start < earliest and start != kept_start:
        errors["start_date"] = (
            f"The start can be at most {BACKFILL_YEARS} years ago ({earliest.isoformat()})."
        )
    values["end_date"] = None
    if (raw.get("end_date") or "").strip():
        try:
            values["end_date"] = parse_date(raw.get("end_date"))
        except FieldError as error:
            errors["end_date"] = str(error)
        else:
            if start is not None and values["end_date"] < start:
                errors["end_date"] = "The end date cannot be before the start date."
    if errors:
        raise ValidationError(errors)
    if frequency != "monthly":
        values["day_of_month"] = None
    return values


def _apply(user_id: int, recurring_expense: RecurringExpense, values: Mapping[str, Any]) -> None:
    recurring_expense.category = resolve_category(user_id, values["category"])
    for field in ("amount", "description", "frequency", "start_date", "end_date"):
        setattr(recurring_expense, field, values[field])
    recurring_expense.day_of_month = values["day_of_month"]


# The user's earliest due date -----------------------------------------------------------


def _refresh_user_due(user_id: int) -> None:
    """Store the earliest next due date of the user's active recurring expenses on the user row.

    One statement, reading the (user_id, next_due) index.
    """
    earliest = (
        select(func.min(RecurringExpense.next_due))
        .where(
            RecurringExpense.user_id == user_id,
            RecurringExpense.next_due.is_not(None),
            RecurringExpense.is_paused.is_(False),
        )
        .scalar_subquery()
    )
    db.session.execute(
        update(User)
        .where(User.id == user_id)
        .values(recurring_due=earliest)
        .execution_options(synchronize_session=False)
    )


def is_due(user: User, today: dt.date) -> bool:
    """Whether any of the user's recurring expenses has a date up to today not yet made."""
    return user.recurring_due is not None and user.recurring_due <= today


def make_due_for(user: User, today: dt.date) -> int:
    """Make the user's recurring expenses due up to today, if any; return how many were made.

    Called as each of the user's requests begins (page or API), before anything is read,
    so every figure shown already counts them; a request with nothing due runs no query.
    """
    if not is_due(user, today):
        return 0
    return run_due(today, user_id=user.id).expenses


# Making expenses ------------------------------------------------------------------------


def _make_due(recurring_expense: RecurringExpense, today: dt.date) -> int:
    """Make the expenses of its dates up to today; return how many were made.

    Each date is first claimed by inserting its occurrence (ON CONFLICT DO NOTHING); only
    the run whose insert took effect makes the expense, in the same transaction. Another
    run holding the same claim uncommitted makes this insert wait for its outcome.
    """
    occurrences = RecurringOccurrence.__table__
    made = 0
    start = recurring_expense.next_due
    day = start
    while day is not None and day <= today and not recurring_expense.is_paused:
        claimed = db.session.scalar(
            upsert_insert(occurrences)
            .values(template_id=recurring_expense.id, due_date=day, created_at=clock.now())
            .on_conflict_do_nothing(index_elements=["template_id", "due_date"])
            .returning(occurrences.c.id)
        )
        if claimed is not None:
            expense = stage_expense(
                Expense(
                    user_id=recurring_expense.user_id,
                    date=day,
                    amount=recurring_expense.amount,
                    category=recurring_expense.category,
                    description=recurring_expense.description,
                )
            )
            db.session.execute(
                update(occurrences).where(occurrences.c.id == claimed).values(expense_id=expense.id)
            )
            made += 1
        day = _within_end(recurring_expense, following(recurring_expense, day))
    if day != start:
        # Only move the cursor from where this run found it: a run or an edit that moved
        # it meanwhile wins, and the occurrences already keep every date to one expense.
        db.session.execute(
            update(RecurringExpense)
            .where(RecurringExpense.id == recurring_expense.id, _cursor_is(start))
            .values(next_due=day, updated_at=clock.now())
            .execution_options(synchronize_session=False)
        )
        recurring_expense.next_due = day
    return made


def _cursor_is(day: dt.date | None):
    if day is None:
        return RecurringExpense.next_due.is_(None)
    return RecurringExpense.next_due == day


@dataclass(frozen=True)
class RunReport:
    """What one run of the job did."""

    expenses: int
    users: int


def _due_batch(today: dt.date, user_id: int | None, after: int) -> list[RecurringExpense]:
    """The next recurring expenses with dates due by `today`, in id order after `after`."""
    query = (
        select(RecurringExpense)
        .where(
            RecurringExpense.next_due <= today,
            RecurringExpense.is_paused.is_(False),
            RecurringExpense.id > after,
        )
        .order_by(RecurringExpense.id)
        .limit(BATCH)
    )
    if user_id is not None:
        query = query.where(RecurringExpense.user_id == user_id)
    return list(db.session.scalars(query))


def _held(recurring_expense: RecurringExpense) -> RecurringExpense | None:
    """Hold it, then the category its expenses go to (FOR KEY SHARE); read it again as stored.

    The order every change of a recurring expense and a merge of categories take them in.
    A merge of that category either waits for the job or went first; then the recurring
    expense files under another category now, and is left to the next run (None), as is
    one deleted meanwhile. Each date is still claimed on its own (`_make_due`).
    """
    category_id = recurring_expense.category_id
    if dialect_name() != "sqlite":  # SQLite's one write lock, taken next, needs no order
        lock_rows(RecurringExpense, RecurringExpense.id == recurring_expense.id)
    lock_rows(Category, Category.id == category_id, strength="key share")
    found = db.session.scalar(
        fresh(select(RecurringExpense).where(RecurringExpense.id == recurring_expense.id))
    )
    return found if found is not None and found.category_id == category_id else None


def run_due(today: dt.date, user_id: int | None = None) -> RunReport:
    """Make every expense due up to `today`, for one user or for everyone; commit each on its own.

    Safe to run twice, or on several servers at once: no date ever makes two expenses.
    """
    made = 0
    users: set[int] = set()
    after = 0
    while recurring_expenses := _due_batch(today, user_id, after):
        for candidate in recurring_expenses:
            after = candidate.id
            recurring_expense = _held(candidate)
            if recurring_expense is None:
                db.session.rollback()
                continue
            count = _make_due(recurring_expense, today)
            _refresh_user_due(recurring_expense.user_id)
            db.session.commit()
            if count:
                made += count
                users.add(recurring_expense.user_id)
    if user_id is not None and not made:
        # Nothing was due after all (another run was first): keep the user row right.
        _refresh_user_due(user_id)
        db.session.commit()
    return RunReport(made, len(users))


# Use cases ------------------------------------------------------------------------------


def list_recurring(user_id: int) -> list[RecurringExpense]:
    """Return the user's recurring expenses: active ones by next date, then paused, then ended."""
    recurring_expenses = db.session.scalars(
        select(RecurringExpense)
        .where(RecurringExpense.user_id == user_id)
        .order_by(RecurringExpense.id)
    ).all()
    order = {"active": 0, "paused": 1, "ended": 2}
    return sorted(recurring_expenses, key=lambda t: (order[status_of(t)], t.id))


def status_of(recurring_expense: RecurringExpense) -> str:
    """ "active", "paused" or "ended"."""
    if recurring_expense.next_due is None:
        return "ended"
    return "paused" if recurring_expense.is_paused else "active"


STALE = "This recurring expense was changed since you opened it."


def _changed_by_user(recurring_expense: RecurringExpense) -> None:
    """Count a change of the user's as a new version (the job's are not counted)."""
    recurring_expense.version += 1


def get_recurring(user_id: int, recurring_id: int, *, lock: bool = False) -> RecurringExpense:
    """Return the user's recurring expense; another user's is as missing as one never made.

    With lock=True the row is locked first, until commit, and read as stored now: its
    schedule (what is due next) is what the change starts from.
    """
    return owned_row(RecurringExpense, recurring_id, user_id, lock=lock)


def create_recurring(
    user_id: int,
    raw: Mapping[str, str | None],
    today: dt.date,
    *,
    locale: str | None = None,
    currency: str | None = None,
) -> RecurringExpense:
    """Validate and store a recurring expense; its dates from the start to today are made at once.

    The amount is read as `locale` writes numbers in `currency` (see `parse_amount`);
    without a locale, as the API writes it ("1234.56").
    """
    values = _clean(raw, today, preferences=(locale, currency))
    recurring_expense = RecurringExpense(user_id=user_id, is_paused=False)
    _apply(user_id, recurring_expense, values)
    _schedule_from(recurring_expense, recurring_expense.start_date)
    db.session.add(recurring_expense)
    db.session.flush()
    _make_due(recurring_expense, today)
    _refresh_user_due(user_id)
    db.session.commit()
    return recurring_expense


def _bring_up_to_date(recurring_expense: RecurringExpense, today: dt.date) -> None:
    """Make what the recurring expense had due up to today, on its current terms."""
    if (
        recurring_expense.next_due is not None
        and recurring_expense.next_due <= today
        and not recurring_expense.is_paused
    ):
        _make_due(recurring_expense, today)


def _as_raw(recurring_expense: RecurringExpense) -> dict[str, str]:
    """The recurring expense's fields as a form would send them: what a partial change keeps."""
    return {
        "amount": str(recurring_expense.amount),
        "category": recurring_expense.category.name,
        "description": recurring_expense.description,
        "frequency": recurring_expense.frequency,
        "start_date": recurring_expense.start_date.isoformat(),
        "day_of_month": str(recurring_expense.day_of_month or ""),
        "end_date": recurring_expense.end_date.isoformat() if recurring_expense.end_date else "",
    }


def update_recurring(
    user_id: int,
    recurring_id: int,
    raw: Mapping[str, str | None],
    today: dt.date,
    *,
    locale: str | None = None,
    currency: str | None = None,
    versions: Collection[int] | None = None,
) -> RecurringExpense:
    """Change the fields present in `raw`; the new terms apply to the dates after today.

    What was due up to today is made first, on the old terms. A recurring expense that had not
    started yet is scheduled as if new, so moving its start into the past back-fills.
    With `versions`, the stored version must be one of them (the one the page or client
    saw), or nothing changes: Stale. Bad input is told first, as from any version.
    """
    recurring_expense = get_recurring(user_id, recurring_id, lock=True)
    # A kept amount is written as the API writes it; only a sent one is in the user's format.
    preferences = (locale, currency) if "amount" in raw else (None, None)
    try:
        values = _clean(
            {**_as_raw(recurring_expense), **raw},
            today,
            kept_start=recurring_expense.start_date,
            preferences=preferences,
        )
    except ValidationError:
        db.session.rollback()
        raise
    check_version(recurring_expense, versions, STALE)
    _changed_by_user(recurring_expense)
    _bring_up_to_date(recurring_expense, today)
    had_started = recurring_expense.start_date <= today
    _apply(user_id, recurring_expense, values)
    _schedule_from(
        recurring_expense,
        today + dt.timedelta(days=1) if had_started else recurring_expense.start_date,
    )
    if not had_started:
        _make_due(recurring_expense, today)
    _refresh_user_due(user_id)
    db.session.commit()
    return recurring_expense


def pause_recurring(user_id: int, recurring_id: int, today: dt.date) -> RecurringExpense:
    """Pause a recurring expense after making what was due up to today."""
    recurring_expense = get_recurring(user_id, recurring_id, lock=True)
    _bring_up_to_date(recurring_expense, today)
    _changed_by_user(recurring_expense)
    recurring_expense.is_paused = True
    _refresh_user_due(user_id)
    db.session.commit()
    return recurring_expense


def resume_recurring(user_id: int, recurring_id: int, today: dt.date) -> RecurringExpense:
    """Resume a paused recurring expense from today; the dates skipped while paused stay skipped."""
    recurring_expense = get_recurring(user_id, recurring_id, lock=True)
    if recurring_expense.is_paused:
        _changed_by_user(recurring_expense)
        recurring_expense.is_paused = False
        if recurring_expense.next_due is not None:
            _schedule_from(recurring_expense, max(recurring_expense.next_due, today))
        _make_due(recurring_expense, today)
        _refresh_user_due(user_id)
    db.session.commit()
    return recurring_expense


def end_recurring(user_id: int, recurring_id: int, today: dt.date) -> RecurringExpense:
    """End a recurring expense today: what was due up to today is made, nothing after it."""
    recurring_expense = get_recurring(user_id, recurring_id, lock=True)
    _bring_up_to_date(recurring_expense, today)
    _changed_by_user(recurring_expense)
    if recurring_expense.end_date is None or recurring_expense.end_date > today:
        recurring_expense.end_date = today
    recurring_expense.next_due = _within_end(recurring_expense, recurring_expense.next_due)
    _refresh_user_due(user_id)
    db.session.commit()
    return recurring_expense


def delete_recurring(
    user_id: int, recurring_id: int, *, versions: Collection[int] | None = None
) -> RecurringExpense:
    """Delete a recurring expense; the expenses it made stay.

    `versions` as in `update_recurring`.
    """
    recurring_expense = get_recurring(user_id, recurring_id, lock=True)
    check_version(recurring_expense, versions, STALE)
    db.session.delete(recurring_expense)
    db.session.flush()
    _refresh_user_due(user_id)
    db.session.commit()
    return recurring_expense

"""Budgets: what a user means to spend each calendar month, overall and per category."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, or_, select, true

from ..errors import Stale, ValidationError
from ..extensions import db
from ..models import Budget, Category, MonthlyTotal, User
from ..sql import lock_rows, upsert_insert
from .categories import DEFAULT_CATEGORIES, create_categories, plan_held_categories, too_many
from .filters import ExpenseFilter, month_end
from .reports import ZERO, percent_of
from .totals import month_of
from .validation import FieldError, clean_category, parse_amount

OVERALL = "overall"


def category_key(name: str) -> str:
    """How an error names a category's budget: "categories.<name>", the name as given."""
    return f"categories.{name}"


_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}", re.ASCII)


@dataclass(frozen=True)
class BudgetLine:
    """One budget against what was spent in its month.

    `state` is "unspent" (nothing yet, 0%), "under", "at" (exactly the budget: nothing
    left, yet not over) or "over".
    """

    category_id: int | None  # None for the overall budget
    name: str
    amount: Decimal
    spent: Decimal
    percent: Decimal  # of the budget spent, one decimal; above 100 when over

    @property
    def left(self) -> Decimal:
        return max(self.amount - self.spent, ZERO)

    @property
    def over(self) -> Decimal:
        return max(self.spent - self.amount, ZERO)

    @property
    def state(self) -> str:
        if self.spent > self.amount:
            return "over"
        if self.spent == self.amount:
            return "at"
        return "under" if self.spent else "unspent"


@dataclass(frozen=True)
class MonthBudgets:
    """A month's budgets: the overall one (if set) and each category's, by name."""

    month: dt.date  # the month's first day
    overall: BudgetLine | None
    categories: list[BudgetLine]

    @property
    def is_empty(self) -> bool:
        return self.overall is None and not self.categories

    @property
    def lines(self) -> list[BudgetLine]:
        """The overall budget first, then each category's."""
        return [self.overall, *self.categories] if self.overall else self.categories


def budget_month(expense_filter: ExpenseFilter, today: dt.date) -> dt.date:
    """The month whose budgets go with a period: the period's, if it is one whole calendar
    month (This month, Last month, or such a custom range); otherwise this month."""
    start, end = expense_filter.start, expense_filter.end
    if start is not None and start.day == 1 and end == month_end(start):
        return start
    return month_of(today)


def budget_line(category_id: int | None, name: str, amount: Decimal, spent: Decimal) -> BudgetLine:
    """Return a budget of `amount` against `spent`."""
    return BudgetLine(category_id, name, amount, spent, percent_of(spent, amount))


def parse_month(raw: str | None) -> dt.date:
    """Return the first day of the month written as YYYY-MM, between 1900 and 2100."""
    text = (raw or "").strip()
    if not _MONTH.fullmatch(text):
        raise FieldError("Enter the month as YYYY-MM.")
    year, month = int(text[:4]), int(text[5:])
    if not 1 <= month <= 12:
        raise FieldError("That month does not exist.")
    if not 1900 <= year <= 2100:
        raise FieldError("Enter a month between 1900-01 and 2100-12.")
    return dt.date(year, month, 1)


BudgetRow = tuple[int | None, str, Decimal]  # (category id or None for overall, name, amount)


def _budgets(user_id: int) -> list[BudgetRow]:
    # The user's few budget rows (one per category at most), by the unique (user_id, category_id).
    return db.session.execute(
        select(Budget.category_id, Category.name, Budget.amount)
        .outerjoin(Category, Category.id == Budget.category_id)
        .where(Budget.user_id == user_id)
        .order_by(Category.name_key)
    ).all()


def categories_and_budgets(user_id: int) -> tuple[list[tuple[int, str]], list[BudgetRow]]:
    """Return the user's categories (id, name) and budgets, alphabetically, in one query.

    The dashboard needs both; reading them together makes the budgets cost no query of
    their own. Each category with its budget if any, and the overall budget if set.
    """
    overall = (
        select(Budget.amount)
        .where(Budget.user_id == user_id, Budget.category_id.is_(None))
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Category.id, Category.name, Budget.amount, overall)
        .outerjoin(Budget, Budget.category_id == Category.id)
        .where(Category.user_id == user_id)
        .order_by(Category.name_key)
    ).all()
    if not rows:
        # No categories yet, so no expenses either: only an overall budget may exist.
        return [], _budgets(user_id)
    categories = [(category_id, name) for category_id, name, _, _ in rows]
    budgets: list[BudgetRow] = [
        (category_id, name, amount) for category_id, name, amount, _ in rows if amount is not None
    ]
    if rows[0][3] is not None:
        budgets.insert(0, (None, "", rows[0][3]))
    return categories, budgets


def spent_by_category(user_id: int, month: dt.date) -> dict[int, Decimal]:
    """Return what the user spent in each category in `month`, from the kept monthly totals."""
    return dict(
        db.session.execute(
            select(MonthlyTotal.category_id, MonthlyTotal.total).where(
                MonthlyTotal.user_id == user_id, MonthlyTotal.month == month
            )
        ).all()
    )


def month_budgets(
    user_id: int,
    month: dt.date,
    spent: Mapping[int, Decimal] | None = None,
    rows: list[BudgetRow] | None = None,
) -> MonthBudgets:
    """Return the user's budgets against their spending in `month` (its first day).

    `spent` (category id to amount, for that whole month and every expense) and `rows`
    (from `categories_and_budgets`) save reading them again when the caller has them;
    without budgets the spending is never read.
    """
    if rows is None:
        rows = _budgets(user_id)
    if not rows:
        return MonthBudgets(month, None, [])
    if spent is None:
        spent = spent_by_category(user_id, month)
    overall = None
    lines = []
    for category_id, name, amount in rows:
        if category_id is None:
            overall = budget_line(None, "All spending", amount, sum(spent.values(), ZERO))
        else:
            lines.append(budget_line(category_id, name, amount, spent.get(category_id, ZERO)))
    return MonthBudgets(month, overall, lines)


@dataclass(frozen=True)
class BudgetChoice:
    """A category the budgets page offers, with its budget if it has one."""

    name: str
    amount: Decimal | None


def budget_choices(user_id: int) -> tuple[Decimal | None, list[BudgetChoice]]:
    """Return the overall budget and each category to budget for, alphabetically.

    The user's categories come first in the list's order, with the default categories
    they do not have yet, so a budget can be set before the first expense.
    """
    budgets = {category_id: amount for category_id, _, amount in _budgets(user_id)}
    categories = db.session.execute(
        select(Category.id, Category.name, Category.name_key).where(Category.user_id == user_id)
    ).all()
    keys = {key for _, _, key in categories}
    choices = [
        (key, BudgetChoice(name, budgets.get(category_id))) for category_id, name, key in categories
    ] + [
        (Category.key_for(name), BudgetChoice(name, None))
        for name in DEFAULT_CATEGORIES
        if Category.key_for(name) not in keys
    ]
    return budgets.get(None), [choice for _, choice in sorted(choices, key=lambda c: c[0])]


def _amount_or_none(
    raw: str | None, locale: str | None = None, currency: str | None = None
) -> Decimal | None:
    """A budget amount like an expense's; blank means no budget."""
    if raw is None or not raw.strip():
        return None
    return parse_amount(raw, locale, currency)


STALE = "Some budgets were changed since you opened this page."


def shown_amount(amount: Decimal | None) -> str:
    """A stored budget as a page keeps what it showed (see `Shown`): "12.50", "" for none."""
    return "" if amount is None else str(amount)


@dataclass(frozen=True)
class Shown:
    """The budgets a page showed before the user typed, each as `shown_amount` writes it.

    `categories` maps a category's name to its amount; a category not in it was shown as
    having none.
    """

    overall: str | None
    categories: Mapping[str, str | None]


def _changed_since(user_id: int, shown: Shown) -> dict[str | None, Decimal | None]:
    """The budgets stored now that differ from those a page showed, by category name (None
    for the overall budget), each as stored now (None for none)."""
    # By key (None for the overall budget): (the name to tell it by, the amount).
    stored = {
        (None if name is None else Category.key_for(name)): (name, amount)
        for _, name, amount in _budgets(user_id)
    }
    was = {Category.key_for(name): (name, text) for name, text in shown.categories.items()}
    was[None] = (None, shown.overall)
    changed: dict[str | None, Decimal | None] = {}
    for key in stored.keys() | was.keys():
        name, amount = stored[key] if key in stored else (was[key][0], None)
        shown_text = (was[key][1] or "").strip() if key in was else ""
        if shown_amount(amount) != shown_text:
            changed[name] = amount
    return changed


def replace_budgets(
    user_id: int,
    overall: str | None,
    categories: Mapping[str, str | None],
    *,
    locale: str | None = None,
    currency: str | None = None,
    shown: Shown | None = None,
) -> None:
    """Make the user's budgets exactly these: `overall` and a raw amount per category name.

    Amounts are read as `locale` writes numbers in `currency` (see `parse_amount`);
    without a locale, as the API writes them ("1234.56").

    A blank or missing amount means no budget. A category is matched by name ignoring
    case, and made if the user has none of that name. Nothing is stored unless every
    value is valid; ValidationError names each bad one: "overall", or "categories.<name>"
    with the name as given.

    `shown` is what the page showed before the user typed. If any budget stored now differs,
    nothing is stored: Stale, whose `current` holds those budgets by category name (None
    for the overall one), as stored now (None for none). Without `shown` the last save
    wins (the API).
    """
    errors: dict[str, str] = {}
    wanted: dict[str, tuple[str, Decimal]] = {}
    overall_amount = None
    try:
        overall_amount = _amount_or_none(overall, locale, currency)
    except FieldError as error:
        errors[OVERALL] = str(error)
    for raw_name, raw_amount in categories.items():
        try:
            name = clean_category(raw_name)
        except FieldError as error:
            errors[category_key(raw_name)] = str(error)
            continue
        try:
            amount = _amount_or_none(raw_amount, locale, currency)
        except FieldError as error:
            errors[category_key(raw_name)] = str(error)
            continue
        key = Category.key_for(name)
        if key in wanted and amount is not None:
            errors[category_key(raw_name)] = f"{name} is given twice (names match ignoring case)."
        elif amount is not None:
            wanted[key] = (name, amount)
    if errors:
        raise ValidationError(errors)
    # One save of a user's budgets at a time: the user's row is held first (and again by
    # `plan_held_categories`), so the second save waits, then reads what the first stored.
    lock_rows(User, User.id == user_id, strength="no key update")
    if shown is not None and (changed := _changed_since(user_id, shown)):
        db.session.rollback()
        raise Stale(STALE, changed)
    # Every new name is made in one statement, with its colour worked out beforehand; the
    # names already there are held until the save ends.
    plan = plan_held_categories(user_id, [name for name, _ in wanted.values()])
    for name, _ in wanted.values():
        if plan.is_refused(user_id, name):
            errors[category_key(name)] = too_many(name)
    if errors:
        db.session.rollback()
        raise ValidationError(errors)
    ids = create_categories(plan)
    amounts: dict[int | None, Decimal] = {
        ids[(user_id, key)]: amount for key, (_, amount) in wanted.items()
    }
    if overall_amount is not None:
        amounts[None] = overall_amount
    _write_budgets(user_id, amounts)
    db.session.commit()


def _write_budgets(user_id: int, amounts: dict[int | None, Decimal]) -> None:
    """Make the user's budgets exactly `amounts`: one delete, one upsert, one for overall.

    However many budgets a save holds, new or changed, the statements stay these few.
    """
    by_category = {key: amount for key, amount in amounts.items() if key is not None}
    dropped = Budget.category_id.not_in(list(by_category)) if by_category else true()
    if None not in amounts:
        dropped = or_(dropped, Budget.category_id.is_(None))
    db.session.execute(
        delete(Budget)
        .where(Budget.user_id == user_id, dropped)
        .execution_options(synchronize_session=False)
    )
    rows = [
        {"user_id": user_id, "category_id": category_id, "amount": amount}
        for category_id, amount in by_category.items()
    ]
    if rows:
        statement = upsert_insert(Budget).values(rows)
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=["user_id", "category_id"],
                set_={"amount_cents": statement.excluded.amount_cents},
            )
        )
    if None in amounts:
        # The overall budget is kept one per user by a partial index: a conflict of its own.
        statement = upsert_insert(Budget).values(
            user_id=user_id, category_id=None, amount=amounts[None]
        )
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=["user_id"],
                index_where=Budget.category_id.is_(None),
                set_={"amount_cents": statement.excluded.amount_cents},
            )
        )

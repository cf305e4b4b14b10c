"""Categories: found or created by name ignoring case; renamed, recoloured, merged, deleted."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as default
from decimal import Decimal

from sqlalchemy import delete, exists, func, literal, select, update
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..colors import COLOR_NAMES
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..models import (
    MAX_ID,
    Budget,
    Category,
    Expense,
    MonthlyTotal,
    RecurringExpense,
    User,
)
from ..sql import (
    LOCK_STRENGTHS,
    check_version,
    dialect_name,
    fresh,
    lock_rows,
    owned_row,
    upsert_insert,
)
from .totals import sum_on_conflict
from .validation import FieldError, clean_category, parse_whole_number

DEFAULT_CATEGORIES = (
    "Food",
    "Groceries",
    "Transport",
    "Housing",
    "Utilities",
    "Health",
    "Entertainment",
    "Shopping",
    "Travel",
    "Other",
)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CategoryBalance:
    """A category with its colour and what was spent in it over all time."""

    id: int
    name: str
    color: int
    total: Decimal
    count: int
    version: int = 1  # counts renames and colour changes, for the category's page


CATEGORIES_MAX = 1000  # per user: enough for any budget, few enough for every list and chart
BATCH_SIZE = 1000


def too_many(name: str) -> str:
    """The message for a new category past the cap."""
    return (
        f"“{name}” would be a new category, and you have {CATEGORIES_MAX:,} already, the most"
        " there can be: choose an existing one, or merge or delete some first."
    )


def hold_category_count(user_id: int) -> None:
    """Lock the user's row until the transaction ends: count categories, then make them.

    Every write that may make a category takes it before counting, so that requests at once
    count one after another and none passes CATEGORIES_MAX. FOR NO KEY UPDATE: rows filed
    under the user (which hold it FOR KEY SHARE) may still come. On SQLite it is the write lock.
    """
    lock_rows(User, User.id == user_id, strength="no key update")


def resolve_category(user_id: int, name: str) -> Category:
    """Return the user's category called `name` (ignoring case), creating it if needed.

    Raises ValidationError (on "category") when it would be one more than CATEGORIES_MAX.
    """
    key = Category.key_for(name)
    owned = (Category.user_id == user_id, Category.name_key == key)
    query = select(Category).where(*owned)
    # Whatever is filed under it is written while the category is held (FOR KEY SHARE): a
    # merge or delete of it waits, or went first and took it away, and then it is made anew.
    if dialect_name() == "sqlite":
        lock_rows(Category, *owned)
    else:
        query = query.with_for_update(**LOCK_STRENGTHS["key share"])
    query = fresh(query)
    category = db.session.scalar(query)
    if category is not None:
        return category
    hold_category_count(user_id)
    plan = plan_categories({user_id: [name]})
    if plan.refused:
        db.session.rollback()
        raise ValidationError({"category": too_many(name)})
    # Two requests may create the same category at once; the unique constraint
    # lets exactly one insert win and both then read the same row.
    create_categories(plan)
    return db.session.scalars(query).one()


def next_color(user_id: int) -> int:
    """Return the colour the user's categories use least (the lowest of those on a tie)."""
    return _least_used(_color_counts([user_id]).get(user_id, {}))


def _least_used(used: dict[int, int]) -> int:
    return min(range(len(COLOR_NAMES)), key=lambda color: (used.get(color, 0), color))


def _color_counts(user_ids: list[int]) -> dict[int, dict[int, int]]:
    counts: dict[int, dict[int, int]] = {user_id: {} for user_id in user_ids}
    for start in range(0, len(user_ids), BATCH_SIZE):
        for user_id, color, count in db.session.execute(
            select(Category.user_id, Category.color, func.count())
            .where(Category.user_id.in_(user_ids[start : start + BATCH_SIZE]))
            .group_by(Category.user_id, Category.color)
        ):
            counts[user_id][color] = count
    return counts


@dataclass
class CategoryPlan:
    """The categories some rows need: those there, those to make (with colours), those refused.

    Made by reading only, so that it can be worked out before a write transaction begins.
    """

    ids: dict[tuple[int, str], int] = default(default_factory=dict)  # (user, name key) -> id
    new: list[dict] = default(default_factory=list)  # rows to insert
    refused: set[tuple[int, str]] = default(default_factory=set)  # past CATEGORIES_MAX

    def is_refused(self, user_id: int, name: str) -> bool:
        """Whether a category of this name would be one more than the user may have."""
        return (user_id, Category.key_for(name)) in self.refused


def plan_categories(names: Mapping[int, Iterable[str]]) -> CategoryPlan:
    """Work out which of the named categories (by user) exist, and the colour of each new one.

    A new category gets the colour its user's categories use least, counting those made
    before it here: the colours `next_color` would give one at a time, with two queries.
    """
    user_ids = sorted(names)
    plan = CategoryPlan()
    for start in range(0, len(user_ids), BATCH_SIZE):
        for category_id, user_id, key in db.session.execute(
            select(Category.id, Category.user_id, Category.name_key).where(
                Category.user_id.in_(user_ids[start : start + BATCH_SIZE])
            )
        ):
            plan.ids[(user_id, key)] = category_id
    counts = _color_counts(user_ids)
    now = clock.now()
    for user_id in user_ids:
        used = counts[user_id]
        have = sum(used.values())
        for name in names[user_id]:
            key = (user_id, Category.key_for(name))
            if key in plan.ids or key in plan.refused:
                continue
            if have >= CATEGORIES_MAX:
                plan.refused.add(key)
                continue
            color = _least_used(used)
            used[color] = used.get(color, 0) + 1
            have += 1
            plan.ids[key] = 0  # made by create_categories
            plan.new.append(
                {
                    "user_id": user_id,
                    "name": name,
                    "name_key": key[1],
                    "color": color,
                    "created_at": now,
                }
            )
    return plan


def plan_held_categories(user_id: int, names: list[str]) -> CategoryPlan:
    """Hold the user's categories of these names, then plan them (see `plan_categories`).

    For a write that files rows under many categories at once, as `resolve_category` holds
    one: they are held FOR KEY SHARE, so a merge or delete of one waits, or went first and
    took it away, and then the plan makes it anew. The user's row is held first
    (`hold_category_count`), so that the count the plan makes stays true until the commit.
    """
    hold_category_count(user_id)
    if dialect_name() != "sqlite":
        lock_rows(
            Category,
            Category.user_id == user_id,
            Category.name_key.in_(sorted({Category.key_for(name) for name in names})),
            strength="key share",
        )
    return plan_categories({user_id: names})


def create_categories(plan: CategoryPlan) -> dict[tuple[int, str], int]:
    """Insert the plan's new categories (one statement a thousand); return every id by key.

    A category made meanwhile by another request is taken as it is.
    """
    for start in range(0, len(plan.new), BATCH_SIZE):
        db.session.execute(
            upsert_insert(Category)
            .values(plan.new[start : start + BATCH_SIZE])
            .on_conflict_do_nothing(index_elements=["user_id", "name_key"])
        )
    if plan.new:
        user_ids = sorted({row["user_id"] for row in plan.new})
        for start in range(0, len(user_ids), BATCH_SIZE):
            for category_id, user_id, key in db.session.execute(
                select(Category.id, Category.user_id, Category.name_key).where(
                    Category.user_id.in_(user_ids[start : start + BATCH_SIZE])
                )
            ):
                if (user_id, key) in plan.ids:
                    plan.ids[(user_id, key)] = category_id
        plan.new = []
    return plan.ids


def category_names(user_id: int) -> list[str]:
    """Return the names of the user's categories, alphabetically ignoring case."""
    return list(
        db.session.scalars(
            select(Category.name).where(Category.user_id == user_id).order_by(Category.name_key)
        )
    )


def user_categories(user_id: int) -> list[tuple[int, str]]:
    """Return (id, name) of each of the user's categories, alphabetically ignoring case."""
    return [
        (category_id, name)
        for category_id, name in db.session.execute(
            select(Category.id, Category.name)
            .where(Category.user_id == user_id)
            .order_by(Category.name_key)
        )
    ]


def with_defaults(names: list[str]) -> list[str]:
    """Return `names`, then the default categories not among them (ignoring case)."""
    keys = {Category.key_for(name) for name in names}
    return [*names, *(name for name in DEFAULT_CATEGORIES if Category.key_for(name) not in keys)]


def _balances(user_id: int, *conditions) -> list[CategoryBalance]:
    # Read from the kept monthly totals: a few rows per category and month, no expenses.
    rows = db.session.execute(
        select(
            Category.id,
            Category.name,
            Category.color,
            func.sum(MonthlyTotal.total),
            func.sum(MonthlyTotal.count),
            Category.version,
        )
        .outerjoin(MonthlyTotal, MonthlyTotal.category_id == Category.id)
        .where(Category.user_id == user_id, *conditions)
        .group_by(Category.id, Category.name, Category.color, Category.name_key, Category.version)
        .order_by(Category.name_key)
    ).all()
    return [
        CategoryBalance(id, name, color, total or ZERO, count or 0, version)
        for id, name, color, total, count, version in rows
    ]


def list_categories(user_id: int) -> list[CategoryBalance]:
    """Return each of the user's categories with its all-time total, by name ignoring case."""
    return _balances(user_id)


def category_balance(user_id: int, category_id: int) -> CategoryBalance:
    """Return one of the user's categories with its all-time total; NotFound otherwise."""
    found = _balances(user_id, Category.id == category_id) if 0 < category_id <= MAX_ID else []
    if not found:
        raise NotFound()
    return found[0]


def get_category(
    user_id: int, category_id: int, *, lock: bool = False, strength: str = "update"
) -> Category:
    """Return the user's category; another user's is as missing as one never made.

    With lock=True the row is locked first, until commit (see `lock_rows` for `strength`),
    and read as stored now.
    """
    return owned_row(Category, category_id, user_id, lock=lock, strength=strength)


def _clean_name(raw: str | None) -> str:
    try:
        return clean_category(raw)
    except FieldError as error:
        raise ValidationError({"name": str(error)}) from None


def _clean_color(raw: object) -> int:
    try:
        return parse_whole_number(raw, 0, len(COLOR_NAMES) - 1, "Choose one of the colours.")
    except FieldError as error:
        raise ValidationError({"color": str(error)}) from None


def _name_taken(user_id: int, name: str, but: int | None = None) -> Category | None:
    """The user's other category whose name is `name` ignoring case, if there is one."""
    query = select(Category).where(
        Category.user_id == user_id, Category.name_key == Category.key_for(name)
    )
    if but is not None:
        query = query.where(Category.id != but)
    return db.session.scalar(query)


def _clash(name: str, *, merge_hint: bool) -> ValidationError:
    message = f"You already have a category called “{name}”."
    if merge_hint:
        message += " To put their expenses together, merge this category into it."
    return ValidationError({"name": message})


def _commit_or_clash(name: str, *, merge_hint: bool) -> None:
    """Commit; a name taken meanwhile by another request is the same clash as one seen first."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise _clash(name, merge_hint=merge_hint) from None


def create_category(user_id: int, raw: Mapping[str, object]) -> Category:
    """Add a category with no expenses yet; `color` is optional (the least used one)."""
    name = _clean_name(raw.get("name"))  # type: ignore[arg-type]
    color = _clean_color(raw["color"]) if raw.get("color") is not None else None
    hold_category_count(user_id)
    taken = _name_taken(user_id, name)
    if taken is not None:
        db.session.rollback()
        raise _clash(taken.name, merge_hint=False)
    have = db.session.scalar(
        select(func.count()).select_from(Category).where(Category.user_id == user_id)
    )
    if have >= CATEGORIES_MAX:
        db.session.rollback()
        raise ValidationError({"name": too_many(name)})
    category = Category(
        user_id=user_id,
        name=name,
        name_key=Category.key_for(name),
        color=next_color(user_id) if color is None else color,
    )
    db.session.add(category)
    _commit_or_clash(name, merge_hint=False)
    return category


STALE = "This category was changed since you opened it."


def update_category(
    user_id: int,
    category_id: int,
    raw: Mapping[str, object],
    *,
    versions: Collection[int] | None = None,
) -> Category:
    """Rename and/or recolour a category: the fields present in `raw` change, in one commit.

    Its expenses follow a rename, as they refer to it by id. A name that differs from
    another category's only in case is that category's name: the answer suggests a merge.
    Changing only the case of its own name is a rename like any other.
    With `versions`, the stored version (which counts renames and colour changes) must be
    one of them, or nothing changes: Stale. Bad input is told first.
    """
    # Expenses may still be filed under it meanwhile: a rename does not change its key.
    category = get_category(user_id, category_id, lock=True, strength="no key update")
    errors: dict[str, str] = {}
    name = color = None
    for field, clean in (("name", _clean_name), ("color", _clean_color)):
        if field in raw:
            try:
                value = clean(raw[field])  # type: ignore[operator]
            except ValidationError as error:
                errors |= error.errors
                continue
            if field == "name":
                name = value
            else:
                color = value
    if errors:
        db.session.rollback()
        raise ValidationError(errors)
    check_version(category, versions, STALE)
    if name is not None:
        taken = _name_taken(user_id, name, but=category.id)
        if taken is not None:
            errors |= _clash(taken.name, merge_hint=True).errors
    if errors:
        db.session.rollback()
        raise ValidationError(errors)
    if name is not None:
        category.name, category.name_key = name, Category.key_for(name)
    if color is not None:
        category.color = color
    _commit_or_clash(name or category.name, merge_hint=True)
    return category


def _move_references(user_id: int, source_id: int, target_id: int) -> None:
    """Point everything that refers to category `source_id` at `target_id` instead.

    The one place that knows which rows refer to a category: a table that gains a
    category_id (budgets, recurring expenses) gets its line here, or merging
    would fail on its foreign key. Each step is one set-based statement, however many
    rows move.
    """
    db.session.execute(
        update(Expense)
        .where(Expense.user_id == user_id, Expense.category_id == source_id)
        .values(category_id=target_id, version=Expense.version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(RecurringExpense)
        .where(RecurringExpense.user_id == user_id, RecurringExpense.category_id == source_id)
        .values(category_id=target_id, version=RecurringExpense.version + 1)
        .execution_options(synchronize_session=False)
    )
    _merge_budgets(user_id, source_id, target_id)
    _merge_monthly_totals(user_id, source_id, target_id)


def _merge_budgets(user_id: int, source_id: int, target_id: int) -> None:
    """Give the target the source's monthly budget, added to its own if it has one.

    The merged category holds the spending of both, so it gets the room of both.
    """
    budgets = {
        budget.category_id: budget
        for budget in db.session.scalars(
            select(Budget).where(
                Budget.user_id == user_id, Budget.category_id.in_((source_id, target_id))
            )
        )
    }
    source = budgets.get(source_id)
    if source is None:
        return
    target = budgets.get(target_id)
    if target is None:
        source.category_id = target_id
    else:
        target.amount += source.amount
        db.session.delete(source)
    db.session.flush()


def _merge_monthly_totals(user_id: int, source_id: int, target_id: int) -> None:
    """Add the source's total and count of each month to the target's, then drop its rows."""
    table = MonthlyTotal.__table__
    source_rows = select(
        table.c.user_id, table.c.month, literal(target_id), table.c.total_cents, table.c.count
    ).where(table.c.user_id == user_id, table.c.category_id == source_id)
    statement = upsert_insert(MonthlyTotal).from_select(
        ["user_id", "month", "category_id", "total_cents", "count"], source_rows
    )
    db.session.execute(sum_on_conflict(statement))
    db.session.execute(
        delete(MonthlyTotal).where(
            MonthlyTotal.user_id == user_id, MonthlyTotal.category_id == source_id
        )
    )


def _clean_into(raw: object) -> int:
    # Any id a category can have: one that is not the user's is NotFound, as in the path.
    message = "Choose the category to merge this one into."
    try:
        return parse_whole_number(raw, 0, MAX_ID, message)
    except FieldError as error:
        raise ValidationError({"into": str(error)}) from None


def merge_category(user_id: int, source_id: int, into: int | str | None) -> Category:
    """Move every expense (and total) of category `source_id` into `into`, then delete it.

    Both must be the user's (another user's is NotFound). One transaction: a failure
    anywhere leaves both as they were. Returns the category merged into.
    """
    target_id = _clean_into(into)
    ids = [category_id for category_id in (source_id, target_id) if 0 < category_id <= MAX_ID]
    owned = (Category.user_id == user_id, Category.id.in_(ids))
    # The expenses and recurring expenses that move come before the categories, in the
    # order an edit of one takes them (it holds its row, then files it under its category):
    # the other order deadlocks on PostgreSQL. SQLite's one write lock needs no order.
    if dialect_name() != "sqlite":
        for model in (Expense, RecurringExpense):
            lock_rows(model, model.user_id == user_id, model.category_id == source_id)
    # Both at once, in id order: two opposite merges cannot each hold one and wait for the
    # other. The second to come finds one of them gone (NotFound).
    lock_rows(Category, *owned)
    found = {
        category.id: category
        for category in db.session.scalars(fresh(select(Category).where(*owned)))
    }
    source, target = found.get(source_id), found.get(target_id)
    if source is None or target is None:
        db.session.rollback()
        raise NotFound()
    if source.id == target.id:
        db.session.rollback()
        raise ValidationError({"into": "Choose another category to merge this one into."})
    _move_references(user_id, source.id, target.id)
    db.session.delete(source)
    db.session.commit()
    return target


def has_expenses(user_id: int, category_id: int) -> bool:
    """Whether any expense is filed under the category (one probe of an index)."""
    return bool(
        db.session.scalar(
            select(exists().where(Expense.user_id == user_id, Expense.category_id == category_id))
        )
    )


def _has_recurring(user_id: int, category_id: int) -> bool:
    """Whether a recurring expense is filed under the category."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    RecurringExpense.user_id == user_id,
                    RecurringExpense.category_id == category_id,
                )
            )
        )
    )


def delete_category(user_id: int, category_id: int) -> Category:
    """Delete a category with no expenses and no recurring expense; else refuse (Conflict).

    The category is locked before it is looked into: an expense being filed under it
    meanwhile is either in (Conflict) or waits, and finds it gone.
    """
    category = get_category(user_id, category_id, lock=True)
    if has_expenses(user_id, category.id):
        db.session.rollback()
        raise Conflict(
            f"“{category.name}” still has expenses. Merge it into another category instead,"
            " or move or delete its expenses first."
        )
    if _has_recurring(user_id, category.id):
        db.session.rollback()
        raise Conflict(
            f"“{category.name}” is used by a recurring expense. Merge it into another category"
            " instead, or change or delete the recurring expense first."
        )
    name = category.name
    # Months whose expenses were all deleted keep rows of zero; they go with it.
    db.session.execute(
        delete(MonthlyTotal).where(
            MonthlyTotal.user_id == user_id, MonthlyTotal.category_id == category.id
        )
    )
    db.session.delete(category)
    try:
        db.session.commit()
    except IntegrityError:
        # An expense was filed under it meanwhile: the foreign key refused the delete.
        db.session.rollback()
        raise Conflict(f"“{name}” has just been given an expense; it was not deleted.") from None
    return category

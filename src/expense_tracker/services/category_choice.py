"""Choosing a category on a page: the ones used most, and a name that is new asked about once.

The pages (dashboard, edit, quick add) pick a category rather than type one freely: a name
the user has no category for, and that is not one of the defaults offered, is refused once
with the near matches, and made only when the form confirms that very name. The API keeps
making categories by name.
"""

from __future__ import annotations

import datetime as dt
import difflib

from sqlalchemy import func, select

from ..errors import ValidationError
from ..extensions import db
from ..models import Category, MonthlyTotal
from .categories import DEFAULT_CATEGORIES, category_names, with_defaults

__all__ = [
    "DEFAULT_CATEGORIES",
    "UnknownCategory",
    "check_new_category",
    "most_used_categories",
    "near_matches",
]

RECENT_DAYS = 90
MOST_USED = 8
NEAR_MATCHES = 3


class UnknownCategory(ValidationError):
    """The category named does not exist yet: the page asks before making it."""

    def __init__(self, name: str, near: list[str], errors: dict[str, str] | None = None):
        super().__init__({**(errors or {}), "category": f"There is no category “{name}” yet."})
        self.name = name
        self.near = near


def most_used_categories(user_id: int, today: dt.date, limit: int = MOST_USED) -> list[str]:
    """Return up to `limit` names to offer first: the most used lately, then the others.

    "Lately" is the months of the last RECENT_DAYS days, counted from the kept monthly
    totals (a few rows per month, no expense read). A user with fewer such categories gets
    the rest of theirs alphabetically, then the defaults.
    """
    since = (today - dt.timedelta(days=RECENT_DAYS)).replace(day=1)
    used = db.session.execute(
        select(Category.name)
        .join(MonthlyTotal, MonthlyTotal.category_id == Category.id)
        .where(
            Category.user_id == user_id,
            MonthlyTotal.user_id == user_id,
            MonthlyTotal.month >= since,
        )
        .group_by(Category.id, Category.name, Category.name_key)
        .having(func.sum(MonthlyTotal.count) > 0)
        .order_by(func.sum(MonthlyTotal.count).desc(), Category.name_key)
        .limit(limit)
    ).scalars()
    names = list(used)
    if len(names) < limit:
        taken = {Category.key_for(name) for name in names}
        rest = [
            n for n in with_defaults(category_names(user_id)) if Category.key_for(n) not in taken
        ]
        names += rest[: limit - len(names)]
    return names


def near_matches(name: str, known: list[str], limit: int = NEAR_MATCHES) -> list[str]:
    """Return the names in `known` that `name` was probably meant to be, closest first.

    A name that starts with, or holds, what was typed (ignoring case) comes first; then
    those a few typing mistakes away.
    """
    key = Category.key_for(name)
    keys = {Category.key_for(candidate): candidate for candidate in known}
    found = [keys[k] for k in sorted(keys) if k.startswith(key)]
    found += [keys[k] for k in sorted(keys) if key in k and keys[k] not in found]
    close = difflib.get_close_matches(key, list(keys), n=limit, cutoff=0.7)
    found += [keys[k] for k in close if keys[k] not in found]
    return found[:limit]


def check_new_category(
    user_id: int, name: str, confirmed: str | None, errors: dict[str, str] | None = None
) -> None:
    """Refuse (UnknownCategory) a category name that is new, unless `confirmed` is that name.

    Known are the user's categories and the defaults the pages offer; case is ignored.
    `errors` are the other fields' messages, told with the question.
    """
    key = Category.key_for(name)
    if confirmed is not None and Category.key_for(confirmed.strip()) == key:
        return
    if key in {Category.key_for(default) for default in DEFAULT_CATEGORIES}:
        return
    exists = db.session.scalar(
        select(Category.id).where(Category.user_id == user_id, Category.name_key == key)
    )
    if exists is None:
        raise UnknownCategory(
            name, near_matches(name, with_defaults(category_names(user_id))), errors
        )

"""Categories: found or created by name, ignoring case, for one user."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Category, utcnow
from ..sql import upsert_insert

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


def resolve_category(user_id: int, name: str) -> Category:
    """Return the user's category called `name` (ignoring case), creating it if needed."""
    key = Category.key_for(name)
    query = select(Category).where(Category.user_id == user_id, Category.name_key == key)
    category = db.session.scalar(query)
    if category is not None:
        return category
    # Two requests may create the same category at once; the unique constraint
    # lets exactly one insert win and both then read the same row.
    db.session.execute(
        upsert_insert(Category)
        .values(user_id=user_id, name=name, name_key=key, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["user_id", "name_key"])
    )
    return db.session.scalars(query).one()


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

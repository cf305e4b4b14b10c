"""Budgets: a monthly amount per category, and at most one overall monthly amount per user.

Revision ID: 0012_budgets
Revises: 0011_preferences
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_budgets"
down_revision = "0011_preferences"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "budgets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("amount_cents > 0", name="ck_budgets_amount_positive"),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "category_id", name="uq_budgets_user_category"),
    )
    op.create_index("ix_budgets_category_id", "budgets", ["category_id"])
    # NULLs never collide in a unique constraint: this index keeps one overall budget per user.
    op.create_index(
        "uq_budgets_user_overall",
        "budgets",
        ["user_id"],
        unique=True,
        sqlite_where=sa.text("category_id IS NULL"),
        postgresql_where=sa.text("category_id IS NULL"),
    )


def downgrade():
    op.drop_table("budgets")

"""Recurring expenses: templates, the dates they have made, and each user's earliest due date.

Revision ID: 0010_recurring
Revises: 0009_category_colors
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_recurring"
down_revision = "0009_category_colors"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("recurring_due", sa.Date(), nullable=True))
    op.create_table(
        "recurring_expenses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("day_of_month", sa.SmallInteger(), nullable=True),
        sa.Column("is_paused", sa.Boolean(), nullable=False),
        sa.Column("next_due", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "frequency IN ('weekly', 'monthly', 'yearly')", name="ck_recurring_frequency"
        ),
        sa.CheckConstraint(
            "day_of_month IS NULL OR day_of_month BETWEEN 1 AND 31", name="ck_recurring_day"
        ),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_recurring_expenses_category_id", "recurring_expenses", ["category_id"])
    op.create_index("ix_recurring_expenses_next_due", "recurring_expenses", ["next_due"])
    op.create_index(
        "ix_recurring_expenses_user_next_due", "recurring_expenses", ["user_id", "next_due"]
    )
    op.create_table(
        "recurring_occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("expense_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["expense_id"], ["expenses.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["template_id"], ["recurring_expenses.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "template_id", "due_date", name="uq_recurring_occurrences_template_date"
        ),
    )
    op.create_index("ix_recurring_occurrences_expense_id", "recurring_occurrences", ["expense_id"])


def downgrade():
    op.drop_table("recurring_occurrences")
    op.drop_table("recurring_expenses")
    op.drop_column("users", "recurring_due")

"""Keep per-user, per-month, per-category totals, filled from the existing expenses.

Revision ID: 0002_monthly_totals
Revises: 0001_initial
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_monthly_totals"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

MONTH = {
    "postgresql": "CAST(date_trunc('month', date) AS DATE)",
    "sqlite": "date(date, 'start of month')",
}


def upgrade():
    op.create_table(
        "monthly_totals",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["category_id"], ["categories.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "month", "category_id"),
    )
    op.create_index("ix_monthly_totals_category_id", "monthly_totals", ["category_id"])
    month = MONTH[op.get_bind().dialect.name]
    op.execute(
        "INSERT INTO monthly_totals (user_id, month, category_id, total_cents, count) "
        f"SELECT user_id, {month}, category_id, SUM(amount_cents), COUNT(*) FROM expenses "
        f"GROUP BY user_id, {month}, category_id"
    )


def downgrade():
    op.drop_index("ix_monthly_totals_category_id", table_name="monthly_totals")
    op.drop_table("monthly_totals")

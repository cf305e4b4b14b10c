"""Exchange rates: the European Central Bank's, shared by everyone, and those a user typed.

A new table; nothing already stored changes.

Revision ID: 0019_currencies
Revises: 0018_expense_client_ids
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_currencies"
down_revision = "0018_expense_client_ids"
branch_labels = None
depends_on = None

# As models.ExactDecimal: NUMERIC on PostgreSQL, text on SQLite (whose NUMERIC is a float).
EXACT_DECIMAL = sa.Numeric().with_variant(sa.String(40), "sqlite")


def upgrade():
    op.create_table(
        "rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("base", sa.String(3), nullable=False),
        sa.Column("quote", sa.String(3), nullable=False),
        sa.Column("rate", EXACT_DECIMAL, nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("base <> quote", name="ck_rates_two_currencies"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "uq_rates_shared",
        "rates",
        ["base", "quote", "date"],
        unique=True,
        sqlite_where=sa.text("user_id IS NULL"),
        postgresql_where=sa.text("user_id IS NULL"),
    )
    op.create_index(
        "uq_rates_user",
        "rates",
        ["user_id", "base", "quote", "date"],
        unique=True,
        sqlite_where=sa.text("user_id IS NOT NULL"),
        postgresql_where=sa.text("user_id IS NOT NULL"),
    )


def downgrade():
    op.drop_index("uq_rates_user", table_name="rates")
    op.drop_index("uq_rates_shared", table_name="rates")
    op.drop_table("rates")

"""Index expenses by user, category and date for category filters.

Revision ID: 0003_category_date_index
Revises: 0002_monthly_totals
Create Date: 2026-11-24
"""

from alembic import op

revision = "0003_category_date_index"
down_revision = "0002_monthly_totals"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_expenses_user_category_date", "expenses", ["user_id", "category_id", "date"]
    )


def downgrade():
    op.drop_index("ix_expenses_user_category_date", table_name="expenses")

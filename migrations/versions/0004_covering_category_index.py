"""Cover category searches: index expenses by user, category, date and id, with amount and text.

A category's expenses in a period are then summed and searched from the index alone,
without reading each row from the table, and still listed in (date, id) order.

Revision ID: 0004_covering_category_index
Revises: 0003_category_date_index
Create Date: 2026-11-24
"""

from alembic import op

revision = "0004_covering_category_index"
down_revision = "0003_category_date_index"
branch_labels = None
depends_on = None

COLUMNS = ["user_id", "category_id", "date", "id", "amount_cents", "description"]


def upgrade():
    op.create_index("ix_expenses_user_category_date_cover", "expenses", COLUMNS)
    op.drop_index("ix_expenses_user_category_date", table_name="expenses")


def downgrade():
    op.create_index(
        "ix_expenses_user_category_date", "expenses", ["user_id", "category_id", "date"]
    )
    op.drop_index("ix_expenses_user_category_date_cover", table_name="expenses")

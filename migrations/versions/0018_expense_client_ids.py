"""The id a device gives an expense it made, so that sending it again stores it once.

Existing expenses have none (NULL); the unique index covers only those that have one, so
imports and old rows cost it nothing.

Revision ID: 0018_expense_client_ids
Revises: 0017_lasting_sessions
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_expense_client_ids"
down_revision = "0017_lasting_sessions"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("expenses", sa.Column("client_id", sa.String(64), nullable=True))
    op.create_index(
        "uq_expenses_user_client",
        "expenses",
        ["user_id", "client_id"],
        unique=True,
        sqlite_where=sa.text("client_id IS NOT NULL"),
        postgresql_where=sa.text("client_id IS NOT NULL"),
    )


def downgrade():
    op.drop_index("uq_expenses_user_client", table_name="expenses")
    with op.batch_alter_table("expenses") as batch:
        batch.drop_column("client_id")

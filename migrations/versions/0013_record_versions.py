"""A version on expenses, so that a change made from an old copy is refused.

Every existing expense starts at version 1; nothing else changes.

Revision ID: 0013_record_versions
Revises: 0012_budgets
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_record_versions"
down_revision = "0012_budgets"
branch_labels = None
depends_on = None



def upgrade():
    op.add_column(
        "expenses", sa.Column("version", sa.Integer(), server_default="1", nullable=False)
    )


def downgrade():
    with op.batch_alter_table("expenses") as batch:
        batch.drop_column("version")

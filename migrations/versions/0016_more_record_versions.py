"""A version on recurring expenses and on categories, so that a change from an old copy is refused.

Every existing row starts at version 1; nothing else changes.

Revision ID: 0016_more_record_versions
Revises: 0015_invitations_disabled_users
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_more_record_versions"
down_revision = "0015_invitations_disabled_users"
branch_labels = None
depends_on = None

TABLES = ("recurring_expenses", "categories")


def upgrade():
    for table in TABLES:
        op.add_column(
            table, sa.Column("version", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")

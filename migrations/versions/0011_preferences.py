"""Preferences per user: currency, locale and theme.

Existing users keep what the app showed them: no currency or locale means the server's
defaults, and the theme follows the system.

Revision ID: 0011_preferences
Revises: 0010_recurring
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_preferences"
down_revision = "0010_recurring"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("currency", sa.String(length=3), nullable=True))
    op.add_column("users", sa.Column("locale", sa.String(length=16), nullable=True))
    op.add_column(
        "users",
        sa.Column("theme", sa.String(length=6), server_default="system", nullable=False),
    )


def downgrade():
    op.drop_column("users", "theme")
    op.drop_column("users", "locale")
    op.drop_column("users", "currency")

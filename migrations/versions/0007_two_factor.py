"""Two-factor authentication: a TOTP secret and last used step per user, recovery codes.

Revision ID: 0007_two_factor
Revises: 0006_user_sessions
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_two_factor"
down_revision = "0006_user_sessions"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("totp_secret", sa.String(length=64), nullable=True))
    op.add_column("users", sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("digest"),
    )
    op.create_index("ix_recovery_codes_user_id", "recovery_codes", ["user_id"])


def downgrade():
    op.drop_table("recovery_codes")
    # SQLite 3.35 and later drop columns in place, keeping the username index.
    op.drop_column("users", "totp_last_step")
    op.drop_column("users", "totp_secret")

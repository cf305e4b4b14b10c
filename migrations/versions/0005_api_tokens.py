"""Personal access tokens for the API, and events that count towards throttling limits.

Revision ID: 0005_api_tokens
Revises: 0004_covering_category_index
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_api_tokens"
down_revision = "0004_covering_category_index"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("digest"),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "throttle_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_throttle_events_created_at", "throttle_events", ["created_at"])
    op.create_index("ix_throttle_events_key_created_at", "throttle_events", ["key", "created_at"])


def downgrade():
    op.drop_table("throttle_events")
    op.drop_table("api_tokens")

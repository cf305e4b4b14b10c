"""Token expiry, and throttle counters that count and decide an attempt in one statement.

Existing tokens keep working as before: no expiry. The recent events of `throttle_events`
become one counter per key (their number, first and last time), so nobody guessing gets a
fresh allowance from the upgrade.

Revision ID: 0014_token_expiry_and_throttles
Revises: 0013_record_versions
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_token_expiry_and_throttles"
down_revision = "0013_record_versions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "throttle_counters",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_throttle_counters_last_at", "throttle_counters", ["last_at"])
    op.execute(
        sa.text(
            "INSERT INTO throttle_counters (key, count, window_start, next_at, last_at, allowed)"
            " SELECT key, count(*), min(created_at), max(created_at), max(created_at), :allowed"
            " FROM throttle_events GROUP BY key"
        ).bindparams(allowed=True)
    )
    op.drop_table("throttle_events")


def downgrade():
    op.create_table(
        "throttle_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_throttle_events_created_at", "throttle_events", ["created_at"])
    op.create_index("ix_throttle_events_key_created_at", "throttle_events", ["key", "created_at"])
    # One event per counter: the older schema keeps a row per attempt, which a count cannot
    # give back; the latest attempt of each key is kept.
    op.execute(
        "INSERT INTO throttle_events (key, created_at) SELECT key, last_at FROM throttle_counters"
    )
    op.drop_table("throttle_counters")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")

"""Sessions kept signed in on a device, and the first-run step after registering.

Every existing session stays an ordinary one (kept_signed_in false), and every existing
account counts as welcomed when it was made, so no one already here is sent to the
first-run step.

Revision ID: 0017_lasting_sessions
Revises: 0016_more_record_versions
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_lasting_sessions"
down_revision = "0016_more_record_versions"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "user_sessions",
        sa.Column("kept_signed_in", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("users", sa.Column("welcomed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE users SET welcomed_at = created_at")


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("welcomed_at")
    with op.batch_alter_table("user_sessions") as batch:
        batch.drop_column("kept_signed_in")

"""Category colours: a colour (0-9) per category, spread over each user's categories.

Revision ID: 0009_category_colors
Revises: 0008_csv_imports
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_category_colors"
down_revision = "0008_csv_imports"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "categories",
        sa.Column("color", sa.SmallInteger(), nullable=False, server_default="0"),
    )
    # Each user's categories take the colours in turn, oldest first: the first ten all differ.
    op.execute(
        "UPDATE categories SET color = ("
        " SELECT (COUNT(*) - 1) % 10 FROM categories AS earlier"
        " WHERE earlier.user_id = categories.user_id AND earlier.id <= categories.id)"
    )


def downgrade():
    op.drop_column("categories", "color")

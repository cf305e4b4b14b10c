"""CSV imports: the uploaded files and their settings, saved mappings, expenses' import.

Revision ID: 0008_csv_imports
Revises: 0007_two_factor
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_csv_imports"
down_revision = "0007_two_factor"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_imports_user_id", "imports", ["user_id"])
    op.create_table(
        "import_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("header_key", sa.String(length=64), nullable=False),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "name", name="uq_import_mappings_user_name"),
    )
    op.create_index(
        "ix_import_mappings_user_header", "import_mappings", ["user_id", "header_key"]
    )
    # batch mode: SQLite cannot add a foreign key to an existing table in place.
    with op.batch_alter_table("expenses") as batch:
        batch.add_column(sa.Column("import_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_expenses_import_id_imports", "imports", ["import_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index("ix_expenses_import_id", ["import_id"])


def downgrade():
    with op.batch_alter_table("expenses") as batch:
        batch.drop_index("ix_expenses_import_id")
        batch.drop_constraint("fk_expenses_import_id_imports", type_="foreignkey")
        batch.drop_column("import_id")
    op.drop_table("import_mappings")
    op.drop_table("imports")

"""The fund's past from its 台账 (issue 29): each imported application keeps its row's identity (unique in the fund,
so a second import of the same row adds nothing), and each run that writes is recorded — who, when, the file's
SHA-256, rows created, skipped and refused with their problems.

Revision ID: 0061_ledger_import
Revises: 0060_bank_statement
Create Date: 2026-12-09 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0061_ledger_import'
down_revision = '0060_bank_statement'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("applications", sa.Column("imported_key", sa.String(length=64), nullable=True))
    op.create_index(
        "uq_applications_fund_imported_key",
        "applications",
        ["fund_id", "imported_key"],
        unique=True,
        postgresql_where=sa.text("imported_key IS NOT NULL"),
        sqlite_where=sa.text("imported_key IS NOT NULL"),
    )
    op.create_table(
        "ledger_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("row_by_row", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_created", sa.Integer(), nullable=False),
        sa.Column("rows_skipped", sa.Integer(), nullable=False),
        sa.Column("rows_refused", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('imported', 'partial', 'refused')", name=op.f("ck_ledger_imports_outcome_known")
        ),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_ledger_imports_fund_id_funds")),
        sa.ForeignKeyConstraint(
            ["imported_by_id"], ["users.id"], name=op.f("fk_ledger_imports_imported_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_imports")),
    )
    op.create_index(op.f("ix_ledger_imports_fund_id"), "ledger_imports", ["fund_id"], unique=False)


def downgrade():
    op.drop_table("ledger_imports")
    op.drop_index("uq_applications_fund_imported_key", table_name="applications")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column("applications", "imported_key")
    else:  # dropped in place (SQLite 3.35+): no table rebuild, so the applications' triggers stay
        op.execute("ALTER TABLE applications DROP COLUMN imported_key")

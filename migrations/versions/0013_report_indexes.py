"""Indexes on the dates reports select by (submitted, approved, value date, received, posted, claimed), so a month's analysis
reads the month and not the years before it. Plain CREATE INDEX: no table is rebuilt (the history tables keep their
append-only triggers).

Revision ID: 0013_report_indexes
Revises: 0012_filed_reports
Create Date: 2026-11-29 12:56:56.454959

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013_report_indexes'
down_revision = '0012_filed_reports'
branch_labels = None
depends_on = None

INDEXES = (
    ("applications", "approved_on"),
    ("applications", "received_on"),
    ("applications", "submitted_at"),
    ("applications", "value_date"),
    ("bank_claims", "claimed_on"),
    ("journal_entries", "posted_on"),
)


def upgrade():
    for table, column in INDEXES:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def downgrade():
    for table, column in INDEXES:
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)

"""The renewals a report looks at (issue 28): R9's breaches of a period are the bridges renewed late (``renewal_late``,
kept when the renewal is confirmed) and those not renewed; a year's statistics read every bridge disbursed in the
year by its value date to find them (110 ms at a million). A partial index of exactly those, carrying the columns a
line needs, is read alone. The predicate is written as each database's SQL says a boolean (SQLite: ``= 1``), so that
the query's own condition matches it.

Revision ID: 0057_renewals_to_look_at
Revises: 0056_what_a_bank_sees
Create Date: 2026-12-08 06:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0057_renewals_to_look_at'
down_revision = '0056_what_a_bank_sees'
branch_labels = None
depends_on = None

COLUMNS = [
    "fund_id", "value_date", "id", "submitted_at", "renewed_on", "renewal_late", "state", "policy_version_id", "bank_id"
]


def upgrade():
    op.create_index(
        "ix_applications_renewals_to_look_at",
        "applications",
        COLUMNS,
        postgresql_where=sa.text("value_date IS NOT NULL AND (renewal_late OR renewed_on IS NULL)"),
        sqlite_where=sa.text("value_date IS NOT NULL AND (renewal_late = 1 OR renewed_on IS NULL)"),
    )


def downgrade():
    op.drop_index("ix_applications_renewals_to_look_at", table_name="applications")

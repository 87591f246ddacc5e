"""What a bank sees, indexed (issue 28): a bank's list and the API's count up to 10,000 (``listing.COUNT_CAP``) read
its applications forwarded to it (reviewed, not refused: ``access.application_visibility``) from the table row by
row — 17 ms of the API list's 41 at a million. A partial index of exactly those rows is read alone (1 ms). Should
the rule change, the index is simply no longer used until a migration follows it.

Revision ID: 0056_what_a_bank_sees
Revises: 0055_name_search_sqlite
Create Date: 2026-12-08 05:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0056_what_a_bank_sees'
down_revision = '0055_name_search_sqlite'
branch_labels = None
depends_on = None

WHERE = "reviewed_at IS NOT NULL AND state <> 'rejected'"


def upgrade():
    op.create_index(
        "ix_applications_bank_sees",
        "applications",
        ["bank_id", "fund_id", "id"],
        postgresql_where=sa.text(WHERE),
        sqlite_where=sa.text(WHERE),
    )


def downgrade():
    op.drop_index("ix_applications_bank_sees", table_name="applications")

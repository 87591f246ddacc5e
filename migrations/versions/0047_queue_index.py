"""A fund's applications by state, oldest first, as an index (issue 28): the 待归档 queue's first rows are read from it
instead of sorting every repaid application of the years.

Revision ID: 0047_queue_index
Revises: 0046_fund_audit_records
Create Date: 2026-12-07 13:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0047_queue_index'
down_revision = '0046_fund_audit_records'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_applications_fund_state_id", "applications", ["fund_id", "state", "id"], unique=False)


def downgrade():
    op.drop_index("ix_applications_fund_state_id", table_name="applications")

"""One open application per loan contract of a bank (issue 12: a double click on 提交申请 created two): a partial
unique index over the states in which an application is being decided or has money out. Fails on a database that
already holds two open applications for one contract — decide which one stands before upgrading.

Revision ID: 0014_one_open_per_contract
Revises: 0013_report_indexes
Create Date: 2026-11-29 13:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_one_open_per_contract'
down_revision = '0013_report_indexes'
branch_labels = None
depends_on = None

OPEN = sa.text(
    "state IN ('accepted', 'approved', 'bank_committed', 'disbursed', 'group_review', 'recovery', 'renewed', "
    "'submitted')"
)


def upgrade():
    op.create_index(
        "uq_applications_open_contract",
        "applications",
        ["bank_id", "loan_contract_no"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade():
    op.drop_index("uq_applications_open_contract", table_name="applications")

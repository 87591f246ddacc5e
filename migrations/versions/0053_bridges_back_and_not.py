"""The bridges back and not back (issue 28), as a report reads them:

- a partial index of the applications gone out and not returned, which carries the columns a report needs of them
  (id, value date, policy version), so that the overdue list and the bridges out at a day read a few thousand index
  entries instead of the 300,000 applications with no return date — most never went out, which the planner cannot
  know from either column alone;
- the fund's bridges by the day they came back, with their value date: a period's 周转天数 (R2) summed from the index
  alone (a year at a million: 76 → 17 ms).

Revision ID: 0053_bridges_back_and_not
Revises: 0052_enterprise_name_search
Create Date: 2026-12-08 03:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0053_bridges_back_and_not'
down_revision = '0052_enterprise_name_search'
branch_labels = None
depends_on = None

WHERE = "received_on IS NULL AND value_date IS NOT NULL"


def upgrade():
    op.create_index(
        "ix_applications_unreturned",
        "applications",
        ["fund_id", "value_date"],
        postgresql_include=["id", "policy_version_id"],
        postgresql_where=sa.text(WHERE),
        sqlite_where=sa.text(WHERE),
    )
    op.create_index("ix_applications_fund_back", "applications", ["fund_id", "received_on", "value_date"])


def downgrade():
    op.drop_index("ix_applications_fund_back", table_name="applications")
    op.drop_index("ix_applications_unreturned", table_name="applications")

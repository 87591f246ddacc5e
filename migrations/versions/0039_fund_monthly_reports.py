"""Each fund files its own monthly analyses (issue 27, DESIGN §7): a submitted month belongs to its fund, and its
revisions are numbered within the fund. Everything already filed is the first fund's.

Revision ID: 0039_fund_monthly_reports
Revises: 0038_policy_versions_in_full
Create Date: 2026-12-06 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0039_fund_monthly_reports'
down_revision = '0038_policy_versions_in_full'
branch_labels = None
depends_on = None


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # the append-only triggers (0012) go with the rebuilt table and come back after it
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS monthly_reports_no_{verb}")
    with op.batch_alter_table("monthly_reports") as batch_op:
        batch_op.add_column(sa.Column("fund_id", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("monthly_reports") as batch_op:
        batch_op.alter_column("fund_id", server_default=None, existing_type=sa.Integer(), existing_nullable=False)
        batch_op.create_foreign_key(op.f("fk_monthly_reports_fund_id_funds"), "funds", ["fund_id"], ["id"])
        batch_op.create_index(op.f("ix_monthly_reports_fund_id"), ["fund_id"], unique=False)
        batch_op.drop_constraint(op.f("uq_monthly_reports_month_revision"), type_="unique")
        batch_op.create_unique_constraint(
            op.f("uq_monthly_reports_fund_month_revision"), ["fund_id", "month", "revision"]
        )
    if sqlite:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER monthly_reports_no_{verb.lower()} BEFORE {verb} ON monthly_reports "
                       "BEGIN SELECT RAISE(ABORT, 'monthly_reports is append-only'); END")


def downgrade():
    raise NotImplementedError("each fund's months cannot be put back into one: restore the backup taken before")

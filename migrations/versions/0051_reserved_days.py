"""The fund's reservations day by day (R8; issue 28): what approvals reserved and what was given back each day, kept
from now on beside the position row they move, so a report's day-by-day reservations are the position less the days
after — not every approval of the period read again. Filled here from the applications and their events as they
stand: an approval reserves its amount on its approval day and gives it back on the day of its first releasing step
(the group's rejection, a withdrawal, a cancellation, the authorisation) — the steps that release a reservation when
this migration was made. The nightly reconciliation checks every day against the record and the sum against the
position.

Revision ID: 0051_reserved_days
Revises: 0050_cohort_days
Create Date: 2026-12-07 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0051_reserved_days'
down_revision = '0050_cohort_days'
branch_labels = None
depends_on = None

RELEASING = ("group-reject", "withdraw", "cancel", "authorise-disbursement")


def upgrade():
    op.create_table(
        "reserved_days",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reserved", sa.BigInteger(), nullable=False),
        sa.Column("released", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_reserved_days_fund_id_funds")),
        sa.PrimaryKeyConstraint("fund_id", "day", name=op.f("pk_reserved_days")),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    day = "CAST(timezone('Asia/Shanghai', e.at) AS DATE)" if postgresql else "date(e.at, '+8 hours')"
    actions = ", ".join(f"'{a}'" for a in RELEASING)
    op.execute(
        "INSERT INTO reserved_days (fund_id, day, reserved, released) "
        "SELECT fund_id, day, SUM(reserved), SUM(released) FROM ("
        "SELECT fund_id, approved_on AS day, approved_amount AS reserved, 0 AS released FROM applications "
        "WHERE approved_on IS NOT NULL "
        f"UNION ALL SELECT a.fund_id, {day}, 0, a.approved_amount FROM applications a "
        "JOIN application_events e ON e.id = (SELECT MIN(x.id) FROM application_events x "
        f"WHERE x.application_id = a.id AND x.action IN ({actions})) "
        "WHERE a.approved_on IS NOT NULL"
        ") r GROUP BY fund_id, day"
    )


def downgrade():
    op.drop_table("reserved_days")

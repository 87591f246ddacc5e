"""Kept totals of the report's breakdowns (issue 28): the applications submitted each day and the bridges disbursed
each day, by bank, district, size, industry and kind of loan, and by state as they move — kept by every event from
now on, so a period's breakdowns read a few rows a day instead of every application's last event. Filled here from
the applications and their events as they stand (one INSERT … SELECT), with the rules of
``services.reports.cohorts`` written out as they were when this migration was made: days are the fund's (UTC + 8
hours), a submission's first state and each change of state after it count in the submitted cohort, a bridge counts
in its value date's cohort from that day as disbursed and then moves with its events after the authorisation (its
move from approved to disbursed). The
nightly reconciliation checks every row against the record.

Revision ID: 0050_cohort_days
Revises: 0049_ledger_days
Create Date: 2026-12-07 16:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0050_cohort_days'
down_revision = '0049_ledger_days'
branch_labels = None
depends_on = None

ROWS = """
SELECT a.fund_id, 'submitted' AS cohort, {sub} AS day, {sub} AS moved_on, '{dim}' AS dimension, {key} AS key,
       1 AS count, a.requested_amount AS amount
FROM applications a JOIN enterprises n ON n.id = a.enterprise_id
UNION ALL
SELECT a.fund_id, 'disbursed', a.value_date, a.value_date, '{dim}', {key}, 1, a.approved_amount
FROM applications a JOIN enterprises n ON n.id = a.enterprise_id WHERE a.authorised_at IS NOT NULL
"""
MOVES = """
SELECT a.fund_id, 'submitted', {sub}, {at}, 'state', e.to_state, 1, a.requested_amount
FROM application_events e JOIN applications a ON a.id = e.application_id
WHERE e.from_state IS NULL OR e.from_state <> e.to_state
UNION ALL
SELECT a.fund_id, 'submitted', {sub}, {at}, 'state', e.from_state, -1, -a.requested_amount
FROM application_events e JOIN applications a ON a.id = e.application_id
WHERE e.from_state IS NOT NULL AND e.from_state <> e.to_state
UNION ALL
SELECT a.fund_id, 'disbursed', a.value_date, a.value_date, 'state', 'disbursed', 1, a.approved_amount
FROM applications a WHERE a.authorised_at IS NOT NULL
UNION ALL
SELECT a.fund_id, 'disbursed', a.value_date, {at}, 'state', e.to_state, 1, a.approved_amount
FROM application_events e JOIN applications a ON a.id = e.application_id
WHERE a.authorised_at IS NOT NULL AND e.from_state <> e.to_state AND e.id > {authorised}
UNION ALL
SELECT a.fund_id, 'disbursed', a.value_date, {at}, 'state', e.from_state, -1, -a.approved_amount
FROM application_events e JOIN applications a ON a.id = e.application_id
WHERE a.authorised_at IS NOT NULL AND e.from_state <> e.to_state AND e.id > {authorised}
"""
DIMENSIONS = {
    "bank": "CAST(a.bank_id AS VARCHAR(64))",
    "district": "n.district",
    "size": "n.size",
    "industry": "n.industry",
    "loan_type": "a.loan_type",
}


def upgrade():
    op.create_table(
        "cohort_days",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("cohort", sa.String(length=10), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("moved_on", sa.Date(), nullable=False),
        sa.Column("dimension", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_cohort_days_fund_id_funds")),
        sa.PrimaryKeyConstraint("fund_id", "cohort", "day", "moved_on", "dimension", "key", name=op.f("pk_cohort_days")),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"

    def day(column):
        return f"CAST(timezone('Asia/Shanghai', {column}) AS DATE)" if postgresql else f"date({column}, '+8 hours')"

    authorised = (
        "(SELECT MAX(x.id) FROM application_events x WHERE x.application_id = a.id "
        "AND x.from_state = 'approved' AND x.to_state = 'disbursed')"
    )
    parts = [ROWS.format(sub=day("a.submitted_at"), dim=d, key=k) for d, k in DIMENSIONS.items()]
    parts.append(MOVES.format(sub=day("a.submitted_at"), at=day("e.at"), authorised=authorised))
    op.execute(
        "INSERT INTO cohort_days (fund_id, cohort, day, moved_on, dimension, key, count, amount) "
        "SELECT fund_id, cohort, day, moved_on, dimension, key, SUM(count), SUM(amount) FROM ("
        + " UNION ALL ".join(parts)
        + ") rows GROUP BY fund_id, cohort, day, moved_on, dimension, key "
        "HAVING SUM(count) <> 0 OR SUM(amount) <> 0"
    )


def downgrade():
    op.drop_table("cohort_days")

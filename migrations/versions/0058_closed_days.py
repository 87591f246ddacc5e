"""The bridges back each day under their days used (issue 28): a period's 周转天数 — how many bridges closed, their
days together and the longest — summed from every bridge back in the period, and for a year's statistics from the
year before as well (SQLite: 50 ms a period at a million, turning each text date into a day number). Kept from now on
by each return in the cohort rows (cohort ``closed``, dimension ``days``, the key the days used); filled here from the
applications as they stand, with R2 written out as it was when this migration was made: calendar days from the
value date to the day the principal was all back, at least one. The nightly reconciliation checks every row against
the record.

Revision ID: 0058_closed_days
Revises: 0057_renewals_to_look_at
Create Date: 2026-12-08 09:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0058_closed_days'
down_revision = '0057_renewals_to_look_at'
branch_labels = None
depends_on = None


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    between = (
        "a.received_on - a.value_date"
        if postgresql
        else "CAST(julianday(a.received_on) - julianday(a.value_date) AS INTEGER)"
    )
    used = f"CASE WHEN {between} < 1 THEN 1 ELSE {between} END"
    op.execute(
        "INSERT INTO cohort_days (fund_id, cohort, day, moved_on, dimension, key, count, amount) "
        "SELECT fund_id, 'closed', received_on, received_on, 'days', CAST(used AS VARCHAR(64)), COUNT(*), SUM(used) "
        f"FROM (SELECT a.fund_id, a.received_on, {used} AS used FROM applications a "
        "WHERE a.received_on IS NOT NULL AND a.value_date IS NOT NULL) back "
        "GROUP BY fund_id, received_on, used"
    )


def downgrade():
    op.execute("DELETE FROM cohort_days WHERE cohort = 'closed'")

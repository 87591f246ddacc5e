"""Each day's debits and credits by trial-balance line and kind of entry (issue 28): kept by every posting from now
on, so a month's or a year's report reads the days of its period instead of the journal's legs, and a day's balance
is the running total less the days after it. Filled here from the legs already written (one grouped INSERT …
SELECT); the kind of an entry is its key's first part, as ``domain.ledger.entry_kind`` says. The nightly
reconciliation checks every row against the legs.

Revision ID: 0049_ledger_days
Revises: 0048_bridges_out
Create Date: 2026-12-07 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0049_ledger_days'
down_revision = '0048_bridges_out'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ledger_days",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("line", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("debit", sa.BigInteger(), nullable=False),
        sa.Column("credit", sa.BigInteger(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.CheckConstraint("credit >= 0", name=op.f("ck_ledger_days_credit_not_negative")),
        sa.CheckConstraint("debit >= 0", name=op.f("ck_ledger_days_debit_not_negative")),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_ledger_days_fund_id_funds")),
        sa.PrimaryKeyConstraint("fund_id", "day", "line", "kind", name=op.f("pk_ledger_days")),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    kind = "split_part(e.key, ':', 1)" if postgresql else "substr(e.key, 1, instr(e.key, ':') - 1)"
    op.execute(
        "INSERT INTO ledger_days (fund_id, day, line, kind, debit, credit, entries) "
        "SELECT e.fund_id, e.posted_on, "
        "CASE WHEN a.code LIKE 'receivable:%' THEN 'receivable' ELSE a.code END, "
        f"{kind}, COALESCE(SUM(l.debit), 0), COALESCE(SUM(l.credit), 0), COUNT(DISTINCT e.id) "
        "FROM journal_legs l JOIN journal_entries e ON l.entry_id = e.id JOIN ledger_accounts a ON l.account_id = a.id "
        "GROUP BY e.fund_id, e.posted_on, CASE WHEN a.code LIKE 'receivable:%' THEN 'receivable' ELSE a.code END, "
        f"{kind}"
    )


def downgrade():
    op.drop_table("ledger_days")

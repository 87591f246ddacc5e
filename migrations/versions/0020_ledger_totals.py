"""Running totals of the trial balance and a record of full reconciliations (issue 14): the trial balance, the
reconciliation page and the dissolution statement read a few maintained rows instead of summing every leg; the
nightly full reconciliation keeps what it found.

Revision ID: 0020_ledger_totals
Revises: 0019_vetted_sign_up
Create Date: 2026-11-30 00:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_ledger_totals'
down_revision = '0019_vetted_sign_up'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ledger_totals',
    sa.Column('line', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('debit', sa.BigInteger(), nullable=False),
    sa.Column('credit', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('credit >= 0', name=op.f('ck_ledger_totals_credit_not_negative')),
    sa.CheckConstraint('debit >= 0', name=op.f('ck_ledger_totals_debit_not_negative')),
    sa.PrimaryKeyConstraint('line', name=op.f('pk_ledger_totals'))
    )
    op.create_table('reconciliation_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('milliseconds', sa.Integer(), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('differences', sa.Integer(), nullable=False),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reconciliation_runs'))
    )
    with op.batch_alter_table('reconciliation_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reconciliation_runs_started_at'), ['started_at'], unique=False)

    # the books as they stand, one line per account but one for every bridge's receivable (domain.ledger.line_of)
    op.execute(
        """
        INSERT INTO ledger_totals (line, name, kind, debit, credit)
        SELECT t.line, MIN(t.name), MIN(t.kind), COALESCE(SUM(l.debit), 0), COALESCE(SUM(l.credit), 0)
        FROM (
            SELECT id,
                   CASE WHEN code LIKE 'receivable:%' THEN 'receivable' ELSE code END AS line,
                   CASE WHEN code LIKE 'receivable:%' THEN '应收应急转贷资金' ELSE name END AS name,
                   kind
            FROM ledger_accounts
        ) AS t
        LEFT JOIN journal_legs AS l ON l.account_id = t.id
        GROUP BY t.line
        """
    )


def downgrade():
    with op.batch_alter_table('reconciliation_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reconciliation_runs_started_at'))
    op.drop_table('reconciliation_runs')
    op.drop_table('ledger_totals')

"""The special account's bank statement against the books (issue 29; 第十一条 封闭运行): the formats the banks
export it in, each import of a file, the lines (stored once per fund by their fingerprint), the bank's closing
balance by day, and each line's match with the journal entry that booked the same movement — one standing match per
line and per entry (partial unique indexes), undone with a reason and never deleted. The lines and the balances are
the bank's word: append-only, as the journal is (the same guards on both databases); on PostgreSQL a format or a
match changes only with its own audit record, as the books' other controls do.

Revision ID: 0060_bank_statement
Revises: 0059_entry_bank_ref
Create Date: 2026-12-09 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0060_bank_statement'
down_revision = '0059_entry_bank_ref'
branch_labels = None
depends_on = None

APPEND_ONLY = ("bank_statement_lines", "bank_statement_balances")
RECORDED = ("bank_formats", "bank_statement_imports", "bank_statement_matches")


def upgrade():
    op.create_table('bank_formats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('table', 'camt053')", name=op.f('ck_bank_formats_kind_known')),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_bank_formats_fund_id_funds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_formats')),
    sa.UniqueConstraint('fund_id', 'name', name='uq_bank_formats_fund_name')
    )
    op.create_table('bank_statement_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('format_name', sa.String(length=60), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('lines_read', sa.Integer(), nullable=False),
    sa.Column('lines_added', sa.Integer(), nullable=False),
    sa.Column('lines_known', sa.Integer(), nullable=False),
    sa.Column('matched', sa.Integer(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('period_start <= period_end', name=op.f('ck_bank_statement_imports_period_in_order')),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_bank_statement_imports_fund_id_funds')),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_bank_statement_imports_imported_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_statement_imports')),
    sa.UniqueConstraint('id', 'fund_id', name='uq_bank_statement_imports_of_its_fund')
    )
    with op.batch_alter_table('bank_statement_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_statement_imports_fund_id'), ['fund_id'], unique=False)

    op.create_table('bank_statement_balances',
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('balance', sa.BigInteger(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_bank_statement_balances_fund_id_funds')),
    sa.ForeignKeyConstraint(['import_id'], ['bank_statement_imports.id'], name=op.f('fk_bank_statement_balances_import_id_bank_statement_imports')),
    sa.PrimaryKeyConstraint('fund_id', 'day', name=op.f('pk_bank_statement_balances'))
    )
    op.create_table('bank_statement_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('booked_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('counterparty', sa.String(length=200), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('balance', sa.BigInteger(), nullable=True),
    sa.Column('bank_txn_id', sa.String(length=120), nullable=False),
    sa.Column('fingerprint', sa.String(length=130), nullable=False),
    sa.CheckConstraint('amount <> 0', name=op.f('ck_bank_statement_lines_amount_not_zero')),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_bank_statement_lines_fund_id_funds')),
    sa.ForeignKeyConstraint(['import_id', 'fund_id'], ['bank_statement_imports.id', 'bank_statement_imports.fund_id'], name='fk_bank_statement_lines_import_of_its_fund'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_statement_lines')),
    sa.UniqueConstraint('fund_id', 'fingerprint', name='uq_bank_statement_lines_fund_fingerprint'),
    sa.UniqueConstraint('id', 'fund_id', name='uq_bank_statement_lines_of_its_fund')
    )
    with op.batch_alter_table('bank_statement_lines', schema=None) as batch_op:
        batch_op.create_index('ix_bank_statement_lines_fund_day', ['fund_id', 'booked_on'], unique=False)

    op.create_table('bank_statement_matches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('how', sa.String(length=8), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('matched_by_id', sa.Integer(), nullable=True),
    sa.Column('matched_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.Column('undo_reason', sa.String(length=500), nullable=False),
    sa.CheckConstraint("how = 'auto' OR length(reason) > 0", name=op.f('ck_bank_statement_matches_hand_has_reason')),
    sa.CheckConstraint("how IN ('auto', 'hand')", name=op.f('ck_bank_statement_matches_how_known')),
    sa.CheckConstraint('undone_at IS NULL OR length(undo_reason) > 0', name=op.f('ck_bank_statement_matches_undone_has_reason')),
    sa.ForeignKeyConstraint(['entry_id', 'fund_id'], ['journal_entries.id', 'journal_entries.fund_id'], name='fk_bank_statement_matches_entry_of_its_fund'),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_bank_statement_matches_fund_id_funds')),
    sa.ForeignKeyConstraint(['line_id', 'fund_id'], ['bank_statement_lines.id', 'bank_statement_lines.fund_id'], name='fk_bank_statement_matches_line_of_its_fund'),
    sa.ForeignKeyConstraint(['matched_by_id'], ['users.id'], name=op.f('fk_bank_statement_matches_matched_by_id_users')),
    sa.ForeignKeyConstraint(['undone_by_id'], ['users.id'], name=op.f('fk_bank_statement_matches_undone_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_statement_matches'))
    )
    with op.batch_alter_table('bank_statement_matches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_statement_matches_entry_id'), ['entry_id'], unique=False)
        batch_op.create_index('uq_bank_statement_matches_entry_standing', ['entry_id'], unique=True, postgresql_where=sa.text('undone_at IS NULL'), sqlite_where=sa.text('undone_at IS NULL'))
        batch_op.create_index('uq_bank_statement_matches_line_standing', ['line_id'], unique=True, postgresql_where=sa.text('undone_at IS NULL'), sqlite_where=sa.text('undone_at IS NULL'))

    _guards()


def _guards():
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION loanfund_refuse_change()")
        for table in RECORDED:
            op.execute(f"CREATE CONSTRAINT TRIGGER {table}_recorded AFTER INSERT OR UPDATE OR DELETE ON {table} "
                       "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION loanfund_recorded()")
    else:
        for table in APPEND_ONLY:
            for verb in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def downgrade():
    for table in ("bank_statement_matches", "bank_statement_lines", "bank_statement_balances",
                  "bank_statement_imports", "bank_formats"):
        op.drop_table(table)  # its triggers go with it

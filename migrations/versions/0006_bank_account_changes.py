"""A bank's designated receiving account changes only by maker–checker: proposed, then confirmed by another person.

Revision ID: 0006_account_changes
Revises: 0005_losses_covered
Create Date: 2026-11-29 08:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_account_changes'
down_revision = '0005_losses_covered'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bank_account_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('old_account_name', sa.String(length=100), nullable=False),
    sa.Column('old_account_no', sa.String(length=40), nullable=False),
    sa.Column('old_account_bank', sa.String(length=100), nullable=False),
    sa.Column('new_account_name', sa.String(length=100), nullable=False),
    sa.Column('new_account_no', sa.String(length=40), nullable=False),
    sa.Column('new_account_bank', sa.String(length=100), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("decision IN ('pending', 'confirmed', 'rejected')", name=op.f('ck_bank_account_changes_decision_known')),
    sa.CheckConstraint('decided_by_id IS NULL OR decided_by_id <> requested_by_id', name=op.f('ck_bank_account_changes_maker_checker')),
    sa.CheckConstraint("(decision = 'pending') = (decided_by_id IS NULL)", name=op.f('ck_bank_account_changes_decided_when_not_pending')),
    sa.ForeignKeyConstraint(['bank_id'], ['banks.id'], name=op.f('fk_bank_account_changes_bank_id_banks')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_bank_account_changes_decided_by_id_users')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_bank_account_changes_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_account_changes'))
    )
    op.create_index('ix_bank_account_changes_bank_id', 'bank_account_changes', ['bank_id'], unique=False)
    op.create_index(
        'uq_bank_account_changes_one_pending', 'bank_account_changes', ['bank_id'], unique=True,
        sqlite_where=sa.text("decision = 'pending'"), postgresql_where=sa.text("decision = 'pending'"),
    )


def downgrade():
    op.drop_index('uq_bank_account_changes_one_pending', table_name='bank_account_changes')
    op.drop_index('ix_bank_account_changes_bank_id', table_name='bank_account_changes')
    op.drop_table('bank_account_changes')

"""Bank liability (R12, 第二十三条): claims against a bank that did not renew on time and in full, and its payments.

Revision ID: 0009_bank_claims
Revises: 0008_blacklist_workflow
Create Date: 2026-11-29 10:40:47.686863

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_bank_claims'
down_revision = '0008_blacklist_workflow'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bank_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('claimed_on', sa.Date(), nullable=False),
    sa.Column('principal', sa.BigInteger(), nullable=False),
    sa.Column('fee', sa.BigInteger(), nullable=False),
    sa.Column('basis', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('principal >= 0 AND fee >= 0 AND principal + fee > 0', name=op.f('ck_bank_claims_amount_positive')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_bank_claims_application_id_applications')),
    sa.ForeignKeyConstraint(['bank_id'], ['banks.id'], name=op.f('fk_bank_claims_bank_id_banks')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_bank_claims_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_claims')),
    sa.UniqueConstraint('application_id', name=op.f('uq_bank_claims_application_id'))
    )
    with op.batch_alter_table('bank_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_claims_bank_id'), ['bank_id'], unique=False)

    op.create_table('bank_claim_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('transfer_ref', sa.String(length=64), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_bank_claim_payments_amount_positive')),
    sa.ForeignKeyConstraint(['claim_id'], ['bank_claims.id'], name=op.f('fk_bank_claim_payments_claim_id_bank_claims')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_bank_claim_payments_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_claim_payments')),
    sa.UniqueConstraint('claim_id', 'transfer_ref', name='one_transfer_once')
    )
    with op.batch_alter_table('bank_claim_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_claim_payments_claim_id'), ['claim_id'], unique=False)



def downgrade():
    with op.batch_alter_table('bank_claim_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_claim_payments_claim_id'))

    op.drop_table('bank_claim_payments')
    with op.batch_alter_table('bank_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_claims_bank_id'))

    op.drop_table('bank_claims')

"""The recovery file of an overdue bridge (第二十一条): cause analyses and recovery measures with the money they brought.

Revision ID: 0011_recovery_records
Revises: 0010_settings
Create Date: 2026-11-29 11:07:42.156332

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_recovery_records'
down_revision = '0010_settings'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('recovery_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('transfer_ref', sa.String(length=64), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('cause', 'measure')", name=op.f('ck_recovery_records_kind_known')),
    sa.CheckConstraint('amount = 0 OR transfer_ref IS NOT NULL', name=op.f('ck_recovery_records_money_has_a_transfer')),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_recovery_records_amount_not_negative')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_recovery_records_application_id_applications')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_recovery_records_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_records'))
    )
    with op.batch_alter_table('recovery_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_records_application_id'), ['application_id'], unique=False)



def downgrade():
    with op.batch_alter_table('recovery_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_records_application_id'))

    op.drop_table('recovery_records')

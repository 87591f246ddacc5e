"""The fund's 专人 for each cooperating bank (issue 24; 第十二条): an operator named for the bank, who receives the
bank's notices. A table of its own: the users already refer to the banks, and a column the other way round would make
the two tables depend on each other.

Revision ID: 0026_bank_liaisons
Revises: 0025_loan_type
Create Date: 2026-12-06 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026_bank_liaisons'
down_revision = '0025_loan_type'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bank_liaisons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bank_id'], ['banks.id'], name=op.f('fk_bank_liaisons_bank_id_banks')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_bank_liaisons_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_liaisons')),
    sa.UniqueConstraint('bank_id', name=op.f('uq_bank_liaisons_bank_id'))
    )
    with op.batch_alter_table('bank_liaisons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_liaisons_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('bank_liaisons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_liaisons_user_id'))
    op.drop_table('bank_liaisons')

"""The audit pack is built outside the request (issue 25, finding 11): each run the group asks for, its state, and
the file it made.

Revision ID: 0034_audit_pack_runs
Revises: 0033_sign_up_limits
Create Date: 2026-12-06 10:00:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0034_audit_pack_runs'
down_revision = '0033_sign_up_limits'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit_pack_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('state', sa.String(length=8), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('applications', sa.Integer(), nullable=True),
        sa.Column('files', sa.Integer(), nullable=True),
        sa.Column('size', sa.BigInteger(), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_audit_pack_runs_state_known')),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_audit_pack_runs_requested_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_pack_runs')),
    )
    with op.batch_alter_table('audit_pack_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_pack_runs_year'), ['year'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_pack_runs_state'), ['state'], unique=False)


def downgrade():
    op.drop_table('audit_pack_runs')

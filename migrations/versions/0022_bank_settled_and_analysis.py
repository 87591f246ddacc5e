"""A bridge settled by its bank (issue 23): the day an R12 claim was paid in full, after which the application is
repaid and shown 银行已清偿; and the operator's own analysis text on a submitted monthly report (第二十一条 "分析").
Plain ADD COLUMN (nullable or with a server default): no table is rebuilt, its triggers stay.

Revision ID: 0022_bank_settled_and_analysis
Revises: 0021_event_action_index
Create Date: 2026-12-06 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_bank_settled_and_analysis'
down_revision = '0021_event_action_index'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('applications', sa.Column('settled_by_bank_on', sa.Date(), nullable=True))
    op.add_column('monthly_reports', sa.Column('analysis', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('monthly_reports', schema=None) as batch_op:
        batch_op.drop_column('analysis')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('settled_by_bank_on')

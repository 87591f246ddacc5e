"""The blacklist as a workflow (R11, 第二十二条): proposed by an operator or by a default, confirmed or rejected by the
leading group, lifted early only by the group with a reason. Existing entries stay in force (confirmed).

Revision ID: 0008_blacklist_workflow
Revises: 0007_notices
Create Date: 2026-11-29 10:32:05.797336

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_blacklist_workflow'
down_revision = '0007_notices'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('blacklist_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ground', sa.String(length=16), server_default='not_returned', nullable=False))
        batch_op.add_column(sa.Column('basis', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('application_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('state', sa.String(length=12), server_default='confirmed', nullable=False))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decision_note', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('lifted_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('lifted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('lift_reason', sa.Text(), server_default='', nullable=False))
        batch_op.create_index('uq_blacklist_entries_one_proposal', ['credit_code'], unique=True, sqlite_where=sa.text("state = 'proposed'"), postgresql_where=sa.text("state = 'proposed'"))
        batch_op.create_foreign_key(batch_op.f('fk_blacklist_entries_decided_by_id_users'), 'users', ['decided_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_blacklist_entries_application_id_applications'), 'applications', ['application_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_blacklist_entries_lifted_by_id_users'), 'users', ['lifted_by_id'], ['id'])
        batch_op.create_check_constraint(
            op.f('ck_blacklist_entries_state_known'), "state IN ('proposed', 'confirmed', 'rejected')"
        )
        batch_op.create_check_constraint(
            op.f('ck_blacklist_entries_ground_known'),
            "ground IN ('false_statement', 'concealment', 'fraud', 'not_returned')",
        )
        batch_op.create_check_constraint(
            op.f('ck_blacklist_entries_only_confirmed_lifted'), "lifted_on IS NULL OR state = 'confirmed'"
        )



def downgrade():
    with op.batch_alter_table('blacklist_entries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_blacklist_entries_only_confirmed_lifted'), type_='check')
        batch_op.drop_constraint(op.f('ck_blacklist_entries_ground_known'), type_='check')
        batch_op.drop_constraint(op.f('ck_blacklist_entries_state_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_blacklist_entries_lifted_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_blacklist_entries_application_id_applications'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_blacklist_entries_decided_by_id_users'), type_='foreignkey')
        batch_op.drop_index('uq_blacklist_entries_one_proposal', sqlite_where=sa.text("state = 'proposed'"), postgresql_where=sa.text("state = 'proposed'"))
        batch_op.drop_column('lift_reason')
        batch_op.drop_column('lifted_by_id')
        batch_op.drop_column('lifted_on')
        batch_op.drop_column('decision_note')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('state')
        batch_op.drop_column('application_id')
        batch_op.drop_column('basis')
        batch_op.drop_column('ground')


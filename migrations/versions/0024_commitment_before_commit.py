"""The bank's signed commitment is needed before the bank commits (issue 23; 第十六条): the checklist gains the stage
"commit" and the seeded commitment item moves to it — unless the administrator has set it otherwise since. The CHECK
on the stage is replaced (a table rebuild on SQLite: material_items has no trigger and no partial index).

Revision ID: 0024_commitment_before_commit
Revises: 0023_approver_not_checker
Create Date: 2026-12-06 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024_commitment_before_commit'
down_revision = '0023_approver_not_checker'
branch_labels = None
depends_on = None

BEFORE = "needed_for IN ('accept', 'approve', 'authorise-disbursement')"
AFTER = "needed_for IN ('accept', 'commit', 'approve', 'authorise-disbursement')"


def _stages(condition):
    with op.batch_alter_table('material_items', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_material_items_stage_known'), type_='check')
        batch_op.create_check_constraint('stage_known', condition)


def upgrade():
    _stages(AFTER)
    op.execute(
        "UPDATE material_items SET needed_for = 'commit' "
        "WHERE code = 'commitment' AND provided_by = 'bank' AND needed_for = 'approve'"
    )


def downgrade():
    op.execute("UPDATE material_items SET needed_for = 'approve' WHERE needed_for = 'commit'")
    _stages(BEFORE)

"""Sign-up attempts counted like logins (issue 25, finding 2): per address and per credit code named, in the same
table as the login limits.

Revision ID: 0033_sign_up_limits
Revises: 0032_history_enforced
Create Date: 2026-12-06 09:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0033_sign_up_limits'
down_revision = '0032_history_enforced'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_login_throttles_scope_known'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_login_throttles_scope_known'), "scope IN ('address', 'account', 'sign_up_address', 'sign_up_code')"
        )


def downgrade():
    op.execute("DELETE FROM login_throttles WHERE scope IN ('sign_up_address', 'sign_up_code')")
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_login_throttles_scope_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_login_throttles_scope_known'), "scope IN ('address', 'account')")

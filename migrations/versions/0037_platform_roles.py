"""The platform's own people (issue 27, DESIGN §7): a platform administrator who creates funds and their
administrators, and an overseer who reads every fund's reports. Both work for no fund.

On SQLite ``users`` is rebuilt to change its CHECKs (env.py turns foreign keys off around it); the triggers 0035 put
there in place of the fund's CHECK give way to the CHECK itself.

Revision ID: 0037_platform_roles
Revises: 0036_fund_books
Create Date: 2026-12-06 21:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0037_platform_roles'
down_revision = '0036_fund_books'
branch_labels = None
depends_on = None

ROLES = "role IN ('enterprise', 'reviewer', 'operator', 'bank', 'group', 'admin', 'platform', 'overseer')"
FUND_SCOPE = "(role IN ('enterprise', 'overseer', 'platform')) = (fund_id IS NULL)"
OLD_ROLES = "role IN ('enterprise', 'reviewer', 'operator', 'bank', 'group', 'admin')"
OLD_FUND_SCOPE = "(role = 'enterprise') = (fund_id IS NULL)"


def upgrade():
    _constraints(ROLES, FUND_SCOPE, dropping_triggers=True)


def downgrade():
    _constraints(OLD_ROLES, OLD_FUND_SCOPE, dropping_triggers=False)


def _constraints(roles, fund_scope, *, dropping_triggers):
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite and dropping_triggers:
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS users_fund_scope_{event}")
    with op.batch_alter_table("users", recreate="always" if sqlite else "auto") as batch_op:
        batch_op.drop_constraint(op.f("ck_users_role_known"), type_="check")
        if not sqlite or not dropping_triggers:  # on SQLite 0035 held it by triggers, not a CHECK
            batch_op.drop_constraint(op.f("ck_users_fund_scope"), type_="check")
        batch_op.create_check_constraint(op.f("ck_users_role_known"), roles)
        batch_op.create_check_constraint(op.f("ck_users_fund_scope"), fund_scope)

"""Policy versions in full (issue 27): a version not yet in force may be corrected or withdrawn, each recorded with
who and why; a withdrawn version stays, so a name and a day are unique among the versions not withdrawn only.

Revision ID: 0038_policy_versions_in_full
Revises: 0037_platform_roles
Create Date: 2026-12-06 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0038_policy_versions_in_full'
down_revision = '0037_platform_roles'
branch_labels = None
depends_on = None

NOT_WITHDRAWN = sa.text("withdrawn_at IS NULL")
# 0035's SQLite triggers on applications read policy_versions: SQLite will not rename a rebuilt table under them, so
# they step aside while it is rebuilt and come back as they were
APPLICATIONS_FUND = (
    "CREATE TRIGGER applications_fund_{event} BEFORE {EVENT} ON applications "
    "WHEN NEW.fund_id IS NULL OR (NEW.policy_version_id IS NOT NULL AND NOT EXISTS ("
    "SELECT 1 FROM policy_versions p WHERE p.id = NEW.policy_version_id AND p.fund_id = NEW.fund_id)) "
    "BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: policy_of_its_fund'); END"
)


def _triggers_aside(sqlite):
    if sqlite:
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS applications_fund_{event}")


def _triggers_back(sqlite):
    if sqlite:
        for event in ("insert", "update"):
            op.execute(APPLICATIONS_FUND.format(event=event, EVENT=event.upper()))


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    _triggers_aside(sqlite)
    with op.batch_alter_table("policy_versions") as batch_op:
        batch_op.add_column(sa.Column("revised_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("revised_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("revision_reason", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("withdrawal_reason", sa.Text(), server_default="", nullable=False))
        batch_op.create_foreign_key(op.f("fk_policy_versions_revised_by_id_users"), "users", ["revised_by_id"], ["id"])
        batch_op.create_foreign_key(
            op.f("fk_policy_versions_withdrawn_by_id_users"), "users", ["withdrawn_by_id"], ["id"]
        )
        batch_op.drop_constraint(op.f("uq_policy_versions_one_name_a_fund"), type_="unique")
        batch_op.drop_constraint(op.f("uq_policy_versions_one_version_a_day"), type_="unique")
    for name, columns in (
        ("uq_policy_versions_one_name_a_fund", ["fund_id", "name"]),
        ("uq_policy_versions_one_version_a_day", ["fund_id", "effective_from"]),
    ):
        op.create_index(
            op.f(name), "policy_versions", columns, unique=True,
            sqlite_where=NOT_WITHDRAWN, postgresql_where=NOT_WITHDRAWN,
        )
    _triggers_back(sqlite)


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    _triggers_aside(sqlite)
    op.drop_index(op.f("uq_policy_versions_one_version_a_day"), table_name="policy_versions")
    op.drop_index(op.f("uq_policy_versions_one_name_a_fund"), table_name="policy_versions")
    with op.batch_alter_table("policy_versions") as batch_op:
        batch_op.create_unique_constraint(op.f("uq_policy_versions_one_name_a_fund"), ["fund_id", "name"])
        batch_op.create_unique_constraint(op.f("uq_policy_versions_one_version_a_day"), ["fund_id", "effective_from"])
        for column in ("withdrawal_reason", "withdrawn_by_id", "withdrawn_at", "revision_reason", "revised_by_id",
                       "revised_at"):
            batch_op.drop_column(column)
    _triggers_back(sqlite)

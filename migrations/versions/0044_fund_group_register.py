"""Each fund its own leading group's register and audit pack (issue 27, DESIGN §7): meetings (their minutes numbered
within the fund), decisions (on the fund's own applications: a composite foreign key), the platform's rules documents
(versioned within the fund) and the runs of the annual audit pack. Everything already there is the first fund's.

Revision ID: 0044_fund_group_register
Revises: 0043_fund_settings
Create Date: 2026-12-07 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0044_fund_group_register'
down_revision = '0043_fund_settings'
branch_labels = None
depends_on = None

APPEND_ONLY = ("group_meetings", "rules_documents", "group_decisions")  # 0029's triggers


def _fund_column(table: str) -> None:
    with op.batch_alter_table(table) as batch_op:
        batch_op.add_column(sa.Column("fund_id", sa.Integer(), server_default="1", nullable=False))


def _fund_key(batch_op, table: str) -> None:
    batch_op.alter_column("fund_id", server_default=None, existing_type=sa.Integer(), existing_nullable=False)
    batch_op.create_foreign_key(op.f(f"fk_{table}_fund_id_funds"), "funds", ["fund_id"], ["id"])
    batch_op.create_index(op.f(f"ix_{table}_fund_id"), ["fund_id"], unique=False)


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # the append-only triggers go with a rebuilt table and come back after it
        for table in APPEND_ONLY:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    for table in (*APPEND_ONLY, "audit_pack_runs"):
        _fund_column(table)
    with op.batch_alter_table("group_meetings") as batch_op:
        _fund_key(batch_op, "group_meetings")
        batch_op.drop_constraint(op.f("uq_group_meetings_minutes_ref"), type_="unique")
        batch_op.create_unique_constraint("uq_group_meetings_fund_minutes_ref", ["fund_id", "minutes_ref"])
    with op.batch_alter_table("rules_documents") as batch_op:
        _fund_key(batch_op, "rules_documents")
        batch_op.drop_constraint("uq_rules_documents_title_version", type_="unique")
        batch_op.create_unique_constraint("uq_rules_documents_fund_title_version", ["fund_id", "title", "version"])
    with op.batch_alter_table("group_decisions") as batch_op:
        _fund_key(batch_op, "group_decisions")
        batch_op.create_foreign_key(
            "fk_group_decisions_application_of_its_fund",
            "applications",
            ["application_id", "fund_id"],
            ["id", "fund_id"],
        )
    with op.batch_alter_table("audit_pack_runs") as batch_op:
        _fund_key(batch_op, "audit_pack_runs")
    if sqlite:
        for table in APPEND_ONLY:
            for verb in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def downgrade():
    raise NotImplementedError("each fund's register cannot be put back into one: restore the backup taken before")

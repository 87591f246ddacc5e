"""The bridges out as indexed facts (issue 28): one row per bridge whose money is out — due date (R4), the bank's
renewal deadline (R9), principal out, shortfall, the sweep's next day — kept by every step from now on, so the
workbenches, the early warnings and the reconciliation page count them in SQL instead of loading every bridge out,
and the daily sweep looks only at those whose day has come.

Filled here from the record as it stands, with the domain's rules written out as they were when this migration was
made (a migration does not change when the code does): due = value date + the policy's max_days, deadline = value
date + its renewal_sla_days, principal out = approved − returned (0 once the bank's claim holds it), a shortfall =
money came back and the bridge still owes (the bank's claim owes in its stead). Every row is due a look by the next
sweep, which sets its next day. A plain new table: nothing is rebuilt.

Revision ID: 0048_bridges_out
Revises: 0047_queue_index
Create Date: 2026-12-07 14:00:00

"""
from datetime import date, timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0048_bridges_out'
down_revision = '0047_queue_index'
branch_labels = None
depends_on = None

def upgrade():
    op.create_table(
        "bridges_out",
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("renewal_due_on", sa.Date(), nullable=False),
        sa.Column("renewed", sa.Boolean(), nullable=False),
        sa.Column("renewal_short", sa.Boolean(), nullable=False),
        sa.Column("back_on", sa.Date(), nullable=True),
        sa.Column("principal_out", sa.BigInteger(), nullable=False),
        sa.Column("returns", sa.Integer(), nullable=False),
        sa.Column("shortfall", sa.Boolean(), nullable=False),
        sa.Column("next_look_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_bridges_out_application_id_applications")
        ),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_bridges_out_fund_id_funds")),
        sa.PrimaryKeyConstraint("application_id", name=op.f("pk_bridges_out")),
    )
    op.create_index(op.f("ix_bridges_out_bank_id"), "bridges_out", ["bank_id"], unique=False)
    op.create_index(op.f("ix_bridges_out_enterprise_id"), "bridges_out", ["enterprise_id"], unique=False)
    op.create_index(op.f("ix_bridges_out_next_look_on"), "bridges_out", ["next_look_on"], unique=False)
    op.create_index("ix_bridges_out_fund_due", "bridges_out", ["fund_id", "due_on", "application_id"], unique=False)
    _fill(op.get_bind())


def _fill(bind):
    rows = bind.execute(
        sa.text(
            "SELECT a.id, a.fund_id, a.bank_id, a.enterprise_id, a.state, a.value_date, a.requested_days, "
            "a.renewed_on, a.new_loan_amount, a.committed_amount, a.received_on, a.approved_amount, p.parameters, "
            "(SELECT COUNT(*) FROM receipts r WHERE r.application_id = a.id), "
            "(SELECT COALESCE(SUM(r.principal), 0) FROM receipts r WHERE r.application_id = a.id), "
            "EXISTS (SELECT 1 FROM bank_claims c WHERE c.application_id = a.id) "
            "FROM applications a JOIN policy_versions p ON p.id = a.policy_version_id "
            "WHERE a.state IN ('disbursed', 'recovery', 'renewed') ORDER BY a.id"
        )
    ).all()
    table = sa.table(
        "bridges_out",
        *(sa.column(name) for name in (
            "application_id", "fund_id", "bank_id", "enterprise_id", "state", "value_date", "planned_on", "due_on",
            "renewal_due_on", "renewed", "renewal_short", "back_on", "principal_out", "returns", "shortfall",
            "next_look_on", "version",
        )),
    )
    batch = []
    for (id_, fund_id, bank_id, enterprise_id, state, value_date, days, renewed_on, renewed_amount, committed,
         back_on, approved, parameters, returns, returned, claimed) in rows:
        if isinstance(parameters, str):
            import json

            parameters = json.loads(parameters)
        if isinstance(value_date, str):  # SQLite through a raw query
            value_date = date.fromisoformat(value_date)
        back_on = date.fromisoformat(back_on) if isinstance(back_on, str) else back_on
        batch.append(
            {
                "application_id": id_,
                "fund_id": fund_id,
                "bank_id": bank_id,
                "enterprise_id": enterprise_id,
                "state": state,
                "value_date": value_date,
                "planned_on": value_date + timedelta(days=int(days)),
                "due_on": value_date + timedelta(days=int(parameters["max_days"])),
                "renewal_due_on": value_date + timedelta(days=int(parameters["renewal_sla_days"])),
                "renewed": renewed_on is not None,
                "renewal_short": renewed_on is not None and renewed_amount is not None
                and int(renewed_amount) < int(committed),
                "back_on": back_on,
                "principal_out": 0 if claimed else int(approved) - int(returned),
                "returns": int(returns),
                "shortfall": int(returns) > 0 and not claimed,
                "next_look_on": value_date,
                "version": 1,
            }
        )
        if len(batch) >= 5000:
            op.bulk_insert(table, batch)
            batch = []
    if batch:
        op.bulk_insert(table, batch)


def downgrade():
    op.drop_index("ix_bridges_out_fund_due", table_name="bridges_out")
    op.drop_index(op.f("ix_bridges_out_next_look_on"), table_name="bridges_out")
    op.drop_index(op.f("ix_bridges_out_enterprise_id"), table_name="bridges_out")
    op.drop_index(op.f("ix_bridges_out_bank_id"), table_name="bridges_out")
    op.drop_table("bridges_out")

"""Each fund its own blacklist (issue 27, DESIGN §7): an entry bars applications to its own fund and is an early
warning in the others; one proposal waits per enterprise and fund. Every entry already there is the first fund's.

Revision ID: 0040_fund_blacklists
Revises: 0039_fund_monthly_reports
Create Date: 2026-12-06 23:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0040_fund_blacklists'
down_revision = '0039_fund_monthly_reports'
branch_labels = None
depends_on = None

PROPOSED = sa.text("state = 'proposed'")


def upgrade():
    with op.batch_alter_table("blacklist_entries") as batch_op:
        batch_op.add_column(sa.Column("fund_id", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("blacklist_entries") as batch_op:
        batch_op.alter_column("fund_id", server_default=None, existing_type=sa.Integer(), existing_nullable=False)
        batch_op.create_foreign_key(op.f("fk_blacklist_entries_fund_id_funds"), "funds", ["fund_id"], ["id"])
        batch_op.create_index(op.f("ix_blacklist_entries_fund_id"), ["fund_id"], unique=False)
    op.drop_index("uq_blacklist_entries_one_proposal", table_name="blacklist_entries")
    op.create_index(
        "uq_blacklist_entries_one_proposal", "blacklist_entries", ["fund_id", "credit_code"], unique=True,
        sqlite_where=PROPOSED, postgresql_where=PROPOSED,
    )


def downgrade():
    raise NotImplementedError("each fund's blacklist cannot be put back into one: restore the backup taken before")

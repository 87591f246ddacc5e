"""Each fund its own dissolution (issue 27, DESIGN §7; 第二十六条): a dissolution stops and closes its fund only. Any
already there is the first fund's.

Revision ID: 0042_fund_dissolutions
Revises: 0041_fund_checklists
Create Date: 2026-12-07 00:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0042_fund_dissolutions'
down_revision = '0041_fund_checklists'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("dissolutions") as batch_op:
        batch_op.add_column(sa.Column("fund_id", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("dissolutions") as batch_op:
        batch_op.alter_column("fund_id", server_default=None, existing_type=sa.Integer(), existing_nullable=False)
        batch_op.create_foreign_key(op.f("fk_dissolutions_fund_id_funds"), "funds", ["fund_id"], ["id"])
        batch_op.create_index(op.f("ix_dissolutions_fund_id"), ["fund_id"], unique=False)


def downgrade():
    with op.batch_alter_table("dissolutions") as batch_op:
        batch_op.drop_index(op.f("ix_dissolutions_fund_id"))
        batch_op.drop_constraint(op.f("fk_dissolutions_fund_id_funds"), type_="foreignkey")
        batch_op.drop_column("fund_id")

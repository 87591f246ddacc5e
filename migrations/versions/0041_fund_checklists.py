"""Each fund its own materials checklist (issue 27, DESIGN §7): an item belongs to a fund, its code unique within it.
The checklist already there is the first fund's; every other fund starts from the same default list.

Revision ID: 0041_fund_checklists
Revises: 0040_fund_blacklists
Create Date: 2026-12-07 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0041_fund_checklists'
down_revision = '0040_fund_blacklists'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("material_items") as batch_op:
        batch_op.add_column(sa.Column("fund_id", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("material_items") as batch_op:
        batch_op.alter_column("fund_id", server_default=None, existing_type=sa.Integer(), existing_nullable=False)
        batch_op.create_foreign_key(op.f("fk_material_items_fund_id_funds"), "funds", ["fund_id"], ["id"])
        batch_op.create_index(op.f("ix_material_items_fund_id"), ["fund_id"], unique=False)
        batch_op.drop_constraint(op.f("uq_material_items_code"), type_="unique")
        batch_op.create_unique_constraint(op.f("uq_material_items_fund_code"), ["fund_id", "code"])


def downgrade():
    raise NotImplementedError("each fund's checklist cannot be put back into one: restore the backup taken before")

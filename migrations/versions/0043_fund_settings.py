"""Each fund its own settings (issue 27, DESIGN §7): a setting is named by its fund and its key. Any already there is
the first fund's; so are the audit records written before this revision, which name a setting by its key alone.

Revision ID: 0043_fund_settings
Revises: 0042_fund_dissolutions
Create Date: 2026-12-07 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0043_fund_settings'
down_revision = '0042_fund_dissolutions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("settings") as batch_op:
        batch_op.add_column(sa.Column("fund_id", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("settings") as batch_op:
        batch_op.alter_column("fund_id", server_default=None, existing_type=sa.Integer(), existing_nullable=False)
        batch_op.drop_constraint(op.f("pk_settings"), type_="primary")
        batch_op.create_primary_key(op.f("pk_settings"), ["fund_id", "key"])
        batch_op.create_foreign_key(op.f("fk_settings_fund_id_funds"), "funds", ["fund_id"], ["id"])


def downgrade():
    # another fund's settings cannot be named by a key alone, and removing them would be history without its record
    if op.get_bind().execute(sa.text("SELECT count(*) FROM settings WHERE fund_id <> 1")).scalar():
        raise RuntimeError("settings of a fund other than the first are here: a downgrade would lose them")
    with op.batch_alter_table("settings") as batch_op:
        batch_op.drop_constraint(op.f("fk_settings_fund_id_funds"), type_="foreignkey")
        batch_op.drop_constraint(op.f("pk_settings"), type_="primary")
        batch_op.create_primary_key(op.f("pk_settings"), ["key"])
        batch_op.drop_column("fund_id")

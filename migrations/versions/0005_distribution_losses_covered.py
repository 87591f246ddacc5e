"""R13: a distribution run records the losses written off that its income made good before anything was shared.

Revision ID: 0005_losses_covered
Revises: 0004_receipt_ref
Create Date: 2026-11-29 08:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_losses_covered'
down_revision = '0004_receipt_ref'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (no batch rebuild): SQLite adds a NOT NULL column with a default in place.
    op.add_column('distributions', sa.Column('losses_covered', sa.BigInteger(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('distributions', schema=None) as batch_op:
        batch_op.drop_column('losses_covered')

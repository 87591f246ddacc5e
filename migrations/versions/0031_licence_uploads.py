"""How many times a sign-up's licence was uploaded (issue 25, finding 2): an anonymous sign-up could fill the disk
by uploading again and again; the count bounds it.

Revision ID: 0031_licence_uploads
Revises: 0030_transfer_references
Create Date: 2026-12-06 23:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0031_licence_uploads'
down_revision = '0030_transfer_references'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('sign_ups', sa.Column('licence_uploads', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('sign_ups', schema=None) as batch_op:
        batch_op.drop_column('licence_uploads')

"""One bank transfer is one receipt: (application, transfer reference) is unique on receipts.

A unique index rather than a table constraint, so SQLite needs no table rebuild (receipts carry append-only
triggers that a batch rebuild would drop).

Revision ID: 0004_receipt_ref
Revises: 0003_materials
Create Date: 2026-11-29 07:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004_receipt_ref'
down_revision = '0003_materials'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'uq_receipts_application_transfer_ref', 'receipts', ['application_id', 'transfer_ref'], unique=True
    )


def downgrade():
    op.drop_index('uq_receipts_application_transfer_ref', table_name='receipts')

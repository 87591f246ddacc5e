"""Enterprises by their legal representative (issue 28): the early-warning page finds the enterprises whose
representative has another enterprise on the blacklist (第十三条) from the few listed ones, by this index, instead of
reading every enterprise.

Revision ID: 0054_enterprise_representative
Revises: 0053_bridges_back_and_not
Create Date: 2026-12-08 03:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0054_enterprise_representative'
down_revision = '0053_bridges_back_and_not'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_enterprises_legal_representative", "enterprises", ["legal_representative"])


def downgrade():
    op.drop_index("ix_enterprises_legal_representative", table_name="enterprises")

"""The kind of loan an application renews (issue 24; R16, 第三条): 流动资金贷款 for every application made before, as
the fund served nothing else. ADD COLUMN with a server default; the CHECK on its values exists on PostgreSQL, and on
SQLite as a trigger (adding a CHECK there rebuilds the table and loses its partial unique index).

Revision ID: 0025_loan_type
Revises: 0024_commitment_before_commit
Create Date: 2026-12-06 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025_loan_type'
down_revision = '0024_commitment_before_commit'
branch_labels = None
depends_on = None

KNOWN = "loan_type IN ('working_capital', 'project', 'entrusted', 'trust', 'undiscounted_acceptance')"


def upgrade():
    op.add_column(
        'applications',
        sa.Column('loan_type', sa.String(length=24), server_default='working_capital', nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.create_check_constraint("ck_applications_loan_type_known", "applications", KNOWN)
        return
    for event in ("INSERT", "UPDATE"):
        op.execute(
            f"CREATE TRIGGER applications_loan_type_known_{event.lower()} BEFORE {event} ON applications "
            f"WHEN NOT ({KNOWN.replace('loan_type', 'NEW.loan_type')}) "
            "BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: loan_type_known'); END"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("ck_applications_loan_type_known", "applications", type_="check")
    else:
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER applications_loan_type_known_{event}")
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('loan_type')

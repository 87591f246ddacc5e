"""Three persons at a disbursement (issue 23, DESIGN §2): the operator who approved the amount never authorises its
payment, held by the database as the maker–checker rule is. PostgreSQL takes it as a CHECK constraint; SQLite cannot
add one to a table without rebuilding it (which would lose the partial unique index on open contracts), so there a
trigger refuses the same rows.

Revision ID: 0023_approver_not_checker
Revises: 0022_bank_settled_and_analysis
Create Date: 2026-12-06 11:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0023_approver_not_checker'
down_revision = '0022_bank_settled_and_analysis'
branch_labels = None
depends_on = None

CONDITION = "approved_by_id IS NULL OR authorised_by_id IS NULL OR approved_by_id <> authorised_by_id"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.create_check_constraint("ck_applications_approver_not_checker", "applications", CONDITION)
        return
    for event in ("INSERT", "UPDATE"):
        op.execute(
            f"CREATE TRIGGER applications_approver_not_checker_{event.lower()} BEFORE {event} ON applications "
            f"WHEN NOT ({CONDITION.replace('approved_by_id', 'NEW.approved_by_id').replace('authorised_by_id', 'NEW.authorised_by_id')}) "
            "BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: approver_not_checker'); END"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("ck_applications_approver_not_checker", "applications", type_="check")
        return
    for event in ("insert", "update"):
        op.execute(f"DROP TRIGGER applications_approver_not_checker_{event}")

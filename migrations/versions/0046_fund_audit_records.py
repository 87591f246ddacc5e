"""Each fund its own audit record (issue 27, DESIGN §7): a record is filed under the fund of the row it is about —
the row's own fund, or its application's, bank's or claim's — and none for the platform's rows (enterprises, their
users and the platform's). The chain stays one: the column says where a record is shown, not what it proves (it is
not in the hash). The records already there are filed the same way from the rows as they are now; one about a row
since removed is the first fund's (every installation before 0035 was one fund's).

Revision ID: 0046_fund_audit_records
Revises: 0045_fund_banks
Create Date: 2026-12-07 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0046_fund_audit_records'
down_revision = '0045_fund_banks'
branch_labels = None
depends_on = None

# the audited tables at this revision (services.record.audit.AUDITED), each filed through what it carries
AUDITED = (
    "applications", "application_events", "bank_account_changes", "bank_claim_payments", "bank_claims",
    "bank_liaisons", "banks", "blacklist_entries", "contributions", "contributors", "distributions", "enterprises",
    "green_channel_letters", "group_decisions", "group_meetings", "journal_entries", "journal_legs", "material_items",
    "materials", "monthly_reports", "policy_versions", "receipts", "recovery_records", "rules_documents", "settings",
    "usage_statements", "users",
)
PLATFORMS = ("enterprises", "users")  # rows that may be nobody's fund's


def upgrade():
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    op.add_column("audit_records", sa.Column("fund_id", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_audit_records_fund_id"), "audit_records", ["fund_id"], unique=False)
    if sqlite:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS audit_records_no_{verb}")
    else:
        op.execute("ALTER TABLE audit_records DISABLE TRIGGER audit_records_append_only")
    inspector = sa.inspect(bind)
    for table in AUDITED:
        if table == "settings":
            continue
        columns = {c["name"] for c in inspector.get_columns(table)}
        if "fund_id" in columns:
            source = f"SELECT t.fund_id FROM {table} t WHERE t.id = audit_records.subject_id"
        elif "application_id" in columns:
            source = (f"SELECT a.fund_id FROM {table} t JOIN applications a ON a.id = t.application_id "
                      "WHERE t.id = audit_records.subject_id")
        elif "bank_id" in columns:
            source = (f"SELECT b.fund_id FROM {table} t JOIN banks b ON b.id = t.bank_id "
                      "WHERE t.id = audit_records.subject_id")
        elif "claim_id" in columns:
            source = (f"SELECT a.fund_id FROM {table} t JOIN bank_claims c ON c.id = t.claim_id "
                      "JOIN applications a ON a.id = c.application_id WHERE t.id = audit_records.subject_id")
        else:
            continue  # an enterprise: the platform's
        op.execute(f"UPDATE audit_records SET fund_id = ({source}) WHERE subject = '{table}'")
    # a row since removed: the first fund's, but for the platform's own
    platforms = ", ".join(f"'{t}'" for t in PLATFORMS)
    op.execute(f"UPDATE audit_records SET fund_id = 1 WHERE fund_id IS NULL AND subject NOT IN ({platforms}) "
               "AND subject <> 'settings'")
    records = sa.table("audit_records", sa.column("id", sa.Integer), sa.column("subject", sa.String),
                       sa.column("old", sa.JSON), sa.column("new", sa.JSON), sa.column("fund_id", sa.Integer))
    for row in bind.execute(sa.select(records.c.id, records.c.old, records.c.new).where(records.c.subject == "settings")):
        named = (row.new or row.old or {}).get("fund_id", 1)  # before 0043 a setting was the first fund's
        bind.execute(records.update().where(records.c.id == row.id).values(fund_id=named))
    if sqlite:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_records_no_{verb.lower()} BEFORE {verb} ON audit_records "
                       "BEGIN SELECT RAISE(ABORT, 'audit_records is append-only'); END")
    else:
        op.execute("ALTER TABLE audit_records ENABLE TRIGGER audit_records_append_only")


def downgrade():
    op.drop_index(op.f("ix_audit_records_fund_id"), table_name="audit_records")
    with op.batch_alter_table("audit_records") as batch_op:
        batch_op.drop_column("fund_id")

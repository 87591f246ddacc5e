"""History the database enforces (issue 25, finding 5): the audit chain is signed with a key the database does not
hold (``key_id`` names it), each row's records are found by an index (``verify-audit`` replays them into the row's
last audited image), and on PostgreSQL a protected table refuses at commit any change whose own audit record was not
written in the same transaction.

Revision ID: 0032_history_enforced
Revises: 0031_licence_uploads
Create Date: 2026-12-06 08:00:00

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0032_history_enforced'
down_revision = '0031_licence_uploads'
branch_labels = None
depends_on = None

# kept here, not imported: a migration states the schema as it was (services.record.audit.PROTECTED says the same today)
PROTECTED = (
    "users",
    "settings",
    "banks",
    "bank_liaisons",
    "bank_account_changes",
    "blacklist_entries",
    "policy_versions",
    "receipts",
    "application_events",
    "bank_claims",
    "bank_claim_payments",
    "journal_entries",
    "journal_legs",
)


# the audited tables as they were at this revision (services.record.audit.AUDITED)
AUDITED = (
    "applications", "application_events", "bank_account_changes", "bank_claim_payments", "bank_claims",
    "bank_liaisons", "banks", "blacklist_entries", "contributions", "contributors", "distributions", "enterprises",
    "green_channel_letters", "group_decisions", "group_meetings", "journal_entries", "journal_legs", "material_items",
    "materials", "monthly_reports",
    "policy_versions", "receipts", "recovery_records", "rules_documents", "settings", "usage_statements", "users",
)
BASELINE = "建立基线：迁移 0032 时已在表中而审计记录中没有的行（迁移写入的数据、建链之前的数据）"


def upgrade():
    op.add_column('audit_records', sa.Column('key_id', sa.String(length=16), nullable=True))
    op.create_index('ix_audit_records_row', 'audit_records', ['subject', 'subject_id', 'seq'])
    baseline()
    if op.get_bind().dialect.name != "postgresql":
        return
    # A change to a protected row is taken only with its own audit record, written in the same transaction after the
    # point the application set (loanfund.audit_from, transaction-local). Checked at commit, when the records exist.
    # An UPDATE that changes nothing but updated_at writes no record and needs none.
    op.execute("""
        CREATE OR REPLACE FUNCTION loanfund_recorded() RETURNS trigger AS $$
        DECLARE
            since text := current_setting('loanfund.audit_from', true);
            row_id bigint;
            found boolean;
        BEGIN
            IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - 'updated_at') = (to_jsonb(OLD) - 'updated_at') THEN
                RETURN NULL;
            END IF;
            row_id := ((CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END) ->> 'id')::bigint;
            IF since IS NULL OR since = '' THEN
                found := false;
            ELSIF row_id IS NULL THEN  -- a setting, named by its key: a record of its table in this transaction
                found := EXISTS (SELECT 1 FROM audit_records
                                  WHERE subject = TG_TABLE_NAME AND subject_id IS NULL AND seq > since::bigint);
            ELSE
                found := EXISTS (SELECT 1 FROM audit_records
                                  WHERE subject = TG_TABLE_NAME AND subject_id = row_id AND seq > since::bigint);
            END IF;
            IF NOT found THEN
                RAISE EXCEPTION '% of %.id=% has no audit record: change it through LoanFund', TG_OP, TG_TABLE_NAME,
                    row_id USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NULL;
        END $$ LANGUAGE plpgsql
    """)
    for table in PROTECTED:
        op.execute(f"CREATE CONSTRAINT TRIGGER {table}_recorded AFTER INSERT OR UPDATE OR DELETE ON {table} "
                   "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION loanfund_recorded()")


def baseline():
    """A signed ``insert`` record, as the system's, for every row the audit record does not know yet — the rows the
    migrations wrote (the materials checklist, the first policy version) and, on a fund upgraded from before the
    chain (0018), everything older — so that from here every row has an audited image to be compared with. Tables
    are read as they are at this revision (reflected, not through today's models)."""
    from loanfund.services.record.audit import GENESIS, chain, key_id, keys, value_of

    bind = op.get_bind()
    meta = sa.MetaData()
    records = sa.Table("audit_records", meta, autoload_with=bind)
    head = sa.Table("audit_head", meta, autoload_with=bind)
    found = bind.execute(sa.select(head.c.seq, head.c.hash).where(head.c.id == 1)).first()
    seq, prev = (int(found.seq), str(found.hash)) if found else (0, GENESIS)
    key, _known = keys()
    signer = key_id(key)
    at = datetime.now(UTC)
    for name in AUDITED:
        table = sa.Table(name, meta, autoload_with=bind)
        named = "id" in table.c
        if named:
            known = set(bind.execute(sa.select(records.c.subject_id).where(records.c.subject == name)).scalars())
        else:
            known = {
                (row or {}).get("key")
                for row in bind.execute(sa.select(records.c.new).where(records.c.subject == name)).scalars()
            }
        ordered = table.c.id if named else table.c.key
        written = []
        for row in bind.execute(sa.select(table).order_by(ordered)).mappings():
            if (row["id"] if named else row["key"]) in known:
                continue
            seq += 1
            record = {
                "seq": seq, "at": at.isoformat(), "actor_id": None, "actor_role": "system", "action": "insert",
                "subject": name, "subject_id": row["id"] if named else None, "old": None,
                "new": {column: value_of(column, _utc(value)) for column, value in row.items()}, "note": BASELINE,
            }
            digest = chain(prev, record, key)
            written.append(record | {"at": at, "prev_hash": prev, "hash": digest, "key_id": signer})
            prev = digest
        if written:
            bind.execute(records.insert(), written)
    if found is None:
        bind.execute(head.insert().values(id=1, seq=seq, hash=prev))
    else:
        bind.execute(head.update().where(head.c.id == 1).values(seq=seq, hash=prev))


def _utc(value):
    """A time as the application stores it: UTC, with its zone (SQLite gives it back without one)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in PROTECTED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_recorded ON {table}")
        op.execute("DROP FUNCTION IF EXISTS loanfund_recorded()")
    op.drop_index('ix_audit_records_row', table_name='audit_records')
    with op.batch_alter_table('audit_records', schema=None) as batch_op:
        batch_op.drop_column('key_id')

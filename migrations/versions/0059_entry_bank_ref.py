"""A bank reference on every journal entry that moves the special account's money (issue 29): the bank statement is
matched against the books entry by entry. Filled here from the five rows that kept the reference until now — an
application's 划款凭证号 for its disbursement, a receipt's for a return, a contribution's, a bank's claim payment's
and money recovered after a write-off; a contribution recorded without one stays NULL (distribution payments and
dissolutions never had one). The journal is append-only and every change to it has its audit record: both guards are set aside for
this one UPDATE and put back.

Revision ID: 0059_entry_bank_ref
Revises: 0058_closed_days
Create Date: 2026-12-09 07:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0059_entry_bank_ref'
down_revision = '0058_closed_days'
branch_labels = None
depends_on = None

# the entry's key prefix, and where its reference was kept
SOURCES = (
    ("disbursement:", "applications", "disbursement_ref"),
    ("return:", "receipts", "transfer_ref"),
    ("contribution:", "contributions", "NULLIF(TRIM(reference), '')"),
    ("bank_claim_payment:", "bank_claim_payments", "transfer_ref"),
    ("recovered:", "recovery_records", "transfer_ref"),
)
SQLITE_GUARD = (
    "CREATE TRIGGER journal_entries_no_update BEFORE UPDATE ON journal_entries "
    "BEGIN SELECT RAISE(ABORT, 'journal_entries is append-only'); END"
)


def upgrade():
    op.add_column("journal_entries", sa.Column("bank_ref", sa.String(length=64), nullable=True))
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:  # the append-only guard, and the audit record every change must have (0032): a migration's own
        op.execute("ALTER TABLE journal_entries DISABLE TRIGGER journal_entries_append_only")
        op.execute("ALTER TABLE journal_entries DISABLE TRIGGER journal_entries_recorded")
    else:
        op.execute("DROP TRIGGER journal_entries_no_update")
    for prefix, table, column in SOURCES:
        if postgresql:  # joined on the key as text: no cast of a key that is not this kind's
            op.execute(
                f"UPDATE journal_entries e SET bank_ref = {column} FROM {table} s "
                f"WHERE e.key = '{prefix}' || s.id"
            )
        else:  # each entry finds its row by the id in its key (the primary key)
            op.execute(
                f"UPDATE journal_entries SET bank_ref = (SELECT {column} FROM {table} s "
                f"WHERE s.id = CAST(substr(journal_entries.key, {len(prefix) + 1}) AS INTEGER)) "
                f"WHERE substr(key, 1, {len(prefix)}) = '{prefix}'"
            )
    if postgresql:
        op.execute("ALTER TABLE journal_entries ENABLE TRIGGER journal_entries_append_only")
        op.execute("ALTER TABLE journal_entries ENABLE TRIGGER journal_entries_recorded")
    else:
        op.execute(SQLITE_GUARD)
    op.create_index("ix_journal_entries_fund_bank_ref", "journal_entries", ["fund_id", "bank_ref"])


def downgrade():
    op.drop_index("ix_journal_entries_fund_bank_ref", table_name="journal_entries")
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.drop_column("journal_entries", "bank_ref")
    else:  # a column dropped in place (SQLite 3.35+): no table rebuild, so the append-only triggers stay
        op.execute("ALTER TABLE journal_entries DROP COLUMN bank_ref")

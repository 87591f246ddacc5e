"""Each fund's own books (issue 27, DESIGN §7): the position, accounts, journal entries and legs, running totals,
reconciliation runs, contributors, contributions and distributions carry their fund, and the database refuses an
entry that mixes two funds — a leg on another fund's account or entry, an entry for another fund's application, a
contribution from another fund's contributor. Everything already there is the first fund's (0035).

On SQLite the tables are rebuilt (env.py turns foreign keys off around the migration); the journal's append-only
triggers go with its tables and are put back.

Revision ID: 0036_fund_books
Revises: 0035_funds
Create Date: 2026-12-06 20:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0036_fund_books"
down_revision = "0035_funds"
branch_labels = None
depends_on = None

TABLES = (
    "fund_balance",
    "ledger_totals",
    "reconciliation_runs",
    "ledger_accounts",
    "journal_entries",
    "journal_legs",
    "contributors",
    "contributions",
    "distributions",
)
INDEXED = ("reconciliation_runs", "journal_entries", "contributors", "contributions", "distributions")
APPEND_ONLY = ("journal_entries", "journal_legs")


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_index(op.f("uq_applications_of_its_fund"), "applications", ["id", "fund_id"], unique=True)
    for table in TABLES:  # the first fund's, all of it; then no default: a row names its fund
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("fund_id", sa.Integer(), server_default="1", nullable=False))
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column("fund_id", server_default=None, existing_type=sa.Integer(), existing_nullable=False)
            batch_op.create_foreign_key(op.f(f"fk_{table}_fund_id_funds"), "funds", ["fund_id"], ["id"])
            if table in INDEXED:
                batch_op.create_index(op.f(f"ix_{table}_fund_id"), ["fund_id"], unique=False)

    with op.batch_alter_table("fund_balance") as batch_op:
        batch_op.drop_constraint(op.f("ck_fund_balance_single_row"), type_="check")
        batch_op.create_unique_constraint(op.f("uq_fund_balance_fund_id"), ["fund_id"])
    with op.batch_alter_table("ledger_totals") as batch_op:
        batch_op.drop_constraint(op.f("pk_ledger_totals"), type_="primary")
        batch_op.create_primary_key(op.f("pk_ledger_totals"), ["fund_id", "line"])
    with op.batch_alter_table("ledger_accounts") as batch_op:
        batch_op.drop_constraint(op.f("uq_ledger_accounts_code"), type_="unique")
        batch_op.create_unique_constraint(op.f("uq_ledger_accounts_fund_code"), ["fund_id", "code"])
        batch_op.create_unique_constraint(op.f("uq_ledger_accounts_of_its_fund"), ["id", "fund_id"])
    with op.batch_alter_table("journal_entries") as batch_op:
        batch_op.drop_constraint(op.f("uq_journal_entries_key"), type_="unique")
        batch_op.create_unique_constraint(op.f("uq_journal_entries_fund_key"), ["fund_id", "key"])
        batch_op.create_unique_constraint(op.f("uq_journal_entries_of_its_fund"), ["id", "fund_id"])
        batch_op.create_foreign_key(
            op.f("fk_journal_entries_application_of_its_fund"),
            "applications",
            ["application_id", "fund_id"],
            ["id", "fund_id"],
        )
    with op.batch_alter_table("journal_legs") as batch_op:
        batch_op.create_foreign_key(
            op.f("fk_journal_legs_entry_of_its_fund"), "journal_entries", ["entry_id", "fund_id"], ["id", "fund_id"]
        )
        batch_op.create_foreign_key(
            op.f("fk_journal_legs_account_of_its_fund"), "ledger_accounts", ["account_id", "fund_id"], ["id", "fund_id"]
        )
    with op.batch_alter_table("contributors") as batch_op:
        batch_op.drop_constraint(op.f("uq_contributors_name"), type_="unique")
        batch_op.create_unique_constraint(op.f("uq_contributors_fund_name"), ["fund_id", "name"])
        batch_op.create_unique_constraint(op.f("uq_contributors_of_its_fund"), ["id", "fund_id"])
    with op.batch_alter_table("contributions") as batch_op:
        batch_op.create_foreign_key(
            op.f("fk_contributions_contributor_of_its_fund"),
            "contributors",
            ["contributor_id", "fund_id"],
            ["id", "fund_id"],
        )
    with op.batch_alter_table("distributions") as batch_op:
        batch_op.create_foreign_key(
            op.f("fk_distributions_entry_of_its_fund"),
            "journal_entries",
            ["journal_entry_id", "fund_id"],
            ["id", "fund_id"],
        )
    if sqlite:  # the rebuilt journal tables lost their append-only triggers (0002)
        for table in APPEND_ONLY:
            for verb in ("UPDATE", "DELETE"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb.lower()}")
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                )


def downgrade():
    raise NotImplementedError("each fund's books cannot be put back into one: restore the backup taken before")

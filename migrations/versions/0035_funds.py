"""Funds are data (issue 27, DESIGN §7): the platform's districts, the funds, and the fund of each policy version,
application and staff user. A database made before this revision held one fund — Lianyungang's, the only
installation there was — so it becomes that fund, holding everything; enterprises' districts become the list's.

On SQLite, ``policy_versions`` and ``enterprises`` are rebuilt (a unique constraint and a CHECK cannot be dropped
otherwise; env.py turns foreign keys off around the migration, as SQLite's own procedure says); ``applications`` and
``users`` keep their triggers and partial indexes by not being rebuilt, so there a trigger holds what PostgreSQL's
constraints hold.

Revision ID: 0035_funds
Revises: 0034_audit_pack_runs
Create Date: 2026-12-06 19:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0035_funds"
down_revision = "0034_audit_pack_runs"
branch_labels = None
depends_on = None

FUND_SCOPE = "(role = 'enterprise') = (fund_id IS NULL)"


def upgrade():
    from loanfund.services.lianyungang import FUND, district_rows

    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    districts = op.create_table(
        "districts",
        sa.Column("key", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("within_code", sa.String(length=6), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("key <> '' AND name <> ''", name=op.f("ck_districts_named")),
        sa.CheckConstraint(
            "region_code IS NULL OR length(region_code) = 6", name=op.f("ck_districts_region_code_length")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_districts")),
        sa.UniqueConstraint("name", name=op.f("uq_districts_name")),
        sa.UniqueConstraint("region_code", name=op.f("uq_districts_region_code")),
    )
    funds = op.create_table(
        "funds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("short_name", sa.String(length=40), nullable=False),
        sa.Column("region_name", sa.String(length=40), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("regulation", sa.String(length=200), nullable=False),
        sa.Column("regulation_number", sa.String(length=60), nullable=False),
        sa.Column("authority", sa.String(length=100), nullable=False),
        sa.Column("group_office", sa.String(length=100), nullable=False),
        sa.Column("reviewing_body", sa.String(length=100), nullable=False),
        sa.Column("operating_body", sa.String(length=100), nullable=False),
        sa.Column("account_bank", sa.String(length=100), nullable=False),
        sa.Column("account_name", sa.String(length=100), nullable=False),
        sa.Column("account_no", sa.String(length=40), nullable=False),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("code <> '' AND name <> '' AND short_name <> ''", name=op.f("ck_funds_named")),
        sa.CheckConstraint("length(region_code) BETWEEN 2 AND 6", name=op.f("ck_funds_region_code_length")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funds")),
        sa.UniqueConstraint("code", name=op.f("uq_funds_code")),
        sa.UniqueConstraint("name", name=op.f("uq_funds_name")),
    )
    fund_districts = op.create_table(
        "fund_districts",
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("district_key", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_key"], ["districts.key"], name=op.f("fk_fund_districts_district_key_districts")
        ),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_fund_districts_fund_id_funds")),
        sa.PrimaryKeyConstraint("fund_id", "district_key", name=op.f("pk_fund_districts")),
    )
    rows = district_rows()
    op.bulk_insert(districts, rows)
    op.bulk_insert(funds, [_fund_row(FUND)])
    op.bulk_insert(fund_districts, [{"fund_id": 1, "district_key": row["key"]} for row in rows])
    if postgres:
        op.execute("SELECT setval(pg_get_serial_sequence('funds', 'id'), 1)")

    # enterprises: a district of the platform's list (the CHECK of ten keys becomes a foreign key)
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_enterprises_district_known"), type_="check")
        batch_op.create_foreign_key(batch_op.f("fk_enterprises_district_districts"), "districts", ["district"], ["key"])

    # policy versions: each fund's own, a name and a day once per fund
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fund_id", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.alter_column("fund_id", server_default=None)
        batch_op.drop_constraint(op.f("uq_policy_versions_name"), type_="unique")
        batch_op.drop_constraint(op.f("uq_policy_versions_effective_from"), type_="unique")
        batch_op.create_unique_constraint(op.f("uq_policy_versions_one_name_a_fund"), ["fund_id", "name"])
        batch_op.create_unique_constraint(op.f("uq_policy_versions_one_version_a_day"), ["fund_id", "effective_from"])
        batch_op.create_unique_constraint(op.f("uq_policy_versions_of_its_fund"), ["id", "fund_id"])
        batch_op.create_index(batch_op.f("ix_policy_versions_fund_id"), ["fund_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_policy_versions_fund_id_funds"), "funds", ["fund_id"], ["id"])

    # applications and users: added to, not rebuilt (SQLite's triggers and partial indexes stay)
    for table in ("applications", "users"):
        if postgres:
            op.add_column(
                table,
                sa.Column("fund_id", sa.Integer(), sa.ForeignKey("funds.id", name=f"fk_{table}_fund_id_funds")),
            )
        else:  # SQLite adds a column's foreign key only written inline (and only with no default)
            op.execute(f"ALTER TABLE {table} ADD COLUMN fund_id INTEGER REFERENCES funds (id)")
    op.create_index(op.f("ix_applications_fund_id"), "applications", ["fund_id"], unique=False)
    op.create_index(op.f("ix_users_fund_id"), "users", ["fund_id"], unique=False)
    op.execute("UPDATE applications SET fund_id = 1")
    # users is a protected table (0032): its trigger asks each change for an audit record. The column is new, older
    # images do not have it and verify-audit does not compare it; the change is the migration's, as this note says.
    if postgres:
        op.execute("ALTER TABLE users DISABLE TRIGGER users_recorded")
    op.execute("UPDATE users SET fund_id = 1 WHERE role <> 'enterprise'")
    if postgres:
        op.execute("ALTER TABLE users ENABLE TRIGGER users_recorded")
        op.alter_column("applications", "fund_id", nullable=False)
        op.create_foreign_key(
            "fk_applications_policy_of_its_fund",
            "applications",
            "policy_versions",
            ["policy_version_id", "fund_id"],
            ["id", "fund_id"],
        )
        op.create_check_constraint(op.f("ck_users_fund_scope"), "users", FUND_SCOPE)
        return
    for event in ("INSERT", "UPDATE"):
        op.execute(
            f"CREATE TRIGGER applications_fund_{event.lower()} BEFORE {event} ON applications "
            "WHEN NEW.fund_id IS NULL OR (NEW.policy_version_id IS NOT NULL AND NOT EXISTS ("
            "SELECT 1 FROM policy_versions p WHERE p.id = NEW.policy_version_id AND p.fund_id = NEW.fund_id)) "
            "BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: policy_of_its_fund'); END"
        )
        op.execute(
            f"CREATE TRIGGER users_fund_scope_{event.lower()} BEFORE {event} ON users "
            f"WHEN NOT ({FUND_SCOPE.replace('role', 'NEW.role').replace('fund_id', 'NEW.fund_id')}) "
            "BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: fund_scope'); END"
        )


def _fund_row(fund):
    from datetime import UTC, datetime

    return dict(fund, id=1, created_at=datetime.now(UTC))


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.drop_constraint(op.f("ck_users_fund_scope"), "users", type_="check")
        op.drop_constraint("fk_applications_policy_of_its_fund", "applications", type_="foreignkey")
    else:
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER applications_fund_{event}")
            op.execute(f"DROP TRIGGER users_fund_scope_{event}")
    op.drop_index(op.f("ix_users_fund_id"), table_name="users")
    op.drop_index(op.f("ix_applications_fund_id"), table_name="applications")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_users_fund_id_funds"), type_="foreignkey")
        batch_op.drop_column("fund_id")
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_applications_fund_id_funds"), type_="foreignkey")
        batch_op.drop_column("fund_id")
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_policy_versions_fund_id_funds"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_policy_versions_fund_id"))
        batch_op.drop_constraint(op.f("uq_policy_versions_of_its_fund"), type_="unique")
        batch_op.drop_constraint(op.f("uq_policy_versions_one_version_a_day"), type_="unique")
        batch_op.drop_constraint(op.f("uq_policy_versions_one_name_a_fund"), type_="unique")
        batch_op.create_unique_constraint(op.f("uq_policy_versions_effective_from"), ["effective_from"])
        batch_op.create_unique_constraint(op.f("uq_policy_versions_name"), ["name"])
        batch_op.drop_column("fund_id")
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_enterprises_district_districts"), type_="foreignkey")
    op.drop_table("fund_districts")
    op.drop_table("funds")
    op.drop_table("districts")

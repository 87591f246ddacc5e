"""The platform's credit check at acceptance, structured (issue 24; 第八、十五条): the 征信 report's date and the
reviewer's findings on the application (the conclusion stays in credit_check_note), CHECKs on their values (on
SQLite as triggers: applications has a partial unique index a rebuild would lose); the checklist's providers gain
the reviewer, who files the 征信 report, and the checklist gains that report, required before acceptance.

Revision ID: 0027_credit_check
Revises: 0026_bank_liaisons
Create Date: 2026-12-06 20:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027_credit_check'
down_revision = '0026_bank_liaisons'
branch_labels = None
depends_on = None

KNOWN = {
    "credit_adverse": ("none", "resolved", "current"),
    "credit_industry": ("fits", "outside"),
    "credit_operating": ("good", "poor"),
}
PROVIDERS_BEFORE = "provided_by IN ('enterprise', 'bank', 'operator', 'any')"
PROVIDERS_AFTER = "provided_by IN ('enterprise', 'bank', 'reviewer', 'operator', 'any')"


def _condition(column, prefix=""):
    values = ", ".join(f"'{v}'" for v in KNOWN[column])
    return f"{prefix}{column} IS NULL OR {prefix}{column} IN ({values})"


def _providers(condition):
    with op.batch_alter_table('material_items', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_material_items_provider_known'), type_='check')
        batch_op.create_check_constraint('provider_known', condition)


def upgrade():
    op.add_column('applications', sa.Column('credit_report_date', sa.Date(), nullable=True))
    for column in KNOWN:
        op.add_column('applications', sa.Column(column, sa.String(length=10), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        for column in KNOWN:
            op.create_check_constraint(f"ck_applications_{column}_known", "applications", _condition(column))
    else:
        for column in KNOWN:
            for event in ("INSERT", "UPDATE"):
                op.execute(
                    f"CREATE TRIGGER applications_{column}_known_{event.lower()} BEFORE {event} ON applications "
                    f"WHEN NOT ({_condition(column, 'NEW.')}) "
                    f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {column}_known'); END"
                )
    _providers(PROVIDERS_AFTER)
    items = sa.table(
        "material_items",
        sa.column("code", sa.String),
        sa.column("label", sa.String),
        sa.column("provided_by", sa.String),
        sa.column("needed_for", sa.String),
        sa.column("required", sa.Boolean),
        sa.column("active", sa.Boolean),
        sa.column("position", sa.Integer),
    )
    taken = op.get_bind().execute(sa.text("SELECT 1 FROM material_items WHERE code = 'credit_report'")).first()
    if taken is None:
        last = op.get_bind().execute(sa.text("SELECT COALESCE(MAX(position), 0) FROM material_items")).scalar()
        op.bulk_insert(
            items,
            [
                dict(
                    code="credit_report",
                    label="企业征信报告",
                    provided_by="reviewer",
                    needed_for="accept",
                    required=True,
                    active=True,
                    position=last + 1,
                )
            ],
        )


def downgrade():
    op.execute("DELETE FROM material_items WHERE code = 'credit_report' AND provided_by = 'reviewer'")
    op.execute("UPDATE material_items SET provided_by = 'operator' WHERE provided_by = 'reviewer'")
    _providers(PROVIDERS_BEFORE)
    if op.get_bind().dialect.name == "postgresql":
        for column in KNOWN:
            op.drop_constraint(f"ck_applications_{column}_known", "applications", type_="check")
    else:
        for column in KNOWN:
            for event in ("insert", "update"):
                op.execute(f"DROP TRIGGER applications_{column}_known_{event}")
    with op.batch_alter_table('applications', schema=None) as batch_op:
        for column in ("credit_report_date", *KNOWN):
            batch_op.drop_column(column)

"""What is filed with the leading group office: monthly analyses as submitted (each revision kept) and usage
statements frozen at archiving. Both are history, refused UPDATE and DELETE by the database like the events; the
recovery file (0011) gets the same guard.

Revision ID: 0012_filed_reports
Revises: 0011_recovery_records
Create Date: 2026-11-29 12:33:23.411918

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_filed_reports'
down_revision = '0011_recovery_records'
branch_labels = None
depends_on = None

HISTORY_TABLES = ("monthly_reports", "usage_statements", "recovery_records")


def guard(tables):
    """As 0002 does for the events and the journal: UPDATE and DELETE are refused by the database."""
    if op.get_bind().dialect.name == "postgresql":
        for table in tables:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION loanfund_refuse_change()")
    else:
        for table in tables:
            for verb in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def unguard(tables):
    for table in tables:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        else:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")


def upgrade():
    op.create_table('monthly_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('revision >= 1', name=op.f('ck_monthly_reports_revision_positive')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_monthly_reports_submitted_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_reports')),
    sa.UniqueConstraint('month', 'revision', name='uq_monthly_reports_month_revision')
    )
    with op.batch_alter_table('monthly_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monthly_reports_month'), ['month'], unique=False)

    op.create_table('usage_statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('filed_with', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_usage_statements_application_id_applications')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_usage_statements_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_usage_statements')),
    sa.UniqueConstraint('application_id', name=op.f('uq_usage_statements_application_id'))
    )
    guard(HISTORY_TABLES)


def downgrade():
    unguard(HISTORY_TABLES)
    op.drop_table('usage_statements')
    with op.batch_alter_table('monthly_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monthly_reports_month'))

    op.drop_table('monthly_reports')

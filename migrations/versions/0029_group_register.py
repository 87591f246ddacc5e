"""The leading group's register (issue 24; 第四、二十条): its meetings with their minutes, its decisions — each
pointing at what it decided (an application, a blacklist entry, a monthly report heard, a rules document filed, the
fund's dissolution) — and the platform's 管理制度 by version and filing date. Append-only, as the other filed records
(0012). And the fund's dissolution (第二十六条): proposed, decided by the group, approved by the government, closed.

Revision ID: 0029_group_register
Revises: 0028_green_channel
Create Date: 2026-12-06 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029_group_register'
down_revision = '0028_green_channel'
branch_labels = None
depends_on = None

TABLES = ("group_meetings", "rules_documents", "group_decisions")


def _file_columns():
    return [
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=64), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
    ]


def upgrade():
    op.create_table('group_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('attendees', sa.Text(), nullable=False),
    sa.Column('minutes_ref', sa.String(length=64), nullable=False),
    *_file_columns(),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_group_meetings_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_meetings')),
    sa.UniqueConstraint('minutes_ref', name=op.f('uq_group_meetings_minutes_ref'))
    )
    op.create_index(op.f('ix_group_meetings_held_on'), 'group_meetings', ['held_on'], unique=False)
    op.create_table('rules_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    *_file_columns(),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('version >= 1', name=op.f('ck_rules_documents_version_positive')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_rules_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rules_documents')),
    sa.UniqueConstraint('title', 'version', name='uq_rules_documents_title_version')
    )
    op.create_index(op.f('ix_rules_documents_title'), 'rules_documents', ['title'], unique=False)
    op.create_table('dissolutions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approval_ref', sa.String(length=64), nullable=True),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('approval_recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('journal_entry_id', sa.Integer(), nullable=True),
    sa.Column('shares', sa.JSON(), nullable=True),
    sa.CheckConstraint("state IN ('proposed', 'decided', 'rejected', 'approved', 'closed')", name=op.f('ck_dissolutions_state_known')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_dissolutions_proposed_by_id_users')),
    sa.ForeignKeyConstraint(['approval_recorded_by_id'], ['users.id'], name=op.f('fk_dissolutions_approval_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_dissolutions_closed_by_id_users')),
    sa.ForeignKeyConstraint(['journal_entry_id'], ['journal_entries.id'], name=op.f('fk_dissolutions_journal_entry_id_journal_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dissolutions')),
    sa.UniqueConstraint('journal_entry_id', name=op.f('uq_dissolutions_journal_entry_id'))
    )
    op.create_table('group_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('minutes_ref', sa.String(length=64), server_default='', nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('outcome', sa.String(length=40), nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('blacklist_entry_id', sa.Integer(), nullable=True),
    sa.Column('monthly_report_id', sa.Integer(), nullable=True),
    sa.Column('rules_document_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dissolution_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('application', 'blacklist', 'report', 'rules', 'dissolution', 'other')", name=op.f('ck_group_decisions_kind_known')),
    sa.ForeignKeyConstraint(['dissolution_id'], ['dissolutions.id'], name=op.f('fk_group_decisions_dissolution_id_dissolutions')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_group_decisions_application_id_applications')),
    sa.ForeignKeyConstraint(['blacklist_entry_id'], ['blacklist_entries.id'], name=op.f('fk_group_decisions_blacklist_entry_id_blacklist_entries')),
    sa.ForeignKeyConstraint(['monthly_report_id'], ['monthly_reports.id'], name=op.f('fk_group_decisions_monthly_report_id_monthly_reports')),
    sa.ForeignKeyConstraint(['rules_document_id'], ['rules_documents.id'], name=op.f('fk_group_decisions_rules_document_id_rules_documents')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_group_decisions_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_decisions'))
    )
    for column in ('decided_on', 'minutes_ref', 'application_id', 'blacklist_entry_id', 'monthly_report_id',
                   'rules_document_id', 'dissolution_id'):
        op.create_index(op.f(f'ix_group_decisions_{column}'), 'group_decisions', [column], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION loanfund_refuse_change()")
    else:
        for table in TABLES:
            for verb in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def downgrade():
    for table in reversed(TABLES):
        op.drop_table(table)
    op.drop_table('dissolutions')

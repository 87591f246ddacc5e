"""The green channel (issue 24; 第二十七条): an application says which land or house mortgage its renewal involves
(none for every application before), and the platform's numbered letters to the land and housing departments — one
per application, numbered within the year, append-only like the other filed documents (0012).

Revision ID: 0028_green_channel
Revises: 0027_credit_check
Create Date: 2026-12-06 21:00:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0028_green_channel'
down_revision = '0027_credit_check'
branch_labels = None
depends_on = None

KNOWN = "mortgage IN ('none', 'land', 'house', 'both')"


def upgrade():
    op.add_column('applications', sa.Column('mortgage', sa.String(length=8), server_default='none', nullable=False))
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.create_check_constraint("ck_applications_mortgage_known", "applications", KNOWN)
    else:
        for event in ("INSERT", "UPDATE"):
            op.execute(
                f"CREATE TRIGGER applications_mortgage_known_{event.lower()} BEFORE {event} ON applications "
                f"WHEN NOT ({KNOWN.replace('mortgage', 'NEW.mortgage')}) "
                "BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: mortgage_known'); END"
            )
    op.create_table('green_channel_letters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('mortgage', sa.String(length=8), nullable=False),
    sa.Column('departments', sa.Text(), nullable=False),
    sa.Column('enterprise_name', sa.String(length=100), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=False),
    sa.Column('bank_name', sa.String(length=100), nullable=False),
    sa.Column('loan_contract_no', sa.String(length=64), nullable=False),
    sa.Column('loan_amount_due', sa.BigInteger(), nullable=False),
    sa.Column('fund_name', sa.String(length=100), nullable=False),
    sa.Column('regulation', sa.String(length=100), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("mortgage IN ('land', 'house', 'both')", name=op.f('ck_green_channel_letters_mortgage_named')),
    sa.CheckConstraint('seq >= 1', name=op.f('ck_green_channel_letters_seq_positive')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_green_channel_letters_application_id_applications')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_green_channel_letters_issued_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_green_channel_letters')),
    sa.UniqueConstraint('application_id', name=op.f('uq_green_channel_letters_application_id')),
    sa.UniqueConstraint('year', 'seq', name='uq_green_channel_letters_year_seq')
    )
    if postgres:
        op.execute("CREATE TRIGGER green_channel_letters_append_only BEFORE UPDATE OR DELETE ON green_channel_letters "
                   "FOR EACH ROW EXECUTE FUNCTION loanfund_refuse_change()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER green_channel_letters_no_{verb.lower()} BEFORE {verb} ON green_channel_letters "
                       "BEGIN SELECT RAISE(ABORT, 'green_channel_letters is append-only'); END")


def downgrade():
    op.drop_table('green_channel_letters')
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("ck_applications_mortgage_known", "applications", type_="check")
    else:
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER applications_mortgage_known_{event}")
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('mortgage')

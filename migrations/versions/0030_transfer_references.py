"""A bank transfer is booked once per bank (issue 25): the references of every return, claim payment and money
recovered, unique by (bank, reference) — one transfer could settle two bridges of the same bank. Filled from what is
booked already (the first booking of a reference keeps it); append-only like the books.

Revision ID: 0030_transfer_references
Revises: 0029_group_register
Create Date: 2026-12-06 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0030_transfer_references'
down_revision = '0029_group_register'
branch_labels = None
depends_on = None

BOOKED = """
SELECT a.bank_id, r.transfer_ref, 'return', r.application_id, r.received_on, r.created_at, 1, r.id
  FROM receipts r JOIN applications a ON a.id = r.application_id
UNION ALL
SELECT c.bank_id, p.transfer_ref, 'claim_payment', c.application_id, p.paid_on, p.created_at, 2, p.id
  FROM bank_claim_payments p JOIN bank_claims c ON c.id = p.claim_id
UNION ALL
SELECT a.bank_id, m.transfer_ref, 'recovery', m.application_id, m.taken_on, m.created_at, 3, m.id
  FROM recovery_records m JOIN applications a ON a.id = m.application_id
 WHERE m.transfer_ref IS NOT NULL AND m.amount > 0 AND a.state = 'written_off'
ORDER BY 5, 7, 8
"""


def upgrade():
    op.create_table('transfer_references',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('transfer_ref', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('booked_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('return', 'claim_payment', 'recovery')", name=op.f('ck_transfer_references_kind_known')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_transfer_references_application_id_applications')),
    sa.ForeignKeyConstraint(['bank_id'], ['banks.id'], name=op.f('fk_transfer_references_bank_id_banks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_references')),
    sa.UniqueConstraint('bank_id', 'transfer_ref', name='uq_transfer_references_bank_ref')
    )
    op.create_index(op.f('ix_transfer_references_application_id'), 'transfer_references', ['application_id'], unique=False)
    # what is booked already, oldest first: the first booking of a reference keeps it (a fund's returns are few)
    bind = op.get_bind()
    table = sa.table(
        'transfer_references',
        sa.column('bank_id', sa.Integer), sa.column('transfer_ref', sa.String), sa.column('kind', sa.String),
        sa.column('application_id', sa.Integer), sa.column('booked_on', sa.Date), sa.column('created_at', sa.DateTime),
    )
    seen = set()
    for bank_id, ref, kind, application_id, booked_on, created_at, _, _ in bind.execute(sa.text(BOOKED)).all():
        if (bank_id, ref) in seen:
            continue
        seen.add((bank_id, ref))
        bind.execute(table.insert().values(
            bank_id=bank_id, transfer_ref=ref, kind=kind, application_id=application_id, booked_on=booked_on,
            created_at=created_at,
        ))
    if bind.dialect.name == "postgresql":
        op.execute("CREATE TRIGGER transfer_references_append_only BEFORE UPDATE OR DELETE ON transfer_references "
                   "FOR EACH ROW EXECUTE FUNCTION loanfund_refuse_change()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER transfer_references_no_{verb.lower()} BEFORE {verb} ON transfer_references "
                       "BEGIN SELECT RAISE(ABORT, 'transfer_references is append-only'); END")


def downgrade():
    op.drop_index(op.f('ix_transfer_references_application_id'), table_name='transfer_references')
    op.drop_table('transfer_references')

"""SMS for the notices that matter (issue 30): each user's mobile number and whether SMS is wanted, and the SMS
outbox beside the e-mail one — each delivery and each attempt.

Revision ID: 0063_sms
Revises: 0062_password_resets
Create Date: 2026-12-07 12:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0063_sms'
down_revision = '0062_password_resets'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("mobile", sa.String(length=20), nullable=True))
    op.add_column("users", sa.Column("sms_notices", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "sms_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("to_number", sa.String(length=20), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("state IN ('queued', 'sent', 'failed')", name=op.f("ck_sms_deliveries_state_known")),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_sms_deliveries_message_id_messages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_deliveries")),
        sa.UniqueConstraint("message_id", name=op.f("uq_sms_deliveries_message_id")),
    )
    op.create_index(op.f("ix_sms_deliveries_state"), "sms_deliveries", ["state"], unique=False)
    op.create_table(
        "sms_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"], ["sms_deliveries.id"], name=op.f("fk_sms_attempts_delivery_id_sms_deliveries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_attempts")),
    )
    op.create_index(op.f("ix_sms_attempts_delivery_id"), "sms_attempts", ["delivery_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_sms_attempts_delivery_id"), table_name="sms_attempts")
    op.drop_table("sms_attempts")
    op.drop_index(op.f("ix_sms_deliveries_state"), table_name="sms_deliveries")
    op.drop_table("sms_deliveries")
    op.drop_column("users", "sms_notices")
    op.drop_column("users", "mobile")

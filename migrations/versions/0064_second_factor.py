"""A second factor (issue 30): each user's TOTP secret with the last step a code was taken for, their one-time
recovery codes (SHA-256 only), the record of enrolments, resets and codes accepted or refused, and wrong codes
counted like logins.

Revision ID: 0064_second_factor
Revises: 0063_sms
Create Date: 2026-12-07 13:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0064_second_factor'
down_revision = '0063_sms'
branch_labels = None
depends_on = None

ENDED_BEFORE = "'logout', 'password', 'revoked', 'idle', 'expired', 'off'"
SCOPES_BEFORE = "'address', 'account', 'sign_up_address', 'sign_up_code', 'reset_address', 'reset_name'"


def upgrade():
    op.create_table(
        "second_factors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("totp_secret", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_second_factors_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_second_factors")),
        sa.UniqueConstraint("user_id", name=op.f("uq_second_factors_user_id")),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_recovery_codes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_recovery_codes_code_hash")),
    )
    op.create_index(op.f("ix_recovery_codes_user_id"), "recovery_codes", ["user_id"], unique=False)
    op.create_table(
        "second_factor_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "kind IN ('enrolled', 'codes_renewed', 'removed', 'reset', 'passed', 'recovery_used', 'wrong',"
            " 'throttled')",
            name=op.f("ck_second_factor_events_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_second_factor_events_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_second_factor_events_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_second_factor_events")),
    )
    op.create_index(op.f("ix_second_factor_events_at"), "second_factor_events", ["at"], unique=False)
    op.create_index(op.f("ix_second_factor_events_user_id"), "second_factor_events", ["user_id"], unique=False)
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_login_throttles_scope_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_login_throttles_scope_known"), f"scope IN ({SCOPES_BEFORE}, 'second_factor')"
        )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_user_sessions_ended_why_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_user_sessions_ended_why_known"),
            f"ended_why IS NULL OR ended_why IN ({ENDED_BEFORE}, 'second_factor')",
        )


def downgrade():
    op.execute("UPDATE user_sessions SET ended_why = 'revoked' WHERE ended_why = 'second_factor'")
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_user_sessions_ended_why_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_user_sessions_ended_why_known"), f"ended_why IS NULL OR ended_why IN ({ENDED_BEFORE})"
        )
    op.execute("DELETE FROM login_throttles WHERE scope = 'second_factor'")
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_login_throttles_scope_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_login_throttles_scope_known"), f"scope IN ({SCOPES_BEFORE})")
    op.drop_index(op.f("ix_second_factor_events_user_id"), table_name="second_factor_events")
    op.drop_index(op.f("ix_second_factor_events_at"), table_name="second_factor_events")
    op.drop_table("second_factor_events")
    op.drop_index(op.f("ix_recovery_codes_user_id"), table_name="recovery_codes")
    op.drop_table("recovery_codes")
    op.drop_table("second_factors")

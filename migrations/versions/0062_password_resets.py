"""忘记密码 (issue 30): every request recorded — what was typed, from where, the account it named and what came of
it — and, for a link sent, the SHA-256 of its token, its expiry, and when it was used or replaced; the requests
counted like logins, per address and per name typed, in the same table as the login limits.

Revision ID: 0062_password_resets
Revises: 0061_ledger_import
Create Date: 2026-12-07 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0062_password_resets'
down_revision = '0061_ledger_import'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "password_resets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("identifier", sa.String(length=254), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('sent', 'unknown', 'no_email', 'inactive', 'throttled')",
            name=op.f("ck_password_resets_outcome_known"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_password_resets_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_resets")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_resets_token_hash")),
    )
    op.create_index(op.f("ix_password_resets_requested_at"), "password_resets", ["requested_at"], unique=False)
    op.create_index(op.f("ix_password_resets_user_id"), "password_resets", ["user_id"], unique=False)
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_login_throttles_scope_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_login_throttles_scope_known"),
            "scope IN ('address', 'account', 'sign_up_address', 'sign_up_code', 'reset_address', 'reset_name')",
        )


def downgrade():
    op.execute("DELETE FROM login_throttles WHERE scope IN ('reset_address', 'reset_name')")
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_login_throttles_scope_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_login_throttles_scope_known"),
            "scope IN ('address', 'account', 'sign_up_address', 'sign_up_code')",
        )
    op.drop_index(op.f("ix_password_resets_user_id"), table_name="password_resets")
    op.drop_index(op.f("ix_password_resets_requested_at"), table_name="password_resets")
    op.drop_table("password_resets")

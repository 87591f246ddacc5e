"""Who logs in and how: users, API tokens, and the one-time claims of idempotency keys and form tokens."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false as sa_false
from sqlalchemy.sql.expression import true as sa_true

from loanfund.domain.lifecycle import FUNDLESS_ROLES, Role
from loanfund.extensions import Model
from loanfund.models.base import TimestampMixin, _in
from loanfund.types import UTCDateTime

if TYPE_CHECKING:
    from loanfund.models.funds import Fund
    from loanfund.models.parties import Bank, Enterprise


class User(UserMixin, TimestampMixin, Model):  # type: ignore[misc]  # flask_login is untyped
    """A person who logs in. Enterprise users belong to one enterprise, bank users to one bank (DESIGN §2)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str] = mapped_column(String(64), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    # the in-app inbox is always on; e-mail only when the user has an address and has not turned it off
    email_notices: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    # SMS for the notices that matter (issue 30): the mobile number, and whether the user wants them by SMS
    mobile: Mapped[str | None] = mapped_column(String(20))
    sms_notices: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    bank_id: Mapped[int | None] = mapped_column(ForeignKey("banks.id"), index=True)
    # the fund a staff member or a bank's officer works for (DESIGN §7); an enterprise's user belongs to the platform
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("funds.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # an enterprise user who signed up is not vetted until the platform has checked the business licence: until then
    # they see nothing of their enterprise and may not apply (users the administrator creates are vetted)
    vetted: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())

    enterprise: Mapped[Enterprise | None] = relationship()
    bank: Mapped[Bank | None] = relationship(foreign_keys=[bank_id])
    fund: Mapped[Fund | None] = relationship()

    __table_args__ = (
        CheckConstraint(_in("role", [r.value for r in Role]), name="role_known"),
        CheckConstraint(
            "(role = 'enterprise' AND enterprise_id IS NOT NULL AND bank_id IS NULL)"
            " OR (role = 'bank' AND bank_id IS NOT NULL AND enterprise_id IS NULL)"
            " OR (role NOT IN ('enterprise', 'bank') AND enterprise_id IS NULL AND bank_id IS NULL)",
            name="role_scope",
        ),
        CheckConstraint(
            f"({_in('role', sorted(r.value for r in FUNDLESS_ROLES))}) = (fund_id IS NULL)", name="fund_scope"
        ),
        # a bank's officer works for the fund the bank's agreement is with
        ForeignKeyConstraint(["bank_id", "fund_id"], ["banks.id", "banks.fund_id"], name="fk_users_bank_of_its_fund"),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


SIGN_UP_STATES = ("pending", "vetted", "returned")


class SignUp(TimestampMixin, Model):
    """An enterprise's sign-up from the public form, waiting for the platform to vet it against the business licence
    (营业执照) the new user uploads. ``joins_existing``: the credit code was already registered, so the new user asks
    to join that enterprise (the form does not say so; the vetting decides). ``submitted`` keeps what was typed."""

    __tablename__ = "sign_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    joins_existing: Mapped[bool] = mapped_column(Boolean)
    submitted: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(8), default="pending", index=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    licence_name: Mapped[str | None] = mapped_column(String(200))
    licence_type: Mapped[str | None] = mapped_column(String(50))
    licence_sha256: Mapped[str | None] = mapped_column(String(64))
    licence_uploads: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # bounded (issue 25)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    enterprise: Mapped[Enterprise] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __table_args__ = (CheckConstraint(_in("state", SIGN_UP_STATES), name="state_known"),)


THROTTLE_SCOPES = [
    "address",
    "account",
    "sign_up_address",
    "sign_up_code",
    "reset_address",
    "reset_name",
    "second_factor",
]


class LoginThrottle(Model):
    """Login attempts counted in the database, so the limits hold across every process: per address (``scope``
    "address") and per account-and-address ("account", key ``<user id>@<address>``, or ``?<username>@<address>``
    for a name nobody has, counted the same way); public sign-ups per address and per credit code named
    ("sign_up_address", "sign_up_code"). Each attempt is counted by one atomic upsert before the password is
    checked; ``locked_until`` is set by the attempt that reaches the limit."""

    __tablename__ = "login_throttles"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer)
    window_started: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    user: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("scope", "key", name="uq_login_throttles_scope_key"),
        CheckConstraint(_in("scope", THROTTLE_SCOPES), name="scope_known"),
    )


class LoginRecord(Model):
    """Every login attempt, web or API: who (the account when the name is one), from where, and how it ended."""

    __tablename__ = "login_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(8))
    outcome: Mapped[str] = mapped_column(String(16))

    user: Mapped[User | None] = relationship()

    __table_args__ = (
        CheckConstraint(_in("channel", ["web", "api"]), name="channel_known"),
        CheckConstraint(_in("outcome", ["ok", "wrong", "throttled", "inactive"]), name="outcome_known"),
    )


# why a session ended: logged out, a password changed, ended by its user, idle, too old, the account switched off, or
# the user's second factor reset by an administrator
ENDED_WHY = ["logout", "password", "revoked", "idle", "expired", "off", "second_factor"]
RESET_OUTCOMES = ("sent", "unknown", "no_email", "inactive", "throttled")


class PasswordReset(Model):
    """Every 忘记密码 request (issue 30), answered the same whatever it named: what was typed, from where, the account
    it named (when it named one) and what came of it. A request ``sent`` holds the SHA-256 of its link's token — the
    token itself is only in the e-mail —, until when it works, and when it was used or replaced by a newer one. The
    UPDATE that uses it is the one that finds it unused, unreplaced and unexpired: once, whatever runs beside it."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    identifier: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    outcome: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship()

    __table_args__ = (CheckConstraint(_in("outcome", RESET_OUTCOMES), name="outcome_known"),)


class SecondFactor(Model):
    """A user's TOTP second factor (RFC 6238, issue 30): the shared secret (base32), when its enrolment was confirmed
    by a first code (None: begun, not yet confirmed — asked for nothing), and the last 30-second step a code was
    accepted for. A code is taken by the UPDATE that finds ``last_step`` below its step: once, whatever runs beside
    it."""

    __tablename__ = "second_factors"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    totp_secret: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_step: Mapped[int] = mapped_column(Integer, default=0)


class RecoveryCode(Model):
    """One of a user's one-time recovery codes, for a lost phone: only its SHA-256 is kept; used once."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


SECOND_FACTOR_EVENTS = (
    "enrolled",  # the first code confirmed the enrolment; recovery codes issued
    "codes_renewed",  # new recovery codes, the old ones void
    "removed",  # turned off by its user (with a code)
    "reset",  # turned off by an administrator (a lost phone)
    "passed",  # a code accepted: at login, or before a step that asks for it
    "recovery_used",  # a recovery code accepted in place of a code
    "wrong",  # a code refused
    "throttled",  # refused unchecked: too many wrong codes
)


class SecondFactorEvent(Model):
    """The record of second factors: each enrolment, reset, code accepted or refused — whose, by whom (an
    administrator's reset), for what (``purpose``: login, a step's name, enrolment) and from where."""

    __tablename__ = "second_factor_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(32), default="")
    address: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    by: Mapped[User | None] = relationship(foreign_keys=[by_id])

    __table_args__ = (CheckConstraint(_in("kind", SECOND_FACTOR_EVENTS), name="kind_known"),)


class UserSession(TimestampMixin, Model):
    """A signed-in browser, kept on the server: the cookie carries a random key whose SHA-256 is stored here, and
    every request finds its open record or is signed out. Logging out, a password change, switching the account off
    or the idle and absolute limits end it for good (``ended_at``), whatever copy of the cookie is kept."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_why: Mapped[str | None] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64), default="")
    agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship()

    __table_args__ = (
        CheckConstraint(
            "ended_why IS NULL OR " + _in("ended_why", ENDED_WHY),
            name="ended_why_known",
        ),
    )


class ApiToken(TimestampMixin, Model):
    """A bearer token for the API. Only its SHA-256 is stored; revoked by its user, by a password change or when
    the account is switched off."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    address: Mapped[str] = mapped_column(String(64), default="", server_default="")

    user: Mapped[User] = relationship()


class IdempotencyKey(TimestampMixin, Model):
    """An ``Idempotency-Key`` claimed by one user's money-moving request, with the answer it got.

    Claimed by a unique insert in the same transaction as the change, so the change and the claim commit together.
    """

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(255))
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),)

"""The database model: typed SQLAlchemy 2 declarative classes. Rules live in ``loanfund.domain``, not here."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from loanfund.clock import utcnow
from loanfund.domain.eligibility import DISTRICTS, INDUSTRIES, Size
from loanfund.domain.lifecycle import Role, State
from loanfund.domain.money import Money
from loanfund.domain.policy import Policy
from loanfund.extensions import db
from loanfund.types import MoneyType, UTCDateTime


def _in(column: str, values: Any) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Bank(TimestampMixin, db.Model):
    """A cooperating bank (合作银行) with its agreement and the designated account the fund pays into (第十、十七条)."""

    __tablename__ = "banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    agreement_no: Mapped[str] = mapped_column(String(64))
    agreement_start: Mapped[date] = mapped_column(Date)
    agreement_end: Mapped[date] = mapped_column(Date)
    account_name: Mapped[str] = mapped_column(String(100))  # 指定账户户名
    account_no: Mapped[str] = mapped_column(String(40))  # 指定账户账号
    account_bank: Mapped[str] = mapped_column(String(100))  # 开户行
    officer_name: Mapped[str] = mapped_column(String(50), default="")
    officer_phone: Mapped[str] = mapped_column(String(30), default="")

    __table_args__ = (CheckConstraint("agreement_end >= agreement_start", name="agreement_period"),)

    def agreement_in_force(self, on: date) -> bool:
        return self.agreement_start <= on <= self.agreement_end


ACCOUNT_CHANGE_DECISIONS = ("pending", "confirmed", "rejected")


class BankAccountChange(TimestampMixin, db.Model):
    """A change of a bank's designated receiving account — the only account the fund pays a bridge into (第十七条).
    Proposed by one person, in force only once another confirms it (maker–checker, like a disbursement); kept as the
    record of who changed what, when, from what."""

    __tablename__ = "bank_account_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), index=True)
    old_account_name: Mapped[str] = mapped_column(String(100))
    old_account_no: Mapped[str] = mapped_column(String(40))
    old_account_bank: Mapped[str] = mapped_column(String(100))
    new_account_name: Mapped[str] = mapped_column(String(100))
    new_account_no: Mapped[str] = mapped_column(String(40))
    new_account_bank: Mapped[str] = mapped_column(String(100))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")

    bank: Mapped[Bank] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __table_args__ = (
        CheckConstraint(_in("decision", ACCOUNT_CHANGE_DECISIONS), name="decision_known"),
        CheckConstraint("decided_by_id IS NULL OR decided_by_id <> requested_by_id", name="maker_checker"),
        CheckConstraint("(decision = 'pending') = (decided_by_id IS NULL)", name="decided_when_not_pending"),
        # at most one change of a bank's account waits for confirmation at a time
        Index(
            "uq_bank_account_changes_one_pending",
            "bank_id",
            unique=True,
            sqlite_where=text("decision = 'pending'"),
            postgresql_where=text("decision = 'pending'"),
        ),
    )


class Enterprise(TimestampMixin, db.Model):
    """An applicant enterprise (企业). ``size`` is computed from industry and measures when saved (第二条)."""

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    district: Mapped[str] = mapped_column(String(20))
    industry: Mapped[str] = mapped_column(String(32))
    employees: Mapped[int] = mapped_column(Integer)
    revenue: Mapped[Money] = mapped_column(MoneyType)  # 上年营业收入
    assets: Mapped[Money] = mapped_column(MoneyType)  # 资产总额
    size: Mapped[str] = mapped_column(String(8))
    legal_representative: Mapped[str] = mapped_column(String(50), default="")
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    address: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (
        CheckConstraint(_in("district", DISTRICTS), name="district_known"),
        CheckConstraint(_in("industry", INDUSTRIES), name="industry_known"),
        CheckConstraint(_in("size", [s.value for s in Size]), name="size_known"),
        CheckConstraint("employees >= 0 AND revenue >= 0 AND assets >= 0", name="measures_not_negative"),
    )

    @property
    def size_enum(self) -> Size:
        return Size(self.size)

    @property
    def district_name(self) -> str:
        return DISTRICTS[self.district]

    @property
    def industry_name(self) -> str:
        return INDUSTRIES[self.industry].name


class User(UserMixin, TimestampMixin, db.Model):
    """A person who logs in. Enterprise users belong to one enterprise, bank users to one bank (DESIGN §2)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str] = mapped_column(String(64), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    bank_id: Mapped[int | None] = mapped_column(ForeignKey("banks.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enterprise: Mapped[Enterprise | None] = relationship()
    bank: Mapped[Bank | None] = relationship()

    __table_args__ = (
        CheckConstraint(_in("role", [r.value for r in Role]), name="role_known"),
        CheckConstraint(
            "(role = 'enterprise' AND enterprise_id IS NOT NULL AND bank_id IS NULL)"
            " OR (role = 'bank' AND bank_id IS NOT NULL AND enterprise_id IS NULL)"
            " OR (role NOT IN ('enterprise', 'bank') AND enterprise_id IS NULL AND bank_id IS NULL)",
            name="role_scope",
        ),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class PolicyVersion(TimestampMixin, db.Model):
    """One policy version (R14), its parameters stored in the domain's own form (``Policy.to_dict``)."""

    __tablename__ = "policy_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    effective_from: Mapped[date] = mapped_column(Date, unique=True)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def to_policy(self) -> Policy:
        return Policy.from_dict(self.parameters)


class Contributor(TimestampMixin, db.Model):
    """A contributor of capital to the fund (第五、二十五、二十六条)."""

    __tablename__ = "contributors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # municipal, county, private

    __table_args__ = (CheckConstraint("kind IN ('municipal', 'county', 'private')", name="kind_known"),)


class Contribution(TimestampMixin, db.Model):
    """Capital paid into the special account by a contributor."""

    __tablename__ = "contributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    contributor_id: Mapped[int] = mapped_column(ForeignKey("contributors.id"), index=True)
    amount: Mapped[Money] = mapped_column(MoneyType)
    received_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(64), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    contributor: Mapped[Contributor] = relationship()

    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)


class BlacklistEntry(TimestampMixin, db.Model):
    """An enterprise barred from the fund (R11), keyed by credit code so a new account cannot escape it."""

    __tablename__ = "blacklist_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), index=True)
    enterprise_name: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(200))
    listed_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (CheckConstraint("ends_on >= listed_on", name="period"),)


class Application(TimestampMixin, db.Model):
    """An application for a bridge loan, carrying what each step of DESIGN §3 records."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), index=True)
    policy_version_id: Mapped[int | None] = mapped_column(ForeignKey("policy_versions.id"))
    state: Mapped[str] = mapped_column(String(20), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer)  # optimistic lock: a stale concurrent step fails

    # apply (第十五条)
    loan_contract_no: Mapped[str] = mapped_column(String(64))
    loan_amount_due: Mapped[Money] = mapped_column(MoneyType)  # principal + interest due
    loan_due_date: Mapped[date] = mapped_column(Date)
    loan_overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    requested_amount: Mapped[Money] = mapped_column(MoneyType)
    requested_days: Mapped[int] = mapped_column(Integer)
    own_funds_planned: Mapped[Money] = mapped_column(MoneyType)
    purpose: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # accept / reject (第十五条)
    review_note: Mapped[str | None] = mapped_column(Text)
    credit_check_note: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # commit / decline (第十六条)
    committed_amount: Mapped[Money | None] = mapped_column(MoneyType)
    bank_opinion: Mapped[str | None] = mapped_column(Text)
    bank_officer: Mapped[str | None] = mapped_column(String(50))
    bank_seal_ref: Mapped[str | None] = mapped_column(String(64))
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    committed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # approve (第十七、十四条)
    approved_amount: Mapped[Money | None] = mapped_column(MoneyType)
    own_funds_confirmed: Mapped[Money | None] = mapped_column(MoneyType)
    approved_on: Mapped[date | None] = mapped_column(Date)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # group decision (第十四条)
    group_reasons: Mapped[str | None] = mapped_column(Text)
    group_minutes_ref: Mapped[str | None] = mapped_column(String(64))
    group_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    group_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # disbursement, maker–checker (第十七条)
    value_date: Mapped[date | None] = mapped_column(Date)
    disbursement_ref: Mapped[str | None] = mapped_column(String(64))
    destination_account_name: Mapped[str | None] = mapped_column(String(100))
    destination_account_no: Mapped[str | None] = mapped_column(String(40))
    destination_account_bank: Mapped[str | None] = mapped_column(String(100))
    prepared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    prepared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    authorised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    authorised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # renewal (第十八条)
    new_loan_contract_no: Mapped[str | None] = mapped_column(String(64))
    new_loan_amount: Mapped[Money | None] = mapped_column(MoneyType)
    renewed_on: Mapped[date | None] = mapped_column(Date)
    renewal_late: Mapped[bool] = mapped_column(Boolean, default=False)

    # return (第十八条): the receipts are rows of their own; these are set when the principal is all back
    received_on: Mapped[date | None] = mapped_column(Date)  # the day the last of the principal came back (R2)
    fee_due: Mapped[Money | None] = mapped_column(MoneyType)  # R1–R3 for the actual days, fixed on that day

    # recovery (第二十一条) and write-off
    recovery_plan: Mapped[str | None] = mapped_column(Text)
    recovery_opened_on: Mapped[date | None] = mapped_column(Date)
    written_off_on: Mapped[date | None] = mapped_column(Date)

    # archive (第十九条)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enterprise: Mapped[Enterprise] = relationship()
    bank: Mapped[Bank] = relationship()
    policy_version: Mapped[PolicyVersion | None] = relationship()
    events: Mapped[list[ApplicationEvent]] = relationship(back_populates="application", order_by="ApplicationEvent.id")
    receipts: Mapped[list[Receipt]] = relationship(back_populates="application", order_by="Receipt.id")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint(_in("state", [s.value for s in State]), name="state_known"),
        CheckConstraint("requested_amount > 0", name="requested_amount_positive"),
        CheckConstraint("requested_days >= 1", name="requested_days_positive"),
        CheckConstraint("loan_amount_due > 0", name="loan_amount_due_positive"),
        CheckConstraint("own_funds_planned >= 0", name="own_funds_not_negative"),
        CheckConstraint("approved_amount IS NULL OR approved_amount > 0", name="approved_amount_positive"),
        CheckConstraint("committed_amount IS NULL OR committed_amount > 0", name="committed_amount_positive"),
        CheckConstraint(
            "prepared_by_id IS NULL OR authorised_by_id IS NULL OR prepared_by_id <> authorised_by_id",
            name="maker_checker",
        ),
    )

    @property
    def reference(self) -> str:
        """The number staff and enterprises quote: ZD + year of submission + id."""
        return f"ZD{self.submitted_at:%Y}{self.id:05d}"

    @property
    def state_enum(self) -> State:
        return State(self.state)


class Receipt(TimestampMixin, db.Model):
    """Money back from a bridge (第十八条): principal and fee as received, one row per transfer."""

    __tablename__ = "receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    principal: Mapped[Money] = mapped_column(MoneyType)
    fee: Mapped[Money] = mapped_column(MoneyType)
    transfer_ref: Mapped[str] = mapped_column(String(64))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    application: Mapped[Application] = relationship(back_populates="receipts")

    __table_args__ = (
        CheckConstraint("principal >= 0 AND fee >= 0 AND principal + fee > 0", name="amounts_positive"),
        # One bank transfer is one receipt: the same reference can never be booked twice on an application.
        Index("uq_receipts_application_transfer_ref", "application_id", "transfer_ref", unique=True),
    )


class FundBalance(db.Model):
    """The special account's running position (R8): one row. ``cash`` is what is in the account, ``reserved`` what
    approvals have promised and not yet paid out. Changed only by guarded UPDATEs (``services.fund``), and the
    database refuses a negative cash or an over-commitment."""

    __tablename__ = "fund_balance"

    id: Mapped[int] = mapped_column(primary_key=True)
    cash: Mapped[Money] = mapped_column(MoneyType)
    reserved: Mapped[Money] = mapped_column(MoneyType)

    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("cash >= 0", name="cash_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("cash - reserved >= 0", name="not_over_committed"),
    )


class ApiToken(TimestampMixin, db.Model):
    """A bearer token for the API. Only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class IdempotencyKey(TimestampMixin, db.Model):
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


class ApplicationEvent(db.Model):
    """One step in an application's life: append-only (never updated, never deleted)."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    application: Mapped[Application] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class AppendOnlyViolation(RuntimeError):
    pass


class LedgerAccount(db.Model):
    """An account of the special account's books (DESIGN §5). Codes come from ``loanfund.domain.ledger``."""

    __tablename__ = "ledger_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))

    __table_args__ = (
        CheckConstraint("kind IN ('asset', 'liability', 'equity', 'income', 'expense')", name="kind_known"),
    )


class JournalEntry(TimestampMixin, db.Model):
    """A balanced journal entry: append-only, its ``key`` unique so a retried step cannot post twice."""

    __tablename__ = "journal_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    posted_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(200))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    legs: Mapped[list[JournalLeg]] = relationship(back_populates="entry", order_by="JournalLeg.id")


class JournalLeg(db.Model):
    """One side of an entry on one account: a positive debit or a positive credit, never both."""

    __tablename__ = "journal_legs"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), index=True)
    debit: Mapped[Money] = mapped_column(MoneyType)
    credit: Mapped[Money] = mapped_column(MoneyType)

    entry: Mapped[JournalEntry] = relationship(back_populates="legs")
    account: Mapped[LedgerAccount] = relationship()

    __table_args__ = (
        CheckConstraint("(debit > 0 AND credit = 0) OR (debit = 0 AND credit > 0)", name="one_positive_side"),
    )


class Distribution(TimestampMixin, db.Model):
    """A distribution run (R13): fee income after tax split among contributors by capital."""

    __tablename__ = "distributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_on: Mapped[date] = mapped_column(Date)
    income: Mapped[Money] = mapped_column(MoneyType)
    tax_rate: Mapped[str] = mapped_column(String(12))
    tax: Mapped[Money] = mapped_column(MoneyType)
    losses_covered: Mapped[Money] = mapped_column(MoneyType, default=Money(0), server_default="0")  # R13
    journal_entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Material(TimestampMixin, db.Model):
    """A document uploaded with an application (申请材料). The file lives outside the web root under its SHA-256;
    only these rows say who may see it."""

    __tablename__ = "materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (CheckConstraint("size > 0", name="size_positive"),)


APPEND_ONLY = (ApplicationEvent, Receipt, JournalEntry, JournalLeg)


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_history(session: Session, flush_context: Any, instances: Any) -> None:
    """Events, receipts and journal entries are history: changing or deleting one is a programming error, stopped
    before the flush (the database refuses it too, see the ledger migration's triggers)."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, APPEND_ONLY) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyViolation(f"{type(obj).__tablename__} is append-only")

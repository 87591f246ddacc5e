"""An application for a bridge and its record: the policy version it is priced under, its events, receipts
and materials."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loanfund.clock import utcnow
from loanfund.domain.credit import AdverseRecord, IndustryFit, Operating
from loanfund.domain.green_channel import Mortgage, letter_number
from loanfund.domain.lifecycle import OPEN_STATES, State, shown_state_label
from loanfund.domain.money import Money
from loanfund.domain.policy import LoanType, Policy
from loanfund.extensions import Model
from loanfund.models.base import TimestampMixin, _in
from loanfund.types import MoneyType, UTCDateTime

if TYPE_CHECKING:
    from loanfund.models.access import User
    from loanfund.models.funds import Fund
    from loanfund.models.parties import Bank, BankClaim, Enterprise


class PolicyVersion(TimestampMixin, Model):
    """One policy version (R14), its parameters stored in the domain's own form (``Policy.to_dict``). Until it takes
    effect it may be corrected or withdrawn, each with who and why; a withdrawn version stays, for the record, and
    is never in force."""

    __tablename__ = "policy_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    effective_from: Mapped[date] = mapped_column(Date)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revision_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    __table_args__ = (
        # among a fund's versions not withdrawn: one of a name, one a day
        Index(
            "uq_policy_versions_one_name_a_fund",
            "fund_id",
            "name",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL"),
        ),
        Index(
            "uq_policy_versions_one_version_a_day",
            "fund_id",
            "effective_from",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL"),
        ),
        # the target of applications' (policy_version_id, fund_id)
        UniqueConstraint("id", "fund_id", name="uq_policy_versions_of_its_fund"),
    )

    def to_policy(self) -> Policy:
        """The parameters as the domain's Policy, parsed once per loaded version (a report or a list reads the same
        few versions for thousands of applications)."""
        cached = self.__dict__.get("_policy")
        if cached is None or cached[0] is not self.parameters:
            cached = (self.parameters, Policy.from_dict(self.parameters))
            self.__dict__["_policy"] = cached
        return cached[1]


class Application(TimestampMixin, Model):
    """An application for a bridge loan, carrying what each step of DESIGN §3 records."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)  # the fund applied to (DESIGN §7)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"), index=True)
    policy_version_id: Mapped[int | None] = mapped_column(ForeignKey("policy_versions.id"))
    state: Mapped[str] = mapped_column(String(20), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer)  # optimistic lock: a stale concurrent step fails

    # apply (第十五条)
    loan_contract_no: Mapped[str] = mapped_column(String(64))
    # R16 (第三条): the kind of loan to be renewed — working-capital loans are served
    loan_type: Mapped[str] = mapped_column(String(24), default="working_capital", server_default="working_capital")
    # 第二十七条: a land or house mortgage the renewal involves (domain.green_channel) — the platform's letter then
    mortgage: Mapped[str] = mapped_column(String(8), default="none", server_default="none")
    loan_amount_due: Mapped[Money] = mapped_column(MoneyType)  # principal + interest due
    loan_due_date: Mapped[date] = mapped_column(Date)
    loan_overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    requested_amount: Mapped[Money] = mapped_column(MoneyType)
    requested_days: Mapped[int] = mapped_column(Integer)
    own_funds_planned: Mapped[Money] = mapped_column(MoneyType)
    purpose: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)  # reports by period
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # accept / reject (第十五条)
    review_note: Mapped[str | None] = mapped_column(Text)
    credit_check_note: Mapped[str | None] = mapped_column(Text)  # the reviewer's conclusion
    # the credit check's findings (第八条; domain.credit): the 征信 report's date and what it and the reviewer found
    credit_report_date: Mapped[date | None] = mapped_column(Date)
    credit_adverse: Mapped[str | None] = mapped_column(String(10))
    credit_industry: Mapped[str | None] = mapped_column(String(10))
    credit_operating: Mapped[str | None] = mapped_column(String(10))
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
    approved_on: Mapped[date | None] = mapped_column(Date, index=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # group decision (第十四条)
    group_reasons: Mapped[str | None] = mapped_column(Text)
    group_minutes_ref: Mapped[str | None] = mapped_column(String(64))
    group_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    group_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # disbursement, maker–checker (第十七条)
    value_date: Mapped[date | None] = mapped_column(Date, index=True)
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
    received_on: Mapped[date | None] = mapped_column(
        Date, index=True
    )  # the day the last of the principal came back (R2)
    fee_due: Mapped[Money | None] = mapped_column(MoneyType)  # R1–R3 for the actual days, fixed on that day

    # recovery (第二十一条) and write-off
    recovery_plan: Mapped[str | None] = mapped_column(Text)
    recovery_opened_on: Mapped[date | None] = mapped_column(Date)
    written_off_on: Mapped[date | None] = mapped_column(Date)
    # settled by the bank (R12, DESIGN §3): the day its claim was paid in full; the application is repaid from then
    settled_by_bank_on: Mapped[date | None] = mapped_column(Date)

    # archive (第十九条)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # a bridge brought in from the fund's 台账 (issue 29): its row's identity, unique in the fund — a second import of
    # the same row adds nothing
    imported_key: Mapped[str | None] = mapped_column(String(64))

    fund: Mapped[Fund] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    bank: Mapped[Bank] = relationship(foreign_keys=[bank_id])
    policy_version: Mapped[PolicyVersion | None] = relationship(foreign_keys=[policy_version_id])
    events: Mapped[list[ApplicationEvent]] = relationship(back_populates="application", order_by="ApplicationEvent.id")
    receipts: Mapped[list[Receipt]] = relationship(back_populates="application", order_by="Receipt.id")
    bank_claim: Mapped[BankClaim | None] = relationship(uselist=False, viewonly=True)  # R12, once recorded
    green_channel_letter: Mapped[GreenChannelLetter | None] = relationship(uselist=False, viewonly=True)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # the target of the (application_id, fund_id) keys of the rows that must be of the application's own fund
        Index("uq_applications_of_its_fund", "id", "fund_id", unique=True),
        Index(
            "uq_applications_fund_imported_key",
            "fund_id",
            "imported_key",
            unique=True,
            postgresql_where=text("imported_key IS NOT NULL"),
            sqlite_where=text("imported_key IS NOT NULL"),
        ),
        # a fund's applications in one state, oldest first: a queue's first rows read from the index, not sorted
        # (issue 28: the 待归档 queue sorted every repaid application to show 50)
        Index("ix_applications_fund_state_id", "fund_id", "state", "id"),
        # the bridges gone out and not back, with what a report reads of them: an index-only read of a few thousand
        # entries (issue 28: the planner took the 300,000 applications with no return date, most never out)
        Index(
            "ix_applications_unreturned",
            "fund_id",
            "value_date",
            postgresql_include=["id", "policy_version_id"],
            postgresql_where=text("received_on IS NULL AND value_date IS NOT NULL"),
            sqlite_where=text("received_on IS NULL AND value_date IS NOT NULL"),
        ),
        # a fund's bridges by the day they came back, with their value date: a period's days (R2) from the index alone
        Index("ix_applications_fund_back", "fund_id", "received_on", "value_date"),
        # the renewals a report looks at for R9's breaches — renewed late, or not renewed — with a line's columns
        Index(
            "ix_applications_renewals_to_look_at",
            "fund_id",
            "value_date",
            "id",
            "submitted_at",
            "renewed_on",
            "renewal_late",
            "state",
            "policy_version_id",
            "bank_id",
            postgresql_where=text("value_date IS NOT NULL AND (renewal_late OR renewed_on IS NULL)"),
            sqlite_where=text("value_date IS NOT NULL AND (renewal_late = 1 OR renewed_on IS NULL)"),
        ),
        # what a bank sees (``access.application_visibility``): its list and its count read from the index alone
        Index(
            "ix_applications_bank_sees",
            "bank_id",
            "fund_id",
            "id",
            postgresql_where=text("reviewed_at IS NOT NULL AND state <> 'rejected'"),
            sqlite_where=text("reviewed_at IS NOT NULL AND state <> 'rejected'"),
        ),
        # an application is priced under a version of its own fund's policy, never another fund's
        ForeignKeyConstraint(
            ["policy_version_id", "fund_id"],
            ["policy_versions.id", "policy_versions.fund_id"],
            name="fk_applications_policy_of_its_fund",
        ),
        # and goes through a bank cooperating with that fund
        ForeignKeyConstraint(
            ["bank_id", "fund_id"], ["banks.id", "banks.fund_id"], name="fk_applications_bank_of_its_fund"
        ),
        CheckConstraint(_in("state", [s.value for s in State]), name="state_known"),
        CheckConstraint(_in("loan_type", [t.value for t in LoanType]), name="loan_type_known"),
        CheckConstraint(_in("mortgage", [m.value for m in Mortgage]), name="mortgage_known"),
        *(
            CheckConstraint(f"{column} IS NULL OR {_in(column, [v.value for v in kind])}", name=f"{column}_known")
            for column, kind in (
                ("credit_adverse", AdverseRecord),
                ("credit_industry", IndustryFit),
                ("credit_operating", Operating),
            )
        ),
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
        # DESIGN §2: whoever approved the amount never authorises its payment (three persons: approver, maker, checker)
        CheckConstraint(
            "approved_by_id IS NULL OR authorised_by_id IS NULL OR approved_by_id <> authorised_by_id",
            name="approver_not_checker",
        ),
        # one open application per loan contract of a bank: a double submission cannot create two (issue 12)
        Index(
            "uq_applications_open_contract",
            "bank_id",
            "loan_contract_no",
            unique=True,
            sqlite_where=text(_in("state", sorted(s.value for s in OPEN_STATES))),
            postgresql_where=text(_in("state", sorted(s.value for s in OPEN_STATES))),
        ),
    )

    @property
    def reference(self) -> str:
        """The number staff and enterprises quote: ZD + year of submission + id."""
        return self.reference_of(self.id, self.submitted_at)

    @staticmethod
    def reference_of(application_id: int, submitted_at: datetime) -> str:
        """An application's number from its id and submission time (a report that reads columns, not objects)."""
        return f"ZD{submitted_at.year}{application_id:05d}"  # the year as %Y prints it, without strftime (issue 28)

    @property
    def state_enum(self) -> State:
        return State(self.state)

    @property
    def loan_type_label(self) -> str:
        return LoanType(self.loan_type).label

    @property
    def mortgage_label(self) -> str:
        return Mortgage(self.mortgage).label

    @property
    def state_shown(self) -> str:
        """The state's label as people read it: a bridge its bank settled (R12) is 银行已清偿 until it is archived."""
        return shown_state_label(self.state_enum, self.settled_by_bank_on is not None)


class Receipt(TimestampMixin, Model):
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


class ApplicationEvent(Model):
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

    # the early-warning page, the reports and the reconciliation look for events of one kind (over a period)
    __table_args__ = (Index("ix_application_events_action_at", "action", "at"),)


class Material(TimestampMixin, Model):
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


MATERIAL_PROVIDERS = ("enterprise", "bank", "reviewer", "operator", "any")
MATERIAL_STAGES = ("accept", "commit", "approve", "authorise-disbursement")


class MaterialItem(Model):
    """One line of the materials checklist (申请材料清单): who provides it, and the step that needs it on file — a
    required item missing at that step must be explained by whoever takes the step. Kept by the administrator."""

    __tablename__ = "material_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)  # each fund keeps its own checklist
    code: Mapped[str] = mapped_column(String(32))  # the category stored on each material
    label: Mapped[str] = mapped_column(String(100))
    provided_by: Mapped[str] = mapped_column(String(16))
    needed_for: Mapped[str] = mapped_column(String(32))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        CheckConstraint(_in("provided_by", MATERIAL_PROVIDERS), name="provider_known"),
        CheckConstraint(_in("needed_for", MATERIAL_STAGES), name="stage_known"),
        UniqueConstraint("fund_id", "code", name="uq_material_items_fund_code"),
    )


class RecoveryRecord(Model):
    """The recovery file of an overdue bridge (第二十一条): the operator's cause analysis, and each recovery measure
    with the money it brought back (a measure's money is booked like any money back). Never changed: a later analysis
    is a new record."""

    __tablename__ = "recovery_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # cause, measure
    taken_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    amount: Mapped[Money] = mapped_column(MoneyType, default=Money.zero)
    transfer_ref: Mapped[str | None] = mapped_column(String(64))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User] = relationship()

    __table_args__ = (
        CheckConstraint("kind IN ('cause', 'measure')", name="kind_known"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("amount = 0 OR transfer_ref IS NOT NULL", name="money_has_a_transfer"),
    )


class GreenChannelLetter(Model):
    """绿色通道函 (第二十七条): the platform's numbered letter asking the land and housing departments to handle the
    enterprise's mortgage for its renewal first — one per application, numbered within its year, its text kept as
    issued (who it was addressed to, for what loan) so that a reprint is the letter that was sent."""

    __tablename__ = "green_channel_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    mortgage: Mapped[str] = mapped_column(String(8))
    departments: Mapped[str] = mapped_column(Text)  # the addressees, 、-joined, as on the letter
    enterprise_name: Mapped[str] = mapped_column(String(100))
    credit_code: Mapped[str] = mapped_column(String(18))
    bank_name: Mapped[str] = mapped_column(String(100))
    loan_contract_no: Mapped[str] = mapped_column(String(64))
    loan_amount_due: Mapped[Money] = mapped_column(MoneyType)
    fund_name: Mapped[str] = mapped_column(String(100))
    regulation: Mapped[str] = mapped_column(String(100))  # the policy version whose green channel it invokes
    issued_on: Mapped[date] = mapped_column(Date)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    issued_by: Mapped[User] = relationship()

    __table_args__ = (
        UniqueConstraint("year", "seq", name="uq_green_channel_letters_year_seq"),
        CheckConstraint("seq >= 1", name="seq_positive"),
        CheckConstraint(_in("mortgage", [m.value for m in Mortgage if m is not Mortgage.NONE]), name="mortgage_named"),
    )

    @property
    def number(self) -> str:
        return letter_number(self.year, self.seq)

    @property
    def mortgage_label(self) -> str:
        return Mortgage(self.mortgage).label

    @property
    def subject(self) -> str:
        return Mortgage(self.mortgage).subject


class BridgeOut(Model):
    """A bridge whose money is out (issue 28): its dates and what it owes, kept on one row while the money is out by
    every step that writes the application (``services.lifecycle.bridges.keep``), so the workbenches, the early
    warnings and the reconciliation page count and order the bridges out in SQL from an index, and the daily sweep
    looks only at the bridges something can happen to that day (``next_look_on``).

    A read model, not the record: the application, its receipts, its bank's claim and the books are; the full
    reconciliation checks every row against them (``bridges.differences``)."""

    __tablename__ = "bridges_out"

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    bank_id: Mapped[int] = mapped_column(Integer, index=True)
    enterprise_id: Mapped[int] = mapped_column(Integer, index=True)
    state: Mapped[str] = mapped_column(String(20))
    value_date: Mapped[date] = mapped_column(Date)
    planned_on: Mapped[date] = mapped_column(Date)  # value date + the days asked for: when it said it would be back
    due_on: Mapped[date] = mapped_column(Date)  # R4: the last day without being overdue
    renewal_due_on: Mapped[date] = mapped_column(Date)  # R9: the bank's last day to renew
    renewed: Mapped[bool] = mapped_column(Boolean)  # the bank confirmed the renewal
    renewal_short: Mapped[bool] = mapped_column(Boolean)  # renewed less than it committed
    back_on: Mapped[date | None] = mapped_column(Date)  # the principal all back (the fee still owed)
    principal_out: Mapped[Money] = mapped_column(MoneyType)  # 0 once the bank's claim holds it (R12)
    returns: Mapped[int] = mapped_column(Integer)  # money back booked so far (transfers)
    shortfall: Mapped[bool] = mapped_column(Boolean)  # money came back, not all of it (收回不足)
    next_look_on: Mapped[date | None] = mapped_column(Date, index=True)  # the sweep's next day for it; None: none
    version: Mapped[int] = mapped_column(Integer)  # moves on with every keep: the sweep's write yields to a step's

    __table_args__ = (Index("ix_bridges_out_fund_due", "fund_id", "due_on", "application_id"),)

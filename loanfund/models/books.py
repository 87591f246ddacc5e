"""The special account's books (DESIGN §5): the running position, accounts, journal entries and legs,
contributions, distribution runs."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loanfund.clock import utcnow
from loanfund.domain.money import Money
from loanfund.extensions import Model
from loanfund.models.base import TimestampMixin
from loanfund.types import MoneyType, UTCDateTime

if TYPE_CHECKING:
    from loanfund.models.access import User
    from loanfund.models.funds import Fund
    from loanfund.models.parties import Contributor


class LedgerTotal(Model):
    """One line of the trial balance with its debit and credit totals, kept by ``ledger.post`` in the posting's own
    transaction (issue 14): the trial balance, the reconciliation page and the dissolution statement read these few
    rows instead of summing every leg ever written. Every bridge's receivable adds to one line (``receivable``).
    ``reconcile`` checks each line against the legs."""

    __tablename__ = "ledger_totals"

    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), primary_key=True)  # each fund's books its own
    line: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    debit: Mapped[Money] = mapped_column(MoneyType, default=Money(0))
    credit: Mapped[Money] = mapped_column(MoneyType, default=Money(0))

    __table_args__ = (
        CheckConstraint("debit >= 0", name="debit_not_negative"),
        CheckConstraint("credit >= 0", name="credit_not_negative"),
    )


class LedgerDay(Model):
    """A day's debits and credits on one trial-balance line by one kind of entry (issue 28): kept by ``ledger.post``
    in the posting's own transaction beside the running totals, so a period's report reads the days of the period —
    a few rows a day — instead of the journal's legs, and a day's balance is the running total less the days after
    it. ``kind`` is the entry key's first part (disbursement, return, write_off, bank_claim, distribution, …);
    ``entries``: how many entries put a leg on the line that day. ``reconcile`` checks every row against the legs."""

    __tablename__ = "ledger_days"

    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    line: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    debit: Mapped[Money] = mapped_column(MoneyType)
    credit: Mapped[Money] = mapped_column(MoneyType)
    entries: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint("debit >= 0", name="debit_not_negative"),
        CheckConstraint("credit >= 0", name="credit_not_negative"),
    )


class ReconciliationRun(Model):
    """A full reconciliation as ``flask loanfund reconcile`` ran it (nightly, by the schedule in the README): when,
    how long, whether everything agreed, and what it found — the checks and the first differences. The
    reconciliation page shows the latest beside its own quick checks."""

    __tablename__ = "reconciliation_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    milliseconds: Mapped[int] = mapped_column(Integer)
    ok: Mapped[bool] = mapped_column(Boolean)
    differences: Mapped[int] = mapped_column(Integer)
    findings: Mapped[dict[str, Any]] = mapped_column(JSON)


class FundBalance(Model):
    """A fund's special account's running position (R8): one row a fund. ``cash`` is what is in the account,
    ``reserved`` what approvals have promised and not yet paid out. Changed only by guarded UPDATEs
    (``services.books.fund``), and the database refuses a negative cash or an over-commitment."""

    __tablename__ = "fund_balance"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), unique=True)
    cash: Mapped[Money] = mapped_column(MoneyType)
    reserved: Mapped[Money] = mapped_column(MoneyType)

    __table_args__ = (
        CheckConstraint("cash >= 0", name="cash_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("cash - reserved >= 0", name="not_over_committed"),
    )


class ReservedDay(Model):
    """A day's reservations (R8) made and given back (issue 28): kept by ``fund.reserve``, ``fund.release`` and a
    disbursement's ``move_cash`` beside the position row they move, so a report's day-by-day reservations are the
    position now less the days after — not every approval of the period read again. Amounts in fen; ``reconcile``
    checks the sum against the position and each day against the applications."""

    __tablename__ = "reserved_days"

    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reserved: Mapped[int] = mapped_column(BigInteger)
    released: Mapped[int] = mapped_column(BigInteger)


class LedgerAccount(Model):
    """An account of the special account's books (DESIGN §5). Codes come from ``loanfund.domain.ledger``."""

    __tablename__ = "ledger_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))

    __table_args__ = (
        CheckConstraint("kind IN ('asset', 'liability', 'equity', 'income', 'expense')", name="kind_known"),
        UniqueConstraint("fund_id", "code", name="uq_ledger_accounts_fund_code"),
        UniqueConstraint("id", "fund_id", name="uq_ledger_accounts_of_its_fund"),
    )


class JournalEntry(TimestampMixin, Model):
    """A balanced journal entry: append-only, its ``key`` unique so a retried step cannot post twice."""

    __tablename__ = "journal_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)  # whose special account
    key: Mapped[str] = mapped_column(String(100))
    posted_on: Mapped[date] = mapped_column(Date, index=True)  # reports by period
    description: Mapped[str] = mapped_column(String(200))
    # the bank transfer that moved the special account's money (issue 29): every entry with a cash leg has one (set
    # by ``ledger.post``; entries before 0059 where the source row had none are NULL), no other entry has one
    bank_ref: Mapped[str | None] = mapped_column(String(64))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    legs: Mapped[list[JournalLeg]] = relationship(
        back_populates="entry", order_by="JournalLeg.id", foreign_keys="JournalLeg.entry_id"
    )

    __table_args__ = (
        UniqueConstraint("fund_id", "key", name="uq_journal_entries_fund_key"),  # a retried step posts once
        UniqueConstraint("id", "fund_id", name="uq_journal_entries_of_its_fund"),
        Index("ix_journal_entries_fund_bank_ref", "fund_id", "bank_ref"),  # a bank line matched by its reference
        # an application's entries are in its own fund's books
        ForeignKeyConstraint(
            ["application_id", "fund_id"],
            ["applications.id", "applications.fund_id"],
            name="fk_journal_entries_application_of_its_fund",
        ),
    )


class JournalLeg(Model):
    """One side of an entry on one account: a positive debit or a positive credit, never both."""

    __tablename__ = "journal_legs"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), index=True)
    debit: Mapped[Money] = mapped_column(MoneyType)
    credit: Mapped[Money] = mapped_column(MoneyType)

    entry: Mapped[JournalEntry] = relationship(back_populates="legs", foreign_keys=[entry_id])
    account: Mapped[LedgerAccount] = relationship(foreign_keys=[account_id])

    __table_args__ = (
        CheckConstraint("(debit > 0 AND credit = 0) OR (debit = 0 AND credit > 0)", name="one_positive_side"),
        # a leg is of its entry's fund and on an account of that fund: no entry mixes two funds' books
        ForeignKeyConstraint(
            ["entry_id", "fund_id"],
            ["journal_entries.id", "journal_entries.fund_id"],
            name="fk_journal_legs_entry_of_its_fund",
        ),
        ForeignKeyConstraint(
            ["account_id", "fund_id"],
            ["ledger_accounts.id", "ledger_accounts.fund_id"],
            name="fk_journal_legs_account_of_its_fund",
        ),
    )


class Contribution(TimestampMixin, Model):
    """Capital paid into the special account by a contributor."""

    __tablename__ = "contributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    contributor_id: Mapped[int] = mapped_column(ForeignKey("contributors.id"), index=True)
    amount: Mapped[Money] = mapped_column(MoneyType)
    received_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(64), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    contributor: Mapped[Contributor] = relationship(foreign_keys=[contributor_id])
    fund: Mapped[Fund] = relationship(foreign_keys=[fund_id])

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        ForeignKeyConstraint(
            ["contributor_id", "fund_id"],
            ["contributors.id", "contributors.fund_id"],
            name="fk_contributions_contributor_of_its_fund",
        ),
    )


class Distribution(TimestampMixin, Model):
    """A distribution run (R13): fee income after tax split among contributors by capital."""

    __tablename__ = "distributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    run_on: Mapped[date] = mapped_column(Date)
    income: Mapped[Money] = mapped_column(MoneyType)
    tax_rate: Mapped[str] = mapped_column(String(12))
    tax: Mapped[Money] = mapped_column(MoneyType)
    losses_covered: Mapped[Money] = mapped_column(MoneyType, default=Money(0), server_default="0")  # R13
    journal_entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (
        ForeignKeyConstraint(
            ["journal_entry_id", "fund_id"],
            ["journal_entries.id", "journal_entries.fund_id"],
            name="fk_distributions_entry_of_its_fund",
        ),
    )


class AppendOnlyViolation(RuntimeError):
    pass


TRANSFER_KINDS = ("return", "claim_payment", "recovery")


class TransferReference(Model):
    """A bank transfer's reference, booked once per bank (issue 25): a return of a bridge, a bank's claim payment or
    money recovered — whichever books it first; the database refuses the second."""

    __tablename__ = "transfer_references"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id"))
    transfer_ref: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    booked_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("bank_id", "transfer_ref", name="uq_transfer_references_bank_ref"),
        CheckConstraint("kind IN ('return', 'claim_payment', 'recovery')", name="kind_known"),
    )


class LedgerImport(Model):
    """A run of the 台账 import (issue 29) that wrote something: who, when, which file (its SHA-256), and what became
    of its rows — created, skipped (imported before), refused with their problems. ``outcome``: ``imported``,
    ``partial`` (row by row: the refused rows left out) or ``refused`` (nothing imported)."""

    __tablename__ = "ledger_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    row_by_row: Mapped[bool] = mapped_column(Boolean)
    outcome: Mapped[str] = mapped_column(String(10))
    rows_read: Mapped[int] = mapped_column(Integer)
    rows_created: Mapped[int] = mapped_column(Integer)
    rows_skipped: Mapped[int] = mapped_column(Integer)
    rows_refused: Mapped[int] = mapped_column(Integer)
    problems: Mapped[list[str]] = mapped_column(JSON, default=list)
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    imported_by: Mapped[User] = relationship()

    __table_args__ = (CheckConstraint("outcome IN ('imported', 'partial', 'refused')", name="outcome_known"),)

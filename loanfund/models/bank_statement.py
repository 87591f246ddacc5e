"""The special account's bank statement (issue 29; 第十一条 封闭运行): the formats the banks export it in, each
import of a file, the lines it brought (each stored once, whatever the overlaps of the files), the bank's closing
balance by day, and each line's match with the journal entry that booked the same movement."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from loanfund.clock import utcnow
from loanfund.domain.money import Money
from loanfund.extensions import Model
from loanfund.models.base import TimestampMixin
from loanfund.types import MoneyType, UTCDateTime


class BankFormat(TimestampMixin, Model):
    """How one bank exports the special account's statement: a table (.xlsx or .csv) whose columns are named here —
    the header text of each field as the bank writes it (``statement_files.Columns``) — or CAMT.053."""

    __tablename__ = "bank_formats"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(16))
    columns: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (
        UniqueConstraint("fund_id", "name", name="uq_bank_formats_fund_name"),
        CheckConstraint("kind IN ('table', 'camt053')", name="kind_known"),
    )


class StatementImport(Model):
    """One file imported: who, when, which file (its SHA-256), the period it covers and what it brought — lines read,
    lines new, lines the fund had already from an earlier file, and the matches made on the way."""

    __tablename__ = "bank_statement_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)
    format_name: Mapped[str] = mapped_column(String(60))
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    lines_read: Mapped[int] = mapped_column(Integer)
    lines_added: Mapped[int] = mapped_column(Integer)
    lines_known: Mapped[int] = mapped_column(Integer)
    matched: Mapped[int] = mapped_column(Integer)
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)  # e.g. a day's balance unlike an earlier file's
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("id", "fund_id", name="uq_bank_statement_imports_of_its_fund"),
        CheckConstraint("period_start <= period_end", name="period_in_order"),
    )


class StatementLine(Model):
    """A movement on the special account as the bank reported it: + in, − out. Stored once per fund: the
    fingerprint (``domain.bank_statement.fingerprint``) is unique, so a file of an overlapping period adds only what
    is new, and two imports at once cannot both add a line. Append-only: a line is the bank's word."""

    __tablename__ = "bank_statement_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    import_id: Mapped[int] = mapped_column(Integer)
    row: Mapped[int] = mapped_column(Integer)  # where it was in the file that brought it
    booked_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Money] = mapped_column(MoneyType)
    counterparty: Mapped[str] = mapped_column(String(200), default="")
    reference: Mapped[str] = mapped_column(String(200), default="")
    balance: Mapped[Money | None] = mapped_column(MoneyType)
    bank_txn_id: Mapped[str] = mapped_column(String(120), default="")
    fingerprint: Mapped[str] = mapped_column(String(130))

    __table_args__ = (
        UniqueConstraint("fund_id", "fingerprint", name="uq_bank_statement_lines_fund_fingerprint"),
        UniqueConstraint("id", "fund_id", name="uq_bank_statement_lines_of_its_fund"),
        Index("ix_bank_statement_lines_fund_day", "fund_id", "booked_on"),
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        ForeignKeyConstraint(
            ["import_id", "fund_id"],
            ["bank_statement_imports.id", "bank_statement_imports.fund_id"],
            name="fk_bank_statement_lines_import_of_its_fund",
        ),
    )


class StatementBalance(Model):
    """The bank's balance of the special account at the end of a day, as a statement gave it (CAMT.053's closing
    balance, or a table's balance after the day's last line); the first file to give a day's balance keeps it."""

    __tablename__ = "bank_statement_balances"

    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    balance: Mapped[Money] = mapped_column(MoneyType)
    import_id: Mapped[int] = mapped_column(ForeignKey("bank_statement_imports.id"))


class StatementMatch(Model):
    """A statement line and the journal entry that booked the same movement: automatically (``auto``: the only pair
    that agrees by reference, amount and day) or by an operator (``hand``, with the reason). While it stands, one line
    has one entry and one entry one line: partial unique indexes, so two operators (or an operator and an import)
    cannot match either twice. Undone by an operator with a reason, never deleted: what was matched, by whom, and why
    it was undone stay on the row."""

    __tablename__ = "bank_statement_matches"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    line_id: Mapped[int] = mapped_column(Integer)
    entry_id: Mapped[int] = mapped_column(Integer, index=True)
    how: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(500), default="")
    matched_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    matched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    undo_reason: Mapped[str] = mapped_column(String(500), default="")

    __table_args__ = (
        CheckConstraint("how IN ('auto', 'hand')", name="how_known"),
        CheckConstraint("how = 'auto' OR length(reason) > 0", name="hand_has_reason"),
        CheckConstraint("undone_at IS NULL OR length(undo_reason) > 0", name="undone_has_reason"),
        Index(
            "uq_bank_statement_matches_line_standing",
            "line_id",
            unique=True,
            postgresql_where=text("undone_at IS NULL"),
            sqlite_where=text("undone_at IS NULL"),
        ),
        Index(
            "uq_bank_statement_matches_entry_standing",
            "entry_id",
            unique=True,
            postgresql_where=text("undone_at IS NULL"),
            sqlite_where=text("undone_at IS NULL"),
        ),
        ForeignKeyConstraint(
            ["line_id", "fund_id"],
            ["bank_statement_lines.id", "bank_statement_lines.fund_id"],
            name="fk_bank_statement_matches_line_of_its_fund",
        ),
        ForeignKeyConstraint(
            ["entry_id", "fund_id"],
            ["journal_entries.id", "journal_entries.fund_id"],
            name="fk_bank_statement_matches_entry_of_its_fund",
        ),
    )

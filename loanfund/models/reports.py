"""What is filed with the leading group office (DESIGN §6): monthly analyses as submitted, each a frozen revision, and
each application's usage statement as frozen at archiving. Both are kept as written; a correction is a new row."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loanfund.clock import utcnow
from loanfund.extensions import Model
from loanfund.models.access import User
from loanfund.types import UTCDateTime


class MonthlyReport(Model):
    """A month's analysis as the operator submitted it: the report's figures (``services.reports.reporting.Report``
    as JSON), revision 1, 2, … for the same month, the reason for a correction, who and when."""

    __tablename__ = "monthly_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)  # whose month (DESIGN §7)
    month: Mapped[date] = mapped_column(Date, index=True)  # the first day of the month
    revision: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    analysis: Mapped[str] = mapped_column(Text, default="", server_default="")  # the operator's analysis (第二十一条)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    submitted_by: Mapped[User] = relationship()

    __table_args__ = (
        UniqueConstraint("fund_id", "month", "revision", name="uq_monthly_reports_fund_month_revision"),
        CheckConstraint("revision >= 1", name="revision_positive"),
    )


class UsageStatement(Model):
    """An application's 使用情况说明表 as frozen when it was archived (第十九条): its figures as JSON, the archive date
    that is its 填表日期, and that it was filed with the leading group office."""

    __tablename__ = "usage_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    filed_on: Mapped[date] = mapped_column(Date)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    filed_with: Mapped[str] = mapped_column(Text)  # 领导小组办公室
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


RUN_STATES = ("queued", "running", "done", "failed")


class AuditPackRun(Model):
    """One building of a year's audit pack, asked for by the leading group and built outside the request (a large
    year takes longer than a web request may): queued, running, then done — with the file's size and SHA-256 — or
    failed with its reason. The newest finished pack of a year is kept; an older one's file goes (``removed_at``)."""

    __tablename__ = "audit_pack_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)  # whose year (DESIGN §7)
    year: Mapped[int] = mapped_column(Integer, index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[str] = mapped_column(String(8), default="queued", index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    applications: Mapped[int | None] = mapped_column(Integer)
    files: Mapped[int | None] = mapped_column(Integer)
    size: Mapped[int | None] = mapped_column(BigInteger)  # bytes
    sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str] = mapped_column(Text, default="")
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requested_by: Mapped[User] = relationship()

    __table_args__ = (CheckConstraint(f"state IN {RUN_STATES!r}", name="state_known"),)


class CohortDay(Model):
    """Kept totals of the report's breakdowns (issue 28; ``services.reports.cohorts``): the applications submitted on a
    ``day`` (cohort ``submitted``) or the bridges disbursed on it (``disbursed``, by value date), counted under each
    ``dimension`` (bank, district, size, industry, loan_type: as at submission) and, as they move, under their
    ``state``: a move on ``moved_on`` takes one from a state (−1) to another (+1). A cohort's states at the end of a
    day are the sum of its rows moved on or before it. Amounts in fen (requested, or approved for the bridges)."""

    __tablename__ = "cohort_days"

    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), primary_key=True)
    cohort: Mapped[str] = mapped_column(String(10), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    moved_on: Mapped[date] = mapped_column(Date, primary_key=True)
    dimension: Mapped[str] = mapped_column(String(10), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(BigInteger)


class StageTime(Model):
    """Kept stage times (issue 30; ``services.oversight.time_limits``): each wait of an application in a stage — from
    the move into its state to the move out of it (``ended_*`` None while it waits) — and application to money out
    (``whole``, from submission; gone when the application ends without money going out). Working days are counted
    when the stage ends, on the holiday calendar known then; whether it was over its limit is asked against the
    fund's limits when read. Written beside each move of an application's state (``spine.record``), checked against
    the events by the nightly reconciliation; an application imported from the 台账 has none (its moments are not
    known)."""

    __tablename__ = "stage_times"
    __table_args__ = (
        # the period's stages summed from the index alone (by stage and working days, with the shortest); the open
        # ones found by it too (``ended_on`` null)
        Index("ix_stage_times_fund_ended", "fund_id", "ended_on", "stage", "working_days", "seconds"),
        Index("ix_stage_times_application", "application_id", "stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    stage: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_on: Mapped[date] = mapped_column(Date)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_on: Mapped[date | None] = mapped_column(Date)
    working_days: Mapped[int | None] = mapped_column(Integer)
    seconds: Mapped[int | None] = mapped_column(Integer)

"""The leading group's register (第四、二十条): its meetings and their minutes, each decision it takes — on an
application, a blacklist entry, a monthly report it heard, a rules document filed with it, or any other 重大事项 —
and the platform's 管理制度, versioned, with the date each was filed with the group. Append-only: a correction is a
new record."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loanfund.clock import utcnow
from loanfund.extensions import Model
from loanfund.models.base import _in
from loanfund.types import UTCDateTime

if TYPE_CHECKING:
    from loanfund.models.access import User

DECISION_KINDS = ("application", "blacklist", "report", "rules", "dissolution", "other")


class GroupMeeting(Model):
    """A meeting of the leading group: when, who attended, its minutes (纪要) by number and as a file."""

    __tablename__ = "group_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)  # whose group met (DESIGN §7)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(100))
    attendees: Mapped[str] = mapped_column(Text)
    minutes_ref: Mapped[str] = mapped_column(String(64))  # numbered by each fund's group office
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("fund_id", "minutes_ref", name="uq_group_meetings_fund_minutes_ref"),)


class GroupDecision(Model):
    """One decision of the group, with the minutes it is written in (empty: taken outside a meeting, e.g. by
    circulation) and what it decided on."""

    __tablename__ = "group_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)  # whose group decided
    decided_on: Mapped[date] = mapped_column(Date, index=True)
    minutes_ref: Mapped[str] = mapped_column(String(64), default="", server_default="", index=True)
    kind: Mapped[str] = mapped_column(String(12))
    subject: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")  # the vote, the reasons
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    blacklist_entry_id: Mapped[int | None] = mapped_column(ForeignKey("blacklist_entries.id"), index=True)
    monthly_report_id: Mapped[int | None] = mapped_column(ForeignKey("monthly_reports.id"), index=True)
    rules_document_id: Mapped[int | None] = mapped_column(ForeignKey("rules_documents.id"), index=True)
    dissolution_id: Mapped[int | None] = mapped_column(ForeignKey("dissolutions.id"), index=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User] = relationship()

    __table_args__ = (
        CheckConstraint(_in("kind", DECISION_KINDS), name="kind_known"),
        # a group decides on its own fund's applications only
        ForeignKeyConstraint(
            ["application_id", "fund_id"],
            ["applications.id", "applications.fund_id"],
            name="fk_group_decisions_application_of_its_fund",
        ),
    )


class RulesDocument(Model):
    """A version of one of the platform's 管理制度 (第二十条: 报领导小组备案): its title, version number, file, and the
    date it was filed with the group."""

    __tablename__ = "rules_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)  # whose platform's rules
    title: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer)
    filed_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")  # what changed
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by: Mapped[User] = relationship()

    __table_args__ = (
        UniqueConstraint("fund_id", "title", "version", name="uq_rules_documents_fund_title_version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )


DISSOLUTION_STATES = ("proposed", "decided", "rejected", "approved", "closed")


class Dissolution(Model):
    """第二十六条: the fund's dissolution — proposed by the platform, decided by the group (with its minutes),
    approved by the government (its reply's reference), then the books closed by an entry that returns the net assets
    to the contributors by capital. From the government's approval the fund takes no application."""

    __tablename__ = "dissolutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), index=True)  # the fund dissolved, no other
    state: Mapped[str] = mapped_column(String(10), default="proposed")
    reason: Mapped[str] = mapped_column(Text)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approval_ref: Mapped[str | None] = mapped_column(String(64))  # the government's reply (批复文号)
    approved_on: Mapped[date | None] = mapped_column(Date)
    approval_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    journal_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"), unique=True)
    shares: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)  # each contributor: name, capital, share

    proposed_by: Mapped[User] = relationship(foreign_keys=[proposed_by_id])

    __table_args__ = (CheckConstraint(_in("state", DISSOLUTION_STATES), name="state_known"),)

"""The audit record: every change to the fund's data and settings, chained by SHA-256 so that a row changed, removed
or inserted afterwards breaks the chain at that row (``loanfund verify-audit``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loanfund.extensions import Model
from loanfund.models.access import User
from loanfund.types import UTCDateTime


class AuditRecord(Model):
    """One change: who (``actor_id``, with the role they acted in), when, what (``action`` on ``subject``
    #``subject_id``) and the values before and after. ``seq`` numbers the chain without gaps; ``hash`` is
    HMAC-SHA-256 under the audit key over the previous record's hash and this record's canonical content.
    Append-only: the database refuses UPDATE and DELETE."""

    __tablename__ = "audit_records"
    __table_args__ = (Index("ix_audit_records_row", "subject", "subject_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(40), index=True)
    subject_id: Mapped[int | None] = mapped_column(Integer)
    old: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # whose record it is: the fund of the row changed (DESIGN §7), None for the platform's rows — where the record
    # is shown, not what it proves (not part of the hash)
    fund_id: Mapped[int | None] = mapped_column(Integer, index=True)
    key_id: Mapped[str | None] = mapped_column(
        String(16)
    )  # which audit key signed it; None: plain SHA-256 (before 0032)

    actor: Mapped[User | None] = relationship()


class AuditHead(Model):
    """The chain's one head row: the last ``seq`` and ``hash``. Appending updates it first, so concurrent writers queue
    on its row lock and the chain never forks."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))

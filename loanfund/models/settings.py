"""Settings a fund's administrator changes without a release: the early-warning thresholds (R15). Each fund its own
(issue 27, DESIGN §7)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from loanfund.clock import utcnow
from loanfund.extensions import Model
from loanfund.types import UTCDateTime


class Setting(Model):
    """One named setting of one fund, its value as text, and who changed it last."""

    __tablename__ = "settings"

    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

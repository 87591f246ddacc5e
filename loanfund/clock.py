"""The fund's clock. Business dates are those of Lianyungang (Asia/Shanghai); stored times are UTC.

Tests move time with ``time-machine``; nothing sleeps.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

FUND_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Lianyungang."""
    return datetime.now(FUND_TZ).date()


def local(moment: datetime) -> datetime:
    return moment.astimezone(FUND_TZ)

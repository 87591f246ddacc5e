"""The fund's clock. Business dates are those of Lianyungang (Asia/Shanghai); stored times are UTC.

Tests move time with ``time-machine``; nothing sleeps.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

FUND_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Lianyungang."""
    return datetime.now(FUND_TZ).date()


def local(moment: datetime) -> datetime:
    return moment.astimezone(FUND_TZ)


def day_start(day: date) -> datetime:
    """The first moment of a Lianyungang day, in UTC (stored times are UTC): a day's bounds in a query."""
    return datetime.combine(day, time.min, tzinfo=FUND_TZ).astimezone(UTC)


def cn_day(value: date | datetime | None) -> str:
    """A date as official documents write it: 2026年11月29日 (a moment: its Lianyungang day)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = local(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


# The days a form or the API reads at all (issue 25): far past anything the fund records, and inside every calendar
# the database and date arithmetic handle — 0001-01-01 less a time zone, 9999-12-31 plus a day, answered 500.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2199, 12, 31)
DAY_OUT_OF_RANGE = f"日期须在 {EARLIEST_DAY.isoformat()} 至 {LATEST_DAY.isoformat()} 之间"

"""SQL both databases are asked in their own words: an INSERT that can say ON CONFLICT, the fund's day of a stored
time, and a date as an aggregate hands it back (SQLite: text)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, cast, func
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from loanfund.extensions import db


def dialect_insert() -> Any:
    """The session's database's INSERT, which takes ``on_conflict_do_update`` / ``on_conflict_do_nothing``."""
    return postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert


def local_day(column: Any) -> Any:
    """The fund's day (Asia/Shanghai, ``clock``) of a stored UTC time, in SQL: the zone's own rule on PostgreSQL, +8
    hours on SQLite (Asia/Shanghai keeps no summer time)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("Asia/Shanghai", column), Date)
    return func.date(column, "+8 hours")


def as_date(value: Any) -> date:
    """A date a query handed back: SQLite gives computed dates as text."""
    return date.fromisoformat(value) if isinstance(value, str) else value

"""SQL both databases are asked in their own words: an INSERT that can say ON CONFLICT (and a kept total added to
with it), the fund's day of a stored time, a date as an aggregate hands it back (SQLite: text), and a list of ids
as one parameter."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import ARRAY, Date, Integer, String, any_, case, cast, func, literal, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from loanfund.extensions import db


def dialect_insert() -> Any:
    """The session's database's INSERT, which takes ``on_conflict_do_update`` / ``on_conflict_do_nothing``."""
    return postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert


def add_to(model: Any, key: dict[str, Any], amounts: dict[str, Any], **written: Any) -> None:
    """Add ``amounts`` to ``model``'s row of ``key`` (its unique key's columns), or make the row — with ``written``,
    set only then: a kept total changed in one statement, which a concurrent twin adds to rather than overwrites."""
    statement = dialect_insert()(model).values(**key, **amounts, **written)
    columns = model.__table__.c
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[columns[name] for name in key],
            set_={name: columns[name] + statement.excluded[name] for name in amounts},
        )
    )


def local_day(column: Any) -> Any:
    """The fund's day (Asia/Shanghai, ``clock``) of a stored UTC time, in SQL: the zone's own rule on PostgreSQL, +8
    hours on SQLite (Asia/Shanghai keeps no summer time)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("Asia/Shanghai", column), Date)
    return func.date(column, "+8 hours")


def as_date(value: Any) -> date:
    """A date a query handed back: SQLite gives computed dates as text."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def among(column: Any, ids: Collection[int]) -> Any:
    """``column`` is one of ``ids``, the list sent as one parameter: an array on PostgreSQL (``= ANY``), JSON read by
    ``json_each`` on SQLite. Where a page has worked out a few thousand ids, an ``IN`` of as many parameters costs
    more to build and send than the query takes, and the planner sees the list's true length, which it cannot
    estimate for the subquery the ids came from."""
    values = [int(i) for i in ids]
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(values, ARRAY(Integer)))
    listed = func.json_each(json.dumps(values)).table_valued("value")
    return column.in_(select(listed.c.value))


def days_used(value_date: Any, received_on: Any) -> Any:
    """R2's days of a bridge in SQL — ``domain.rules.days_used``: calendar days from the value date to the day the money
    is back, 算头不算尾, at least 1 — so that a period's days are summed by the database rather than row by row
    (tests/integration/test_report_days.py holds the two equal)."""
    if db.session.get_bind().dialect.name == "postgresql":
        days = received_on - value_date
    else:
        days = cast(func.julianday(received_on) - func.julianday(value_date), Integer)
    return case((days < 1, 1), else_=days)


def add_days(day: Any, days: Any) -> Any:
    """A date column plus a number of days (a column or an expression), in SQL: ``date + integer`` on PostgreSQL,
    ``date(day, '+N days')`` on SQLite (text, which compares with a bound date as dates do)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return day + days
    return func.date(day, "+" + cast(days, String) + " days")

"""Lists of applications as an actor may see them (DESIGN §2): one query for the page, the API and their filters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import column, func, select, table, union
from sqlalchemy.orm import joinedload, subqueryload

from loanfund import clock
from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, Enterprise, User
from loanfund.models.parties import NAME_SEARCH
from loanfund.services.access import application_visibility


@dataclass(frozen=True)
class Criteria:
    """What a list is narrowed to: state, bank, the enterprise's district, size and industry, the day submitted
    (Lianyungang's days, both ends included), the amount requested (both ends included), and a search text — an
    application number (ZD2026…), a credit code, or part of the enterprise's name."""

    state: State | None = None
    bank_id: int | None = None
    district: str | None = None
    size: str | None = None
    industry: str | None = None
    loan_type: str | None = None  # R16: the kind of loan renewed
    submitted_from: date | None = None
    submitted_to: date | None = None
    amount_min: Money | None = None
    amount_max: Money | None = None
    text: str = ""


_NUMBER = re.compile(r"^ZD(\d{4})(\d{5,})$", re.IGNORECASE)
_WILDCARDS = re.compile(r"[%_\\]")  # what LIKE would read as a wildcard or an escape


def _where(actor: User, criteria: Criteria | State | None) -> list[object]:
    if not isinstance(criteria, Criteria):
        criteria = Criteria(state=criteria)
    c = criteria
    where: list[object] = [application_visibility(actor)]
    if c.state is not None:
        where.append(Application.state == c.state.value)
    if c.bank_id is not None:
        where.append(Application.bank_id == c.bank_id)
    if c.loan_type:
        where.append(Application.loan_type == c.loan_type)
    enterprise = [
        (Enterprise.district, c.district),
        (Enterprise.size, c.size),
        (Enterprise.industry, c.industry),
    ]
    for attribute, value in enterprise:
        if value:
            where.append(Application.enterprise_id.in_(select(Enterprise.id).where(attribute == value)))
    if c.submitted_from is not None or c.submitted_to is not None:
        where += _submitted_between(c.submitted_from, c.submitted_to)
    if c.amount_min is not None:
        where.append(Application.requested_amount >= c.amount_min)
    if c.amount_max is not None:
        where.append(Application.requested_amount <= c.amount_max)
    text = c.text.strip()
    if text:
        number = _NUMBER.match(text)
        if number:
            where.append(Application.id == int(number.group(2)))
        else:
            matching = union(select(Enterprise.id).where(Enterprise.credit_code == text.upper()), _named_like(text))
            where.append(Application.enterprise_id.in_(matching))
    return where


def _named_like(text: str) -> Any:
    """The ids of the enterprises whose name contains ``text``. PostgreSQL serves LIKE '%…%' from its trigram index
    (0052); SQLite from its FTS5 trigram table (0055) — which matches only a text of three characters or more and
    takes no ESCAPE, so a shorter text, or one with a LIKE wildcard in it, is looked for in the names themselves."""
    if db.session.get_bind().dialect.name == "sqlite" and len(text) >= 3 and not _WILDCARDS.search(text):
        names = table(NAME_SEARCH, column("rowid"), column("name"))
        return select(names.c.rowid).where(names.c.name.like(f"%{text}%"))
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return select(Enterprise.id).where(Enterprise.name.like(f"%{escaped}%", escape="\\"))


def _submitted_between(first: date | None, last: date | None) -> list[object]:
    """Submitted on the days from ``first`` to ``last`` (either open), and — so that a newest-first page starts where
    those are rather than reading every newer application (issue 28) — the ids between the lowest and the highest of
    them, found from the submission time's index. Exact whether or not ids follow submission times."""
    when = []
    if first is not None:
        when.append(Application.submitted_at >= clock.day_start(first))
    if last is not None:
        when.append(Application.submitted_at < clock.day_start(last + timedelta(days=1)))
    # ``id + 0``: not the bare key, so the database does not look for the lowest and highest id along the key's index
    # (past every newer application) but reads the days' rows from the submission time's
    shifted = Application.id + 0
    lowest, highest = db.session.execute(select(func.min(shifted), func.max(shifted)).where(*when)).one()
    if lowest is None:
        return [*when, Application.id.is_(None)]  # none: an empty page at once
    return [*when, Application.id.between(lowest, highest)]


def row_options() -> tuple[Any, ...]:
    """What a row of applications shows (its enterprise, bank, policy, receipts and bank claim), loaded with it in a
    number of round trips that does not grow with the rows: one-to-ones joined, receipts by one subquery."""
    return (
        joinedload(Application.enterprise),
        joinedload(Application.bank),
        joinedload(Application.policy_version),
        subqueryload(Application.receipts),
        joinedload(Application.bank_claim),
    )


def applications(
    actor: User,
    criteria: Criteria | State | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
    before_id: int | None = None,
) -> list[Application]:
    """Newest first, with what a list row shows loaded in the same round trips (no query per row). ``before_id``:
    the ones after that row in this order (a cursor: the primary key's index finds where to start, however deep)."""
    keyset = (Application.id < before_id,) if before_id is not None else ()
    return list(
        db.session.scalars(
            select(Application)
            .where(*keyset)
            .where(*_where(actor, criteria))  # type: ignore[arg-type]
            .options(*row_options())
            .order_by(Application.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )


# A list counts what matches up to here and then says "more than": counting further costs what the years add (a
# province's million applications), and no one pages through ten thousand rows — they filter.
COUNT_CAP = 10_000


@dataclass(frozen=True)
class Count:
    """How many match: ``number`` exactly, or — ``more`` — more than ``number``."""

    number: int
    more: bool = False


def count(actor: User, criteria: Criteria | State | None = None, *, exact: bool = False) -> Count:
    """How many applications match, reading at most ``COUNT_CAP`` + 1 of them (``exact``: all of them)."""
    cap = None if exact else COUNT_CAP
    matching = select(Application.id).where(*_where(actor, criteria))  # type: ignore[arg-type]
    if cap is not None:
        matching = matching.limit(cap + 1)
    number = db.session.scalar(select(func.count()).select_from(matching.subquery())) or 0
    if cap is not None and number > cap:
        return Count(cap, more=True)
    return Count(int(number))

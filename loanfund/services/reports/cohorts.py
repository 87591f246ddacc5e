"""Kept totals of the report's breakdowns (issue 28): the applications submitted on a day and the bridges disbursed on
a day, by bank, district, size, industry and kind of loan, and — as they move — by state.

And the bridges whose principal came all back on a day (cohort ``closed``), under their days used (R2, dimension
``days``, the key the number of days): a period's 周转天数 — how many closed, their days together and the longest —
read from a few rows a day rather than from every bridge back in the period and the year before (``closed_days``).

A report's breakdowns (``reporting.breakdowns``) count the applications submitted in its period by their state at its
end, and the bridges disbursed in it likewise. Reading each application's last event before the end made a year's
statistics read every event of the year. Instead every step writes, in its own transaction, what it changes here
(``moved``, called by ``spine.record`` for every event): a submission adds its application to its day's cohort under
each dimension and under its first state; an authorisation adds the bridge to its value date's cohort; a change of
state moves one application from one state to the other on the day it happens. A cohort's states at the end of a
day are then the sum of its moves up to that day — a few rows a day, whatever the years.

The attributes (bank, district, size, industry, kind of loan) are those when the application was submitted (its
enterprise's district, size and industry then); the bridges' amounts are their approved amounts, which their
disbursement entries debit to the receivables. ``rebuild`` writes them afresh from the record (a loader that wrote
applications past the steps); ``differences`` is the full reconciliation's check against it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import BigInteger, Integer, String, case, cast, delete, func, insert, literal, select, union_all

from loanfund import clock
from loanfund.domain.lifecycle import State
from loanfund.domain.rules import days_used
from loanfund.extensions import db
from loanfund.models import Application, ApplicationEvent, CohortDay, Enterprise
from loanfund.sql import add_to, as_date, local_day
from loanfund.sql import days_used as days_used_in_sql

SUBMITTED, DISBURSED, CLOSED = "submitted", "disbursed", "closed"
STATE, DAYS = "state", "days"
DIMENSIONS = ("bank", "district", "size", "industry", "loan_type")
# the money goes out: the one move from approved to disbursed (the authorisation, 第十七条)
OUT_FROM, OUT_TO = State.APPROVED.value, State.DISBURSED.value


def _add(
    fund_id: int, cohort: str, day: date, moved_on: date, dimension: str, key: str, count: int, amount: int
) -> None:
    row = {"fund_id": fund_id, "cohort": cohort, "day": day, "moved_on": moved_on, "dimension": dimension, "key": key}
    add_to(CohortDay, row, {"count": count, "amount": amount})


def _attributes(application: Application) -> dict[str, str]:
    enterprise = application.enterprise
    return {
        "bank": str(application.bank_id),
        "district": enterprise.district,
        "size": enterprise.size,
        "industry": enterprise.industry,
        "loan_type": application.loan_type,
    }


def moved(application: Application, from_state: str | None, to_state: str) -> None:
    """What an event changes in the kept totals: a submission, an authorisation (the bridge's money goes out on its
    value date), a change of state. In the event's transaction, with the application locked (or new)."""
    if from_state is not None and from_state == to_state:
        return
    today = clock.today()
    submitted_on = clock.local(application.submitted_at).date()
    requested = application.requested_amount.fen
    if from_state is None:
        for dimension, key in _attributes(application).items():
            _add(application.fund_id, SUBMITTED, submitted_on, submitted_on, dimension, key, 1, requested)
    else:
        _add(application.fund_id, SUBMITTED, submitted_on, today, STATE, from_state, -1, -requested)
    _add(application.fund_id, SUBMITTED, submitted_on, today, STATE, to_state, 1, requested)
    if application.authorised_at is None or application.value_date is None or application.approved_amount is None:
        return
    value_date, approved = application.value_date, application.approved_amount.fen
    if (from_state, to_state) == (OUT_FROM, OUT_TO):
        for dimension, key in _attributes(application).items():
            _add(application.fund_id, DISBURSED, value_date, value_date, dimension, key, 1, approved)
        _add(application.fund_id, DISBURSED, value_date, value_date, STATE, to_state, 1, approved)
        return
    assert from_state is not None  # a submission is never of a bridge out
    _add(application.fund_id, DISBURSED, value_date, today, STATE, from_state, -1, -approved)
    _add(application.fund_id, DISBURSED, value_date, today, STATE, to_state, 1, approved)


def closed(application: Application, was: date | None) -> None:
    """The bridge's principal is all back on ``application.received_on`` — where it was back on ``was`` before (None:
    not back): its days used (R2) counted on the day it came back, taken off the day it no longer came back on. In
    the step's transaction, with the application locked."""
    back = application.received_on
    if back == was:
        return
    assert application.value_date is not None  # back means it went out
    for day, sign in ((was, -1), (back, 1)):
        if day is not None:
            used = days_used(application.value_date, day)
            _add(application.fund_id, CLOSED, day, day, DAYS, str(used), sign, sign * used)


def closed_days(fund_id: int, start: date, end: date) -> tuple[int, int, int]:
    """The bridges whose principal came all back from ``start`` to ``end``: how many, their days used together and
    the longest (R2; 0 when none)."""
    count, total, longest = db.session.execute(
        select(
            func.coalesce(func.sum(CohortDay.count), 0),
            func.coalesce(func.sum(CohortDay.amount), 0),
            func.coalesce(func.max(case((CohortDay.count > 0, cast(CohortDay.key, Integer)))), 0),
        ).where(
            CohortDay.fund_id == fund_id,
            CohortDay.cohort == CLOSED,
            CohortDay.day >= start,
            CohortDay.day <= end,
        )
    ).one()
    return int(count), int(total), int(longest)


def totals(fund_id: int, cohort: str, start: date, end: date) -> dict[tuple[str, str], tuple[int, int]]:
    """(dimension, key) → (count, amount) of the cohort's days from ``start`` to ``end``, its states as they stood at
    the end of ``end``."""
    rows = db.session.execute(
        select(CohortDay.dimension, CohortDay.key, func.sum(CohortDay.count), func.sum(CohortDay.amount))
        .where(
            CohortDay.fund_id == fund_id,
            CohortDay.cohort == cohort,
            CohortDay.day >= start,
            CohortDay.day <= end,
            CohortDay.moved_on <= end,
        )
        .group_by(CohortDay.dimension, CohortDay.key)
    ).all()
    return {(d, k): (int(n or 0), int(a or 0)) for d, k, n, a in rows if n}


def submitted(fund_id: int, start: date, end: date) -> tuple[int, int]:
    """How many applications were submitted from ``start`` to ``end`` and the amount they asked for (fen): the
    submitted cohort under one of its attributes (each counts every application once)."""
    count, amount = db.session.execute(
        select(func.coalesce(func.sum(CohortDay.count), 0), func.coalesce(func.sum(CohortDay.amount), 0)).where(
            CohortDay.fund_id == fund_id,
            CohortDay.cohort == SUBMITTED,
            CohortDay.dimension == DIMENSIONS[-1],
            CohortDay.day >= start,
            CohortDay.day <= end,
        )
    ).one()
    return int(count), int(amount)


# -- from the record ------------------------------------------------------------------------------------------------


def from_record(fund_id: int) -> Any:
    """Every row the steps would have kept, worked out from the applications and their events (a query)."""
    submitted_on = local_day(Application.submitted_at)
    requested = cast(Application.requested_amount, BigInteger)
    approved = cast(Application.approved_amount, BigInteger)
    of_fund = Application.fund_id == fund_id
    authorised = Application.authorised_at.is_not(None)
    parts = []
    columns = {
        "bank": cast(Application.bank_id, String),
        "district": Enterprise.district,
        "size": Enterprise.size,
        "industry": Enterprise.industry,
        "loan_type": Application.loan_type,
    }
    for dimension, key in columns.items():
        base = select().select_from(Application).join(Enterprise, Enterprise.id == Application.enterprise_id)
        parts.append(
            base.add_columns(
                literal(SUBMITTED).label("cohort"),
                submitted_on.label("day"),
                submitted_on.label("moved_on"),
                literal(dimension).label("dimension"),
                key.label("key"),
                literal(1).label("count"),
                requested.label("amount"),
            ).where(of_fund)
        )
        parts.append(
            base.add_columns(
                literal(DISBURSED),
                Application.value_date,
                Application.value_date,
                literal(dimension),
                key,
                literal(1),
                approved,
            ).where(of_fund, authorised)
        )
    moved_on = local_day(ApplicationEvent.at)
    changed = ApplicationEvent.from_state.is_(None) | (ApplicationEvent.from_state != ApplicationEvent.to_state)
    events = select().select_from(ApplicationEvent).join(Application, Application.id == ApplicationEvent.application_id)

    def moves(query: Any, cohort: str, day: Any, amount: Any, *where: Any) -> list[Any]:
        """Each change of state: +1 into the event's state, −1 out of the one before (none before a submission)."""
        into = (ApplicationEvent.to_state, literal(1), amount)
        out_of = (ApplicationEvent.from_state, literal(-1), -amount)
        return [
            query.add_columns(literal(cohort), day, moved_on, literal(STATE), *into).where(*where),
            query.add_columns(literal(cohort), day, moved_on, literal(STATE), *out_of).where(
                *where, ApplicationEvent.from_state.is_not(None)
            ),
        ]

    parts += moves(events, SUBMITTED, submitted_on, requested, of_fund, changed)
    # each bridge's move out (approved → disbursed), once — joined to, not asked again for every event of the years
    out = (
        select(ApplicationEvent.application_id.label("application_id"), func.max(ApplicationEvent.id).label("event_id"))
        .where(ApplicationEvent.from_state == OUT_FROM, ApplicationEvent.to_state == OUT_TO)
        .group_by(ApplicationEvent.application_id)
        .subquery()
    )
    after_out = events.join(
        out, (out.c.application_id == ApplicationEvent.application_id) & (ApplicationEvent.id > out.c.event_id)
    )
    parts.append(  # a bridge out: disbursed on its value date, then each move after
        select(
            literal(DISBURSED),
            Application.value_date,
            Application.value_date,
            literal(STATE),
            literal(OUT_TO),
            literal(1),
            approved,
        ).where(of_fund, authorised)
    )
    parts += moves(after_out, DISBURSED, Application.value_date, approved, of_fund, authorised, changed)
    used = days_used_in_sql(Application.value_date, Application.received_on)
    parts.append(  # a bridge back: its days used, on the day its principal was all back
        select(
            literal(CLOSED),
            Application.received_on,
            Application.received_on,
            literal(DAYS),
            cast(used, String),
            literal(1),
            cast(used, BigInteger),
        ).where(of_fund, Application.received_on.is_not(None), Application.value_date.is_not(None))
    )
    every = union_all(*parts).subquery()
    return select(
        every.c.cohort,
        every.c.day,
        every.c.moved_on,
        every.c.dimension,
        every.c.key,
        cast(func.sum(every.c.count), Integer),
        cast(func.sum(every.c.amount), BigInteger),
    ).group_by(every.c.cohort, every.c.day, every.c.moved_on, every.c.dimension, every.c.key)


def rebuild(fund_id: int) -> None:
    """Write the fund's rows afresh from the record — for a loader (bench/generate.py), never on the fund's path."""
    db.session.execute(delete(CohortDay).where(CohortDay.fund_id == fund_id))
    rows = [
        {
            "fund_id": fund_id,
            "cohort": cohort,
            "day": as_date(day),
            "moved_on": as_date(moved_on),
            "dimension": dimension,
            "key": key,
            "count": int(count),
            "amount": int(amount),
        }
        for cohort, day, moved_on, dimension, key, count, amount in db.session.execute(from_record(fund_id))
        if count or amount
    ]
    for first in range(0, len(rows), 5000):
        db.session.execute(insert(CohortDay), rows[first : first + 5000])


def differences(fund_id: int) -> list[str]:
    """The kept rows that differ from the record, named (the full reconciliation)."""
    kept = {
        (r.cohort, r.day, r.moved_on, r.dimension, r.key): (r.count, r.amount)
        for r in db.session.scalars(select(CohortDay).where(CohortDay.fund_id == fund_id))
        if r.count or r.amount
    }
    found = []
    for cohort, day, moved_on, dimension, key, count, amount in db.session.execute(from_record(fund_id)):
        if not count and not amount:
            continue
        at = (cohort, as_date(day), as_date(moved_on), dimension, key)
        if kept.pop(at, None) != (int(count), int(amount)):
            found.append(f"{cohort} {at[1].isoformat()} {at[2].isoformat()} {dimension}={key}")
    found += [f"{c} {d.isoformat()} {m.isoformat()} {k}={v}" for c, d, m, k, v in sorted(kept)]
    return found

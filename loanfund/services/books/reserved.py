"""The fund's reservations day by day (R8; issue 28): what ``fund.reserve``, ``fund.release`` and a disbursement's
``move_cash`` keep in ``ReservedDay``, read for a report's days, and the same worked out from the applications for a
loader and for the full reconciliation.

From the record: an approval reserves its amount on the day it is approved; the reservation is given back on the day
of the first step that releases it — the authorisation (the money goes out) or the end of the approval without it
(withdrawn, cancelled, rejected by the group).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, cast, delete, func, insert, select

from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, ApplicationEvent, ReservedDay
from loanfund.services.books import fund
from loanfund.services.lifecycle import STEPS
from loanfund.sql import as_date, local_day

RELEASING = tuple(action.value for action, step in STEPS.items() if step.releases_reservation)


def moves(fund_id: int, start: date, end: date) -> dict[date | None, int]:
    """How the reservations move each day from ``start`` to ``end`` (key None: what is reserved as ``start`` opens):
    the position now less the days since ``start`` — a row a day."""
    rows = db.session.execute(
        select(ReservedDay.day, ReservedDay.reserved - ReservedDay.released).where(
            ReservedDay.fund_id == fund_id, ReservedDay.day >= start
        )
    ).all()
    found: dict[date | None, int] = {day: int(net) for day, net in rows if day <= end}
    found[None] = fund.position(fund_id).reserved.fen - sum(int(net) for _, net in rows)
    return found


def from_record(fund_id: int) -> dict[date, tuple[int, int]]:
    """Each day's reservations made and given back, from the applications and their events."""
    amount = cast(Application.approved_amount, BigInteger)
    of_fund = Application.fund_id == fund_id
    found: dict[date, list[int]] = {}
    for day, fen in db.session.execute(
        select(Application.approved_on, func.sum(amount))
        .where(of_fund, Application.approved_on.is_not(None))
        .group_by(Application.approved_on)
    ):
        found.setdefault(as_date(day), [0, 0])[0] += int(fen)
    first = (
        select(ApplicationEvent.application_id, func.min(ApplicationEvent.id).label("event_id"))
        .join(Application, Application.id == ApplicationEvent.application_id)
        .where(of_fund, Application.approved_on.is_not(None), ApplicationEvent.action.in_(RELEASING))
        .group_by(ApplicationEvent.application_id)
        .subquery()
    )
    released_on = local_day(ApplicationEvent.at)
    for day, fen in db.session.execute(
        select(released_on, func.sum(amount))
        .select_from(first)
        .join(ApplicationEvent, ApplicationEvent.id == first.c.event_id)
        .join(Application, Application.id == first.c.application_id)
        .group_by(released_on)
    ):
        found.setdefault(as_date(day), [0, 0])[1] += int(fen)
    return {day: (made, back) for day, (made, back) in found.items()}


def rebuild(fund_id: int) -> None:
    """Write the fund's days afresh from the record — for a loader (bench/generate.py), never on the fund's path."""
    db.session.execute(delete(ReservedDay).where(ReservedDay.fund_id == fund_id))
    rows = [
        {"fund_id": fund_id, "day": day, "reserved": made, "released": back}
        for day, (made, back) in sorted(from_record(fund_id).items())
    ]
    for first in range(0, len(rows), 5000):
        db.session.execute(insert(ReservedDay), rows[first : first + 5000])


def differences(fund_id: int) -> list[str]:
    """The days whose kept reservations differ from the record, and the kept days against the position, named."""
    kept = {
        row.day: (int(row.reserved), int(row.released))
        for row in db.session.scalars(select(ReservedDay).where(ReservedDay.fund_id == fund_id))
        if row.reserved or row.released
    }
    held = sum(made - back for made, back in kept.values())
    found = []
    for day, expected in sorted(from_record(fund_id).items()):
        if kept.pop(day, (0, 0)) != expected:
            found.append(day.isoformat())
    found += [day.isoformat() for day in sorted(kept)]
    if Money(held) != fund.position(fund_id).reserved:
        found.append("合计 ≠ 资金头寸")
    return found

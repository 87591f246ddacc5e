"""The bridges out as indexed facts (issue 28): one ``BridgeOut`` row per bridge whose money is out, with its due date,
renewal deadline, principal out and shortfall, kept by every step that writes the application (``spine.record``
calls ``keep``) in the step's own transaction, under the application's lock.

The workbenches, the early warnings and the reconciliation page count and order the bridges out from it in SQL and
load the few they show; the daily sweep looks only at the rows whose ``next_look_on`` has come. Every figure on a
row is worked out here by the domain (due date R4, deadline R9, the account of 第十八条) — the conditions the pages
count in SQL (``overdue``, ``due_within`` …) are the same comparisons of these facts, and a test holds each count
equal to the domain's own answer over a mixed fund. The full reconciliation checks every row against the record
(``differences``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import BigInteger, delete, func, select, update
from sqlalchemy.orm import joinedload, subqueryload
from sqlalchemy.sql.elements import ColumnElement

from loanfund import clock
from loanfund.domain.lifecycle import MONEY_OUT_STATES
from loanfund.domain.money import Money
from loanfund.domain.policy import Policy
from loanfund.domain.rules import due_date
from loanfund.domain.watch import BridgeFacts, next_look, renewal_deadline
from loanfund.extensions import db
from loanfund.models import Application, BridgeOut
from loanfund.services.applications.listing import row_options
from loanfund.services.lifecycle.settlement import account_of
from loanfund.services.lifecycle.spine import application_policy

OUT_VALUES = tuple(sorted(s.value for s in MONEY_OUT_STATES))
COLUMNS = (
    "fund_id",
    "bank_id",
    "enterprise_id",
    "state",
    "value_date",
    "planned_on",
    "due_on",
    "renewal_due_on",
    "renewed",
    "renewal_short",
    "back_on",
    "principal_out",
    "returns",
    "shortfall",
)


def facts(application: Application, today: date | None = None, policy: Policy | None = None) -> BridgeFacts:
    """What the watch needs to know of a bridge out on ``today`` (its receipts and bank claim loaded). ``policy``: the
    application's, when the caller has it already."""
    today = today or clock.today()
    policy = policy or application_policy(application)
    account = account_of(application, today, policy)
    assert account is not None and application.value_date is not None and application.committed_amount
    return BridgeFacts(
        value_date=application.value_date,
        renewed=application.renewed_on is not None,
        committed_amount=application.committed_amount,
        renewed_amount=application.new_loan_amount,
        account=account,
        receipts=len(application.receipts),
    )


def values(application: Application, today: date | None = None) -> dict[str, Any] | None:
    """The row a bridge out has, as the domain works it out; None when its money is not out."""
    if application.state not in OUT_VALUES:
        return None
    today = today or clock.today()
    policy = application_policy(application)
    seen = facts(application, today, policy)
    account = seen.account
    assert application.value_date is not None
    return {
        "fund_id": application.fund_id,
        "bank_id": application.bank_id,
        "enterprise_id": application.enterprise_id,
        "state": application.state,
        "value_date": application.value_date,
        "planned_on": application.value_date + timedelta(days=application.requested_days),
        "due_on": due_date(policy, application.value_date),
        "renewal_due_on": renewal_deadline(policy, application.value_date),
        "renewed": seen.renewed,
        "renewal_short": seen.renewed_amount is not None and seen.renewed_amount < seen.committed_amount,
        "back_on": application.received_on,
        "principal_out": account.principal_outstanding,
        "returns": seen.receipts,
        # 收回不足 (the watch's RETURN_SHORTFALL): money came back and some is still owed — the fee of a bridge whose
        # principal is all back is fixed from then on, so this does not change with the day
        "shortfall": bool(seen.receipts) and account.outstanding.is_positive,
    }


def keep(application: Application) -> None:
    """Bring the application's row up to date after a step wrote it: written while its money is out (the sweep looks
    at it at its next run), gone once it is not. Called with the application locked, in the step's transaction."""
    if application.state not in OUT_VALUES:
        db.session.execute(delete(BridgeOut).where(BridgeOut.application_id == application.id))
        return
    db.session.flush()
    db.session.expire(application, ["bank_claim"])  # a claim recorded by this step is not in the loaded view yet
    found = values(application)
    assert found is not None
    row = db.session.get(BridgeOut, application.id)
    if row is None:
        row = BridgeOut(application_id=application.id, version=0)
        db.session.add(row)
    for name, value in found.items():
        setattr(row, name, value)
    row.next_look_on = clock.today()
    row.version += 1


def rebuild(fund_id: int) -> int:
    """Every row of a fund made again from the record (a loader writes applications past the steps: bench/generate.py;
    and the repair after a reconciliation names a difference). Returns the bridges out. Committed by the caller."""
    db.session.execute(delete(BridgeOut).where(BridgeOut.fund_id == fund_id))
    today = clock.today()
    made = 0
    for application in _out(Application.fund_id == fund_id):
        found = values(application, today)
        assert found is not None
        db.session.add(BridgeOut(application_id=application.id, version=1, next_look_on=today, **found))
        made += 1
    db.session.flush()
    return made


def _out(where: ColumnElement[bool]) -> list[Application]:
    return list(
        db.session.scalars(
            select(Application)
            .where(where, Application.state.in_(OUT_VALUES))
            .options(
                joinedload(Application.policy_version),
                subqueryload(Application.receipts),
                joinedload(Application.bank_claim),
            )
            .order_by(Application.id)
        )
    )


def differences(fund_id: int, today: date | None = None) -> list[str]:
    """The full reconciliation's check of the read model: each bridge out's row against what the domain works out
    from the record today, and no row without a bridge out behind it. Lines naming each difference."""
    today = today or clock.today()
    rows = {r.application_id: r for r in db.session.scalars(select(BridgeOut).where(BridgeOut.fund_id == fund_id))}
    found = []
    for application in _out(Application.fund_id == fund_id):
        row = rows.pop(application.id, None)
        expected = values(application, today)
        assert expected is not None
        if row is None:
            found.append(f"#{application.id} 缺少在外转贷记录")
            continue
        differ = [name for name in COLUMNS if getattr(row, name) != expected[name]]
        if differ:
            found.append(f"#{application.id} {'、'.join(differ)}")
    found += [f"#{orphan} 资金已不在外" for orphan in sorted(rows)]
    return found


# -- what the pages count ------------------------------------------------------------------------------------------


def overdue_shown(today: date) -> ColumnElement[bool]:
    """R4 as every application shows it (``lifecycle.overdue``): the principal not back by the end of the due date."""
    return (BridgeOut.due_on < today) & BridgeOut.back_on.is_(None)


def principal_overdue(today: date) -> ColumnElement[bool]:
    """The watch's 用款逾期: past the due date with principal still owed by the bridge (not by its bank, R12)."""
    return (BridgeOut.due_on < today) & (BridgeOut.principal_out > Money.zero())


def due_within(today: date, days: int) -> ColumnElement[bool]:
    """Early warning's 即将到期: principal owed and due in ``days`` days or fewer, today included."""
    return (
        (BridgeOut.principal_out > Money.zero())
        & (BridgeOut.due_on >= today)
        & (BridgeOut.due_on <= today + timedelta(days=days))
    )


def out_too_long(today: date) -> ColumnElement[bool]:
    """Principal owed and out more days than asked for (R2 days from the value date, at least one)."""
    return (BridgeOut.principal_out > Money.zero()) & (BridgeOut.planned_on < today) & BridgeOut.back_on.is_(None)


def renewal_overdue(today: date) -> ColumnElement[bool]:
    """The watch's 银行逾期未续贷 (R9): not renewed, principal owed, past the bank's deadline."""
    return BridgeOut.renewed.is_(False) & (BridgeOut.principal_out > Money.zero()) & (BridgeOut.renewal_due_on < today)


def owes() -> ColumnElement[bool]:
    """The bridge still owes something itself: principal, or (money having come back) the rest of its fee. One whose
    bank's claim holds what it owed (R12) owes nothing and has no warnings of its own."""
    return (BridgeOut.principal_out > Money.zero()) | BridgeOut.shortfall.is_(True)


def shortfall() -> ColumnElement[bool]:
    """The watch's 收回不足."""
    return BridgeOut.shortfall.is_(True)


def renewal_short() -> ColumnElement[bool]:
    """The watch's 续贷金额少于承诺, on a bridge that still owes."""
    return BridgeOut.renewal_short.is_(True) & owes()


# -- the sweep -----------------------------------------------------------------------------------------------------


def to_look_at(today: date) -> list[tuple[Application, int]]:
    """The bridges out whose day has come (``next_look_on``), each with its row's version, loaded for the watch."""
    seen = dict(
        db.session.execute(
            select(BridgeOut.application_id, BridgeOut.version).where(BridgeOut.next_look_on <= today)
        ).all()
    )
    if not seen:
        return []
    applications = db.session.scalars(
        select(Application)
        .where(Application.id.in_(list(seen)), Application.state.in_(OUT_VALUES))
        .options(*row_options())
        .order_by(Application.id)
    ).all()
    return [(a, int(seen[a.id])) for a in applications]


def looked_at(application: Application, version: int, seen: BridgeFacts, today: date) -> None:
    """The sweep looked at the bridge today: its next day is the domain's. Only if no step wrote the row since the
    sweep read it (its version): a step's change is looked at again at the next run."""
    policy = application_policy(application)
    after = int(current_app.config["BLACKLIST_PROPOSE_AFTER_OVERDUE_DAYS"])
    db.session.execute(
        update(BridgeOut)
        .where(BridgeOut.application_id == application.id, BridgeOut.version == version)
        .values(next_look_on=next_look(policy, seen, today, after))
    )


def principal_sum() -> Any:
    """The principal out of the rows selected, as whole fen (0 for none)."""
    return func.coalesce(func.sum(BridgeOut.principal_out), 0, type_=BigInteger())

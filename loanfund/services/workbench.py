"""What each role has to do next: the dashboard figures and the work queues (DESIGN §2, §3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, select
from sqlalchemy.orm import joinedload, subqueryload

from loanfund import clock
from loanfund.domain.eligibility import Size
from loanfund.domain.lifecycle import MONEY_OUT_STATES, Role, State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, Enterprise, User
from loanfund.services import fund, ledger
from loanfund.services.access import application_visibility
from loanfund.services.views import application_view


@dataclass(frozen=True)
class Row:
    """An application in a queue, with the figures the queue shows."""

    application: Application
    days_used: int | None = None
    days_left: int | None = None
    due: date | None = None
    overdue: bool = False


@dataclass(frozen=True)
class Queue:
    key: str
    title: str
    rows: list[Row]


@dataclass(frozen=True)
class Dashboard:
    """For platform staff, the leading group and the administrator the fund's whole position; for a bank or an
    enterprise only its own bridges (``cash``, ``reserved`` and ``available`` are then None)."""

    cash: Money | None
    reserved: Money | None
    out: Money
    available: Money | None
    due_today: int
    overdue: int


def _load(user: User, *states: State) -> list[Application]:
    # SMEs are served first (R10), then first come, first served.
    large_last = case((Enterprise.size == Size.LARGE.value, 1), else_=0)
    return list(
        db.session.scalars(
            select(Application)
            .join(Enterprise, Application.enterprise_id == Enterprise.id)
            .where(application_visibility(user), Application.state.in_([s.value for s in states]))
            .options(
                joinedload(Application.enterprise),
                joinedload(Application.bank),
                joinedload(Application.policy_version),
                subqueryload(Application.receipts),
                joinedload(Application.bank_claim),
            )
            .order_by(large_last, Application.submitted_at, Application.id)
        )
    )


def _out_row(user: User, application: Application, today: date) -> Row:
    """A bridge out, with its figures from the read model (R2 days used, R4 due date and overdue)."""
    view = application_view(user, application, today=today)
    assert view.due is not None and view.account is not None
    return Row(application, view.account.days, (view.due - today).days, view.due, view.overdue)


def money_out(user: User, today: date | None = None) -> list[Row]:
    today = today or clock.today()
    return [_out_row(user, a, today) for a in _load(user, *MONEY_OUT_STATES)]


def queues(user: User) -> list[Queue]:
    """The queues of the user's role, in the order the work flows."""
    role = user.role_enum
    today = clock.today()
    out = money_out(user, today)
    if role is Role.REVIEWER:
        return [Queue("submitted", "待受理", [Row(a) for a in _load(user, State.SUBMITTED)])]
    if role is Role.OPERATOR:
        approved = _load(user, State.APPROVED)
        return [
            Queue("to_approve", "待审批", [Row(a) for a in _load(user, State.BANK_COMMITTED)]),
            Queue("to_disburse", "待放款", [Row(a) for a in approved if a.prepared_by_id is None]),
            Queue("to_authorise", "待复核", [Row(a) for a in approved if a.prepared_by_id is not None]),
            Queue("out", "已放款未收回", [r for r in out if not r.overdue]),
            Queue("overdue", "逾期", [r for r in out if r.overdue]),
            Queue("to_archive", "待归档", [Row(a) for a in _load(user, State.REPAID)]),
        ]
    if role is Role.BANK:
        return [
            Queue("to_commit", "待出具转贷承诺", [Row(a) for a in _load(user, State.ACCEPTED)]),
            Queue("to_renew", "待确认续贷", [r for r in out if r.application.state == State.DISBURSED.value]),
            Queue("to_return", "待划回资金", out),
        ]
    if role is Role.GROUP:
        return [
            Queue("group_review", "待领导小组审批", [Row(a) for a in _load(user, State.GROUP_REVIEW)]),
            Queue("recovery", "追偿中", [r for r in out if r.application.state == State.RECOVERY.value]),
            Queue("overdue", "逾期", [r for r in out if r.overdue]),
        ]
    if role is Role.ENTERPRISE:
        return [Queue("mine", "本企业的申请", [Row(a) for a in _load(user, *State)])]
    return []


def dashboard(user: User) -> Dashboard:
    """The money out and the dates that matter today, over what the user may see; the fund's position for staff."""
    today = clock.today()
    out = money_out(user, today)
    # Only the bridges out carry a receivable (repaid ⇒ 0, written off or claimed from the bank ⇒ moved; `reconcile`
    # proves it), so theirs are the whole money out — without summing every receivable ever opened. A bank or an
    # enterprise: its own bridges out; staff and the administrator (who sees no applications): the fund's.
    if user.role_enum in (Role.BANK, Role.ENTERPRISE):
        bridges = [r.application.id for r in out]
    else:
        bridges = list(
            db.session.scalars(select(Application.id).where(Application.state.in_([s.value for s in MONEY_OUT_STATES])))
        )
    receivables = ledger.balances_by_prefix("receivable", bridges)
    planned_today = sum(
        1
        for r in out
        if r.application.value_date and r.application.value_date + timedelta(days=r.application.requested_days) == today
    )
    overdue = sum(1 for r in out if r.overdue)
    outstanding = sum(receivables.values(), Money.zero())
    if user.role_enum in (Role.BANK, Role.ENTERPRISE):
        return Dashboard(None, None, outstanding, None, planned_today, overdue)
    position = fund.position()
    return Dashboard(position.cash, position.reserved, outstanding, position.available, planned_today, overdue)

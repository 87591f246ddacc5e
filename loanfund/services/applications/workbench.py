"""What each role has to do next: the dashboard figures and the work queues (DESIGN §2, §3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select

from loanfund import clock
from loanfund.domain.eligibility import Size
from loanfund.domain.ledger import RECEIVABLES
from loanfund.domain.lifecycle import Role, State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, BridgeOut, Enterprise, User
from loanfund.services.access import application_visibility
from loanfund.services.applications.listing import row_options
from loanfund.services.books import fund, ledger
from loanfund.services.funds import own_fund
from loanfund.services.lifecycle import account_of, bridges


@dataclass(frozen=True)
class Row:
    """An application in a queue, with the figures the queue shows."""

    application: Application
    days_used: int | None = None
    days_left: int | None = None
    due: date | None = None
    overdue: bool = False


# A queue shows its first rows in the order the work is taken (R10: SMEs first, then first come, first served) and
# how many it holds; the rest are on the list of applications. A province's fund holds thousands in some queues.
QUEUE_ROWS = 50


@dataclass(frozen=True)
class Queue:
    key: str
    title: str
    rows: list[Row]
    total: int
    state: str | None = None  # the list's filter that shows the whole queue, when one state is the queue

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


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


def _in_states(user: User, states: tuple[State, ...], where: Any = None) -> Any:
    condition = and_(application_visibility(user), Application.state.in_([s.value for s in states]))
    return condition if where is None else and_(condition, where)


def _ordered(query: Any) -> Any:
    # SMEs are served first (R10), then first come, first served.
    large_last = case((Enterprise.size == Size.LARGE.value, 1), else_=0)
    return query.join(Enterprise, Application.enterprise_id == Enterprise.id).order_by(
        large_last, Application.submitted_at, Application.id
    )


def _waiting(user: User, key: str, title: str, *states: State, where: Any = None, oldest_first: bool = False) -> Queue:
    """A queue of applications waiting for a step: its first ``QUEUE_ROWS`` and how many there are. SMEs first
    (R10), then first come, first served; ``oldest_first``: simply the oldest first — for the book-keeping after the
    money is back (archiving), where R10's priority has been served, and whose queue the years make long: its first
    rows are read from an index instead of sorting them all."""
    condition = _in_states(user, states, where)
    query = select(Application).where(condition).options(*row_options())
    ordered = query.order_by(Application.id) if oldest_first else _ordered(query)
    first = db.session.scalars(ordered.limit(QUEUE_ROWS)).all()
    total = db.session.scalar(select(func.count()).select_from(Application).where(condition)) or 0
    return Queue(key, title, [Row(a) for a in first], int(total), states[0].value if len(states) == 1 else None)


def _visible_out(user: User, where: Any = None) -> Any:
    """The bridges out ``user`` may see (``where``: a condition on their facts, ``bridges``). Who sees what is
    ``application_visibility``'s; the same narrowing said of the bridges' own columns (their fund, bank or
    enterprise) lets the database start from the few bridges out — by their index, in due order — rather than from
    every application of a fund or a bank (SQLite without its statistics chose that: 2.8 s for a bank's home page at a
    million; the nightly reconciliation keeps them, ``sqlite.refresh_statistics``). It can narrow, never widen."""
    narrowing: Any = BridgeOut.fund_id == user.fund_id
    if user.role_enum is Role.BANK:
        narrowing = BridgeOut.bank_id == user.bank_id
    elif user.role_enum is Role.ENTERPRISE:
        narrowing = BridgeOut.enterprise_id == user.enterprise_id
    condition = and_(BridgeOut.application_id == Application.id, narrowing, application_visibility(user))
    return condition if where is None else and_(condition, where)


def _out(user: User, key: str, title: str, where: Any = None, state: State | None = None) -> Queue:
    """A queue of bridges out, soonest due first: its first ``QUEUE_ROWS`` with their days and due dates (R2, R4),
    and how many there are — counted from their facts (``bridges``), never an object per bridge out."""
    today = clock.today()
    condition = _visible_out(user, where)
    soonest = (BridgeOut.due_on, BridgeOut.application_id)
    # the first ids chosen alone — the index of the bridges' due dates read in order until there are enough — and
    # only those loaded with what a row shows; asked together, the database joined every bridge out to its
    # application and enterprise before sorting (4,242 overdue at a million: 54 ms to a few)
    ids = db.session.scalars(
        select(BridgeOut.application_id).join(Application).where(condition).order_by(*soonest).limit(QUEUE_ROWS)
    ).all()
    first = db.session.execute(
        select(Application, BridgeOut)
        .join(BridgeOut, BridgeOut.application_id == Application.id)
        .where(Application.id.in_(ids))
        .options(*row_options())
        .order_by(*soonest)
    ).all()
    total = db.session.scalar(select(func.count()).select_from(BridgeOut).join(Application).where(condition)) or 0
    rows = []
    for application, facts in first:
        account = account_of(application, today)
        assert account is not None
        overdue = facts.due_on < today and facts.back_on is None
        rows.append(Row(application, account.days, (facts.due_on - today).days, facts.due_on, overdue))
    return Queue(key, title, rows, int(total), state.value if state else None)


def queues(user: User) -> list[Queue]:
    """The queues of the user's role, in the order the work flows."""
    role = user.role_enum
    today = clock.today()
    if role is Role.REVIEWER:
        return [_waiting(user, "submitted", "待受理", State.SUBMITTED)]
    if role is Role.OPERATOR:
        unprepared = Application.prepared_by_id.is_(None)
        return [
            _waiting(user, "to_approve", "待审批", State.BANK_COMMITTED),
            _waiting(user, "to_disburse", "待放款", State.APPROVED, where=unprepared),
            _waiting(user, "to_authorise", "待复核", State.APPROVED, where=~unprepared),
            _out(user, "out", "已放款未收回", ~bridges.overdue_shown(today)),
            _out(user, "overdue", "逾期", bridges.overdue_shown(today)),
            _waiting(user, "to_archive", "待归档", State.REPAID, oldest_first=True),
        ]
    if role is Role.BANK:
        disbursed = BridgeOut.state == State.DISBURSED.value
        return [
            _waiting(user, "to_commit", "待出具转贷承诺", State.ACCEPTED),
            _out(user, "to_renew", "待确认续贷", disbursed, State.DISBURSED),
            _out(user, "to_return", "待划回资金"),
        ]
    if role is Role.GROUP:
        recovery = BridgeOut.state == State.RECOVERY.value
        return [
            _waiting(user, "group_review", "待领导小组审批", State.GROUP_REVIEW),
            _out(user, "recovery", "追偿中", recovery, State.RECOVERY),
            _out(user, "overdue", "逾期", bridges.overdue_shown(today)),
        ]
    if role is Role.ENTERPRISE:
        return [_waiting(user, "mine", "本企业的申请", *State)]
    return []


def dashboard(user: User) -> Dashboard:
    """The money out and the dates that matter today, over what the user may see; the fund's position for staff.
    Counted from the bridges' facts (``bridges``) in one statement."""
    today = clock.today()
    planned_today, overdue, own = db.session.execute(
        select(
            func.count().filter(BridgeOut.planned_on == today),
            func.count().filter(bridges.overdue_shown(today)),
            bridges.principal_sum(),
        )
        .select_from(BridgeOut)
        .join(Application, BridgeOut.application_id == Application.id)
        .where(_visible_out(user))
    ).one()
    if user.role_enum in (Role.BANK, Role.ENTERPRISE):
        # a bank's or an enterprise's money out is its own bridges' principal out — each equal to its receivable in
        # the books (repaid ⇒ 0, written off or claimed from the bank ⇒ moved; `reconcile` proves both)
        return Dashboard(None, None, Money(int(own)), None, int(planned_today), int(overdue))
    # the fund's money out is its receivables line, kept by every posting (staff, and the administrator who sees
    # no applications)
    fund_id = own_fund(user).id
    position = fund.position(fund_id)
    out_total = ledger.line_balance(fund_id, RECEIVABLES)
    return Dashboard(position.cash, position.reserved, out_total, position.available, int(planned_today), int(overdue))

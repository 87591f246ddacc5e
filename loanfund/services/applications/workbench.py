"""What each role has to do next: the dashboard figures and the work queues (DESIGN §2, §3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select

from loanfund import clock
from loanfund.domain.eligibility import Size
from loanfund.domain.ledger import RECEIVABLES
from loanfund.domain.lifecycle import MONEY_OUT_STATES, Role, State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, Enterprise, User
from loanfund.services.access import application_visibility
from loanfund.services.applications.listing import row_options
from loanfund.services.applications.views import application_view
from loanfund.services.books import fund, ledger
from loanfund.services.funds import own_fund


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


def _queue(key: str, title: str, rows: list[Row], state: str | None = None) -> Queue:
    return Queue(key, title, rows[:QUEUE_ROWS], len(rows), state)


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


def _load(user: User, *states: State) -> list[Application]:
    """Every application of ``user``'s in those states, in the order the work is taken (the bridges out, which the
    dashboard counts all of)."""
    return list(
        db.session.scalars(_ordered(select(Application).where(_in_states(user, states)).options(*row_options())))
    )


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


def _out_row(user: User, application: Application, today: date) -> Row:
    """A bridge out, with its figures from the read model (R2 days used, R4 due date and overdue)."""
    view = application_view(user, application, today=today)
    assert view.due is not None and view.account is not None
    return Row(application, view.account.days, (view.due - today).days, view.due, view.overdue)


def money_out(user: User, today: date | None = None) -> list[Row]:
    today = today or clock.today()
    return [_out_row(user, a, today) for a in _load(user, *MONEY_OUT_STATES)]


def queues(user: User, out: list[Row] | None = None) -> list[Queue]:
    """The queues of the user's role, in the order the work flows. ``out``: the bridges out, if the caller has them
    already (``money_out``)."""
    role = user.role_enum
    if out is None:
        out = money_out(user)
    if role is Role.REVIEWER:
        return [_waiting(user, "submitted", "待受理", State.SUBMITTED)]
    if role is Role.OPERATOR:
        unprepared = Application.prepared_by_id.is_(None)
        return [
            _waiting(user, "to_approve", "待审批", State.BANK_COMMITTED),
            _waiting(user, "to_disburse", "待放款", State.APPROVED, where=unprepared),
            _waiting(user, "to_authorise", "待复核", State.APPROVED, where=~unprepared),
            _queue("out", "已放款未收回", [r for r in out if not r.overdue]),
            _queue("overdue", "逾期", [r for r in out if r.overdue]),
            _waiting(user, "to_archive", "待归档", State.REPAID, oldest_first=True),
        ]
    if role is Role.BANK:
        return [
            _waiting(user, "to_commit", "待出具转贷承诺", State.ACCEPTED),
            _queue(
                "to_renew", "待确认续贷", [r for r in out if r.application.state == State.DISBURSED.value], "disbursed"
            ),
            _queue("to_return", "待划回资金", out),
        ]
    if role is Role.GROUP:
        return [
            _waiting(user, "group_review", "待领导小组审批", State.GROUP_REVIEW),
            _queue("recovery", "追偿中", [r for r in out if r.application.state == State.RECOVERY.value], "recovery"),
            _queue("overdue", "逾期", [r for r in out if r.overdue]),
        ]
    if role is Role.ENTERPRISE:
        return [_waiting(user, "mine", "本企业的申请", *State)]
    return []


def dashboard(user: User, out: list[Row] | None = None) -> Dashboard:
    """The money out and the dates that matter today, over what the user may see; the fund's position for staff.
    ``out``: the bridges out, if the caller has them already (``money_out``)."""
    today = clock.today()
    if out is None:
        out = money_out(user, today)
    planned_today = sum(
        1
        for r in out
        if r.application.value_date and r.application.value_date + timedelta(days=r.application.requested_days) == today
    )
    overdue = sum(1 for r in out if r.overdue)
    if user.role_enum in (Role.BANK, Role.ENTERPRISE):
        # only the bridges out carry a receivable (repaid ⇒ 0, written off or claimed from the bank ⇒ moved;
        # `reconcile` proves it): a bank's or an enterprise's money out is its own bridges out's
        by_fund: dict[int, list[int]] = {}
        for r in out:
            by_fund.setdefault(r.application.fund_id, []).append(r.application.id)
        own = sum(
            (sum(ledger.balances_by_prefix(f, RECEIVABLES, ids).values(), Money.zero()) for f, ids in by_fund.items()),
            Money.zero(),
        )
        return Dashboard(None, None, own, None, planned_today, overdue)
    # the fund's money out is its receivables line, kept by every posting (staff, and the administrator who sees
    # no applications)
    fund_id = own_fund(user).id
    position = fund.position(fund_id)
    out_total = ledger.line_balance(fund_id, RECEIVABLES)
    return Dashboard(position.cash, position.reserved, out_total, position.available, planned_today, overdue)

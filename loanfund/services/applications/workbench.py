"""What each role has to do next: the dashboard figures and the work queues (DESIGN §2, §3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select, true

from loanfund import clock
from loanfund.domain.eligibility import Size
from loanfund.domain.ledger import RECEIVABLES
from loanfund.domain.lifecycle import Role, State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, BridgeOut, Enterprise, User
from loanfund.services.access import application_visibility, bridge_visibility
from loanfund.services.applications.listing import COUNT_CAP, row_options
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
    opened: bool = True  # its rows loaded: the workbench shows one queue's rows at a time
    beyond: bool = False  # more than ``total`` (a queue of applications is counted up to the lists' COUNT_CAP)

    @property
    def shown_total(self) -> str:
        """How many, as the tab's badge says it: 1,234, or 10,000+ past the cap (the footer says 超过 10,000)."""
        return f"{self.total:,}+" if self.beyond else f"{self.total:,}"

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


@dataclass(frozen=True)
class _Waiting:
    """A queue of applications waiting for a step in ``states`` (and ``where``)."""

    key: str
    title: str
    states: tuple[State, ...]
    where: Any = None
    oldest_first: bool = False  # the book-keeping after the money is back: R10's priority has been served

    def condition(self) -> Any:
        condition = Application.state.in_([s.value for s in self.states])
        return condition if self.where is None else and_(condition, self.where)

    @property
    def state(self) -> State | None:
        """The list's filter that shows the whole queue: its state, when it has one."""
        return self.states[0] if len(self.states) == 1 else None


@dataclass(frozen=True)
class _Out:
    """A queue of bridges out (``where``: a condition on their facts, ``bridges``), soonest due first."""

    key: str
    title: str
    where: Any = None
    state: State | None = None

    def condition(self) -> Any:
        return true() if self.where is None else self.where


def _ordered(query: Any) -> Any:
    # SMEs are served first (R10), then first come, first served.
    large_last = case((Enterprise.size == Size.LARGE.value, 1), else_=0)
    return query.join(Enterprise, Application.enterprise_id == Enterprise.id).order_by(
        large_last, Application.submitted_at, Application.id
    )


def _waiting_rows(user: User, queue: _Waiting) -> list[Row]:
    """The first ``QUEUE_ROWS`` of a queue of applications: SMEs first (R10), then first come, first served; the
    archiving queue simply the oldest first, its first rows read from an index (the years make it long) instead of
    sorting them all."""
    condition = and_(application_visibility(user), queue.condition())
    if queue.oldest_first:
        query = select(Application).where(condition).order_by(Application.id).limit(QUEUE_ROWS)
        return [Row(a) for a in db.session.scalars(query.options(*row_options())).all()]
    # the first ids chosen alone, then only those loaded with what a row shows: the order needs each enterprise's
    # size, and sorting the queue's whole rows joined to all a row shows cost 7 ms at a million (716 approved)
    ids = db.session.scalars(_ordered(select(Application.id).where(condition)).limit(QUEUE_ROWS)).all()
    first = db.session.scalars(_ordered(select(Application).where(Application.id.in_(ids))).options(*row_options()))
    return [Row(a) for a in first.all()]


def _out_rows(user: User, queue: _Out) -> list[Row]:
    """The first ``QUEUE_ROWS`` bridges out of a queue, soonest due first, with their days and due dates (R2, R4)."""
    today = clock.today()
    soonest = (BridgeOut.due_on, BridgeOut.application_id)
    # the first ids chosen alone — the index of the bridges' due dates read in order until there are enough — and
    # only those loaded with what a row shows; asked together, the database joined every bridge out to its
    # application and enterprise before sorting (4,242 overdue at a million: 54 ms to a few)
    ids = db.session.scalars(
        select(BridgeOut.application_id)
        .where(bridge_visibility(user), queue.condition())
        .order_by(*soonest)
        .limit(QUEUE_ROWS)
    ).all()
    first = db.session.execute(
        select(Application, BridgeOut)
        .join(BridgeOut, BridgeOut.application_id == Application.id)
        .where(Application.id.in_(ids), application_visibility(user))
        .options(*row_options())
        .order_by(*soonest)
    ).all()
    rows = []
    for application, facts in first:
        account = account_of(application, today)
        assert account is not None
        overdue = facts.due_on < today and facts.back_on is None
        rows.append(Row(application, account.days, (facts.due_on - today).days, facts.due_on, overdue))
    return rows


def _role_queues(user: User) -> list[_Waiting | _Out]:
    """The queues of the user's role, in the order the work flows."""
    role = user.role_enum
    today = clock.today()
    if role is Role.REVIEWER:
        return [_Waiting("submitted", "待受理", (State.SUBMITTED,))]
    if role is Role.OPERATOR:
        unprepared = Application.prepared_by_id.is_(None)
        return [
            _Waiting("to_approve", "待审批", (State.BANK_COMMITTED,)),
            _Waiting("to_disburse", "待放款", (State.APPROVED,), where=unprepared),
            _Waiting("to_authorise", "待复核", (State.APPROVED,), where=~unprepared),
            _Out("out", "已放款未收回", ~bridges.overdue_shown(today)),
            _Out("overdue", "逾期", bridges.overdue_shown(today)),
            _Waiting("to_archive", "待归档", (State.REPAID,), oldest_first=True),
        ]
    if role is Role.BANK:
        return [
            _Waiting("to_commit", "待出具转贷承诺", (State.ACCEPTED,)),
            _Out("to_renew", "待确认续贷", BridgeOut.state == State.DISBURSED.value, State.DISBURSED),
            _Out("to_return", "待划回资金"),
        ]
    if role is Role.GROUP:
        return [
            _Waiting("group_review", "待领导小组审批", (State.GROUP_REVIEW,)),
            _Out("recovery", "追偿中", BridgeOut.state == State.RECOVERY.value, State.RECOVERY),
            _Out("overdue", "逾期", bridges.overdue_shown(today)),
        ]
    if role is Role.ENTERPRISE:
        return [_Waiting("mine", "本企业的申请", tuple(State))]
    return []


def queues(user: User, opened: str | None = None) -> list[Queue]:
    """The queues of the user's role, in the order the work flows, each with how many it holds — counted together,
    one statement for the applications waiting and one for the bridges out — and the ``opened`` one (the first when
    ``opened`` names none of them) with its first ``QUEUE_ROWS``: a workbench shows one queue's rows at a time, so
    its cost does not follow how many queues are long (a province's fund holds thousands in some)."""
    specs = _role_queues(user)
    if not specs:
        return []
    waiting = [q for q in specs if isinstance(q, _Waiting)]
    out = [q for q in specs if isinstance(q, _Out)]
    totals: dict[str, int] = {}
    if waiting:
        # each queue counted by its own subquery, in one round trip: one plan per queue, so a queue of one state is
        # counted from the fund's index of states alone; and up to the lists' cap, as the list of applications counts
        # (the 待归档 queue holds the years' repaid applications: 60,000 at a million, 6 ms a visit to count them all)
        counted = db.session.execute(
            select(
                *(
                    select(func.count())
                    .select_from(
                        select(Application.id)
                        .where(application_visibility(user), q.condition())
                        .limit(COUNT_CAP + 1)
                        .subquery()
                    )
                    .scalar_subquery()
                    for q in waiting
                )
            )
        ).one()
        totals.update(zip((q.key for q in waiting), (int(n) for n in counted), strict=True))
    if out:
        counted = db.session.execute(
            select(*(func.count().filter(q.condition()) for q in out))
            .select_from(BridgeOut)
            .where(bridge_visibility(user))
        ).one()
        totals.update(zip((q.key for q in out), (int(n) for n in counted), strict=True))
    shown = next((q for q in specs if q.key == opened), specs[0])
    found = []
    for q in specs:
        rows: list[Row] = []
        if q is shown:
            rows = _waiting_rows(user, q) if isinstance(q, _Waiting) else _out_rows(user, q)
        state, total = q.state, totals[q.key]
        beyond = total > COUNT_CAP
        found.append(
            Queue(q.key, q.title, rows, min(total, COUNT_CAP), state.value if state else None, q is shown, beyond)
        )
    return found


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
        .where(bridge_visibility(user))
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

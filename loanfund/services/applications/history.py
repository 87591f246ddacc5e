"""What the deciders know of an enterprise (第十五、十七条: 资格和信用审查; issue 23): beside an application, the
enterprise's other bridges — earlier ones and how they ended (late, short, claimed from the bank), those out now and
their total — and every blacklist entry under its credit code, past and present. The reviewer doing the credit check
and the operator deciding the amount read it; so does the group deciding a large one."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from loanfund.domain.liability import CLAIM_EVENT
from loanfund.domain.lifecycle import MONEY_OUT_STATES, OPEN_STATES, Role, State
from loanfund.domain.money import Money
from loanfund.domain.rules import due_date
from loanfund.domain.watch import Finding
from loanfund.extensions import db
from loanfund.models import Application, ApplicationEvent, BlacklistEntry
from loanfund.services.lifecycle import account_of, application_policy
from loanfund.services.oversight import blacklist

READERS = frozenset({Role.REVIEWER, Role.OPERATOR, Role.GROUP})

# what the watch recorded on a bridge, in the words the history shows
MARKS = {
    Finding.OVERDUE.value: "逾期归还",
    Finding.RENEWAL_LATE.value: "银行逾期续贷",
    Finding.RETURN_SHORTFALL.value: "收回不足",
    CLAIM_EVENT: "银行承担清偿责任",
}


@dataclass(frozen=True)
class Bridge:
    """One other application of the enterprise that had money out, and how it went."""

    application_id: int
    reference: str
    bank: str
    state: str
    value_date: date
    amount: Money
    outstanding: Money  # principal not yet back (0 once settled, written off or claimed from the bank)
    days_late: int  # days past its R4 due date when the principal came back (or today, while out)
    marks: tuple[str, ...]  # 逾期归还, 收回不足, 银行承担清偿责任, 已核销 …


@dataclass(frozen=True)
class Entry:
    """A blacklist entry under the enterprise's credit code, as it stands today."""

    reason: str
    listed_on: date
    ends_on: date
    status: str  # in words: 待领导小组确认, 限制期内, 已期满 …
    in_force: bool


@dataclass(frozen=True)
class EnterpriseHistory:
    bridges: tuple[Bridge, ...]  # newest first
    open_requests: tuple[tuple[str, str, Money], ...]  # other applications being decided: reference, state, amount
    blacklist: tuple[Entry, ...]

    @property
    def out_now(self) -> tuple[Bridge, ...]:
        return tuple(b for b in self.bridges if b.outstanding.is_positive)

    @property
    def out_total(self) -> Money:
        return sum((b.outstanding for b in self.out_now), Money.zero())

    @property
    def late(self) -> int:
        return sum(1 for b in self.bridges if b.days_late > 0)

    def count(self, mark: str) -> int:
        return sum(1 for b in self.bridges if mark in b.marks)

    @property
    def clean(self) -> bool:
        return not (self.late or self.blacklist or any(b.marks for b in self.bridges))


def of(application: Application, today: date) -> EnterpriseHistory:
    """The enterprise's record beside ``application`` (which is left out of it): its bridges with this fund — another
    fund's are that fund's business (DESIGN §7) — and its blacklist entries in every fund, which warn here (R15)."""
    others = db.session.scalars(
        select(Application)
        .where(
            Application.enterprise_id == application.enterprise_id,
            Application.fund_id == application.fund_id,
            Application.id != application.id,
        )
        .options(
            joinedload(Application.bank),
            joinedload(Application.policy_version),
            selectinload(Application.receipts),
            joinedload(Application.bank_claim),
        )
        .order_by(Application.id.desc())
    ).all()
    went_out = [a for a in others if a.authorised_at is not None and a.value_date is not None]
    marks: dict[int, set[str]] = defaultdict(set)
    if went_out:
        for application_id, action in db.session.execute(
            select(ApplicationEvent.application_id, ApplicationEvent.action).where(
                ApplicationEvent.application_id.in_([a.id for a in went_out]),
                ApplicationEvent.action.in_(list(MARKS)),
            )
        ):
            marks[application_id].add(MARKS[action])
    bridges = []
    for other in went_out:
        assert other.value_date is not None
        policy = application_policy(other)
        account = account_of(other, today, policy)
        due = due_date(policy, other.value_date)
        # late by the day the principal came back, or by today while it is out (a write-off is marked as such)
        days_late = 0 if other.state_enum is State.WRITTEN_OFF else max(((other.received_on or today) - due).days, 0)
        shown = set(marks[other.id])
        if days_late:
            shown.add("逾期归还")
        if other.state_enum is State.WRITTEN_OFF:
            shown.add("已核销")
        out = account is not None and other.state_enum in MONEY_OUT_STATES
        outstanding = account.principal_outstanding if out and account is not None else Money.zero()
        bridges.append(
            Bridge(
                other.id,
                other.reference,
                other.bank.name,
                other.state_shown,
                other.value_date,
                other.approved_amount or Money.zero(),
                outstanding,
                days_late,
                tuple(sorted(shown)),
            )
        )
    deciding = [a for a in others if a.state_enum in OPEN_STATES - MONEY_OUT_STATES]
    entries = db.session.scalars(
        select(BlacklistEntry)
        .where(BlacklistEntry.credit_code == application.enterprise.credit_code)
        .order_by(BlacklistEntry.listed_on.desc(), BlacklistEntry.id.desc())
    ).all()
    return EnterpriseHistory(
        tuple(bridges),
        tuple((a.reference, a.state_shown, a.approved_amount or a.requested_amount) for a in deciding),
        tuple(
            Entry(
                e.reason,
                e.listed_on,
                e.ends_on,
                blacklist.STATUS_LABELS.get(e.status(today), e.status(today)),
                e.status(today) == "in_force",
            )
            for e in entries
        ),
    )

"""Reconciliation of the special account: the books against themselves and against the applications.

Checks, each with what was expected and what was found:
- the trial balance sums to zero, and every journal entry balances;
- the ledger's cash is not negative and equals the special account's running position;
- the reservations equal the amounts of the applications approved and not yet disbursed;
- each application's receivable equals its principal out (approved − returned − written off);
- the capital accounts equal the contributions recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import BigInteger, func, select
from sqlalchemy.orm import selectinload

from loanfund.domain.ledger import CASH
from loanfund.domain.lifecycle import RESERVING_STATES
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, Contribution, JournalLeg
from loanfund.services import fund, ledger


@dataclass(frozen=True)
class Check:
    """One comparison; amounts are ``Money``, counts are ``int``."""

    name: str
    expected: Money | int
    actual: Money | int
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.expected == self.actual

    @staticmethod
    def show(value: Money | int) -> str:
        return value.format() if isinstance(value, Money) else str(value)


@dataclass(frozen=True)
class ReceivableLine:
    application_id: int
    reference: str
    enterprise: str
    state: str
    expected: Money
    booked: Money

    @property
    def ok(self) -> bool:
        return self.expected == self.booked


@dataclass
class Reconciliation:
    checks: list[Check] = field(default_factory=list)
    receivables: list[ReceivableLine] = field(default_factory=list)
    trial_balance: list[ledger.AccountBalance] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks) and all(r.ok for r in self.receivables)


def _sum(column: object) -> object:
    return func.coalesce(func.sum(column), 0, type_=BigInteger())


def reconcile() -> Reconciliation:
    result = Reconciliation(trial_balance=ledger.trial_balance())
    debits = sum((row.debit for row in result.trial_balance), Money.zero())
    credits = sum((row.credit for row in result.trial_balance), Money.zero())
    result.checks.append(Check("试算平衡（借方合计 = 贷方合计）", debits, credits))

    unbalanced = (
        db.session.execute(
            select(JournalLeg.entry_id)
            .group_by(JournalLeg.entry_id)
            .having(_sum(JournalLeg.debit) != _sum(JournalLeg.credit))
        )
        .scalars()
        .all()
    )
    result.checks.append(Check("借贷不平的分录笔数", 0, len(unbalanced), "、".join(str(i) for i in unbalanced)))

    cash = ledger.balance(CASH)
    position = fund.position()
    result.checks.append(Check("专用账户资金（账簿）不为负", Money.zero(), min(cash, Money.zero())))
    result.checks.append(Check("专用账户资金：账簿 = 资金头寸", cash, position.cash))

    reserved = db.session.scalar(
        select(func.coalesce(func.sum(Application.approved_amount), 0, type_=BigInteger())).where(
            Application.state.in_([s.value for s in RESERVING_STATES])
        )
    )
    result.checks.append(Check("已批准未放款的预留额度", Money(int(reserved or 0)), position.reserved))

    contributed = db.session.scalar(select(func.coalesce(func.sum(Contribution.amount), 0, type_=BigInteger())))
    capital = -sum(ledger.balances_by_prefix("capital").values(), Money.zero())
    result.checks.append(Check("出资：登记 = 账簿", Money(int(contributed or 0)), capital))

    booked = ledger.balances_by_prefix("receivable")
    disbursed = db.session.scalars(
        select(Application)
        .where(Application.authorised_at.is_not(None))
        .options(selectinload(Application.receipts), selectinload(Application.enterprise))
        .order_by(Application.id)
    ).all()
    for application in disbursed:
        assert application.approved_amount is not None
        returned = sum((r.principal for r in application.receipts), Money.zero())
        expected = application.approved_amount - returned
        if application.written_off_on is not None:
            expected = Money.zero()
        result.receivables.append(
            ReceivableLine(
                application.id,
                application.reference,
                application.enterprise.name,
                application.state,
                expected,
                booked.pop(application.id, Money.zero()),
            )
        )
    for orphan_id, amount in sorted(booked.items()):  # a receivable with no disbursed application behind it
        if amount != Money.zero():
            result.receivables.append(
                ReceivableLine(orphan_id, f"#{orphan_id}", "（无对应放款）", "—", Money.zero(), amount)
            )
    return result

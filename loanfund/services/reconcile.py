"""Reconciliation of the special account: the books against themselves and against the applications.

Checks, each with what was expected and what was found:
- the trial balance sums to zero, and every journal entry balances;
- the ledger's cash is not negative and equals the special account's running position;
- the reservations equal the amounts of the applications approved and not yet disbursed;
- each application's receivable equals its principal out (approved − returned − written off);
- each application's money back agrees three ways — the receipts, the confirm-return events and the return entries
  of the ledger (count, principal, fee) — and no transfer reference is booked twice on one application, so an edit
  that keeps the ledger balanced but not the receipts (or the reverse) is caught;
- the capital accounts equal the contributions recorded.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import BigInteger, func, select
from sqlalchemy.orm import joinedload, subqueryload

from loanfund.domain.ledger import CASH, FEE_INCOME, RETURN_KEY_PREFIX
from loanfund.domain.lifecycle import RESERVING_STATES, Action
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import (
    Application,
    ApplicationEvent,
    BankClaim,
    Contribution,
    JournalEntry,
    JournalLeg,
    LedgerAccount,
    Receipt,
)
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


_ZERO = Money(0)  # immutable: one shared zero is a safe default


@dataclass(frozen=True)
class Received:
    """Money back on one application as one source tells it: how many transfers, principal, fee."""

    count: int = 0
    principal: Money = _ZERO
    fee: Money = _ZERO

    def plus(self, principal: Money, fee: Money, count: int = 1) -> Received:
        return Received(self.count + count, self.principal + principal, self.fee + fee)

    def show(self) -> str:
        return f"{self.count} 笔，本金 {self.principal.format()}，费用 {self.fee.format()}"


@dataclass(frozen=True)
class ReceiptLine:
    """An application whose receipts, events and ledger do not tell the same story (only those are listed)."""

    application_id: int
    receipts: Received
    events: Received
    ledger: Received

    @property
    def ok(self) -> bool:
        return self.receipts == self.events == self.ledger


@dataclass
class Reconciliation:
    checks: list[Check] = field(default_factory=list)
    receivables: list[ReceivableLine] = field(default_factory=list)
    receipts: list[ReceiptLine] = field(default_factory=list)
    trial_balance: list[ledger.AccountBalance] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            all(c.ok for c in self.checks) and all(r.ok for r in self.receivables) and all(r.ok for r in self.receipts)
        )


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

    result.receipts = receipt_differences()
    result.checks.append(
        Check(
            "收回登记、收回事件与账簿逐笔一致（不符的申请笔数）",
            0,
            len(result.receipts),
            "、".join(f"#{line.application_id}" for line in result.receipts),
        )
    )
    twice = db.session.execute(
        select(Receipt.application_id, Receipt.transfer_ref)
        .group_by(Receipt.application_id, Receipt.transfer_ref)
        .having(func.count() > 1)
    ).all()
    result.checks.append(
        Check("同一划款凭证号重复登记的笔数", 0, len(twice), "、".join(f"#{a} {ref}" for a, ref in twice))
    )

    claimed = ledger.balances_by_prefix("bank_claim")
    registered: dict[int, Money] = {}
    for claim in db.session.scalars(select(BankClaim).options(subqueryload(BankClaim.payments))):
        registered[claim.bank_id] = registered.get(claim.bank_id, Money.zero()) + claim.outstanding
    zero = Money.zero()
    differ = sorted(b for b in set(claimed) | set(registered) if claimed.get(b, zero) != registered.get(b, zero))
    result.checks.append(
        Check(
            "合作银行清偿款：登记未清偿 = 账簿（不符的银行数）", 0, len(differ), "、".join(f"银行 #{b}" for b in differ)
        )
    )

    booked = ledger.balances_by_prefix("receivable")
    disbursed = db.session.scalars(
        select(Application)
        .where(Application.authorised_at.is_not(None))
        .options(
            subqueryload(Application.receipts),
            joinedload(Application.enterprise),
            joinedload(Application.bank_claim),
        )
        .order_by(Application.id)
    ).all()
    for application in disbursed:
        assert application.approved_amount is not None
        returned = sum((r.principal for r in application.receipts), Money.zero())
        expected = application.approved_amount - returned
        if application.written_off_on is not None or application.bank_claim is not None:
            expected = Money.zero()  # written off, or moved to the bank's claim (R12)
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


def receipt_differences() -> list[ReceiptLine]:
    """Per application, money back as the receipts, the confirm-return events and the ledger's return entries each
    record it; the applications where the three differ. Three aggregate reads, whatever the number of applications."""
    by_receipts: dict[int, Received] = defaultdict(Received)
    for application_id, count, principal, fee in db.session.execute(
        select(Receipt.application_id, func.count(), _sum(Receipt.principal), _sum(Receipt.fee)).group_by(
            Receipt.application_id
        )
    ):
        by_receipts[application_id] = Received(int(count), Money(int(principal)), Money(int(fee)))

    by_events: dict[int, Received] = defaultdict(Received)
    for application_id, payload in db.session.execute(
        select(ApplicationEvent.application_id, ApplicationEvent.payload).where(
            ApplicationEvent.action == Action.CONFIRM_RETURN.value
        )
    ):
        by_events[application_id] = by_events[application_id].plus(
            Money.parse(payload.get("principal", "0.00")), Money.parse(payload.get("fee", "0.00"))
        )

    by_ledger: dict[int, Received] = defaultdict(Received)
    returns = JournalEntry.key.like(f"{RETURN_KEY_PREFIX}%")
    for application_id, count in db.session.execute(
        select(JournalEntry.application_id, func.count()).where(returns).group_by(JournalEntry.application_id)
    ):
        by_ledger[application_id] = Received(int(count))
    for application_id, code, credit in db.session.execute(
        select(JournalEntry.application_id, LedgerAccount.code, _sum(JournalLeg.credit))
        .join(JournalLeg, JournalLeg.entry_id == JournalEntry.id)
        .join(LedgerAccount, JournalLeg.account_id == LedgerAccount.id)
        .where(returns, JournalLeg.credit > Money.zero())
        .group_by(JournalEntry.application_id, LedgerAccount.code)
    ):
        amount = Money(int(credit))
        seen = by_ledger[application_id]
        if code == FEE_INCOME:
            by_ledger[application_id] = seen.plus(Money.zero(), amount, count=0)
        else:  # the application's receivable: the principal back
            by_ledger[application_id] = seen.plus(amount, Money.zero(), count=0)

    lines = []
    for application_id in sorted(set(by_receipts) | set(by_events) | set(by_ledger)):
        line = ReceiptLine(
            application_id, by_receipts[application_id], by_events[application_id], by_ledger[application_id]
        )
        if not line.ok:
            lines.append(line)
    return lines

"""A bridge the fund made before LoanFund, as its 台账 records it (issue 29), checked against the policy in force at
the time: the dates in order, the cap of R5 on the bank's renewal, the enterprise's own funds, the principal all back
and the fee recomputed (R1–R3) — every difference named, none accepted silently. Pure: facts in, problems out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from loanfund.domain.eligibility import Size
from loanfund.domain.money import Money
from loanfund.domain.policy import Policy
from loanfund.domain.rules import days_used, fee_for, r5_cap


@dataclass(frozen=True)
class PastBridge:
    """One row of the 台账: a bridge out and back, its renewal in between."""

    loan_due: Money  # the bank loan that fell due (到期贷款金额)
    amount: Money  # the bridge (转贷金额)
    value_date: date  # money out (放款日期)
    renewed_on: date  # the bank renewed (续贷日期)
    new_loan: Money  # the renewal (新贷款金额), the bank's commitment kept
    received_on: date  # money back (归还日期)
    principal: Money  # principal back (收回本金)
    fee: Money  # the fee the fund received (收取用款费用)
    size: Size


@dataclass(frozen=True)
class Finding:
    """A problem of one row, under the column it is about (a field name of ``PastBridge``)."""

    field: str
    message: str


def check(bridge: PastBridge, policy: Policy, today: date) -> list[Finding]:
    """Every way the row breaks the policy in force at its value date or common sense, at once."""
    found: list[Finding] = []
    if not bridge.amount.is_positive:
        found.append(Finding("amount", "转贷金额必须大于零"))
    if not bridge.loan_due.is_positive:
        found.append(Finding("loan_due", "到期贷款金额必须大于零"))
    if not bridge.new_loan.is_positive:
        found.append(Finding("new_loan", "新贷款金额必须大于零"))
    if bridge.size is Size.LARGE:
        found.append(Finding("size", "大型企业不在应急转贷资金支持范围内（第八条）"))
    if bridge.value_date >= today:
        found.append(Finding("value_date", "放款日期须早于今天：只导入已经结清的往年业务"))
    if bridge.renewed_on < bridge.value_date:
        found.append(Finding("renewed_on", f"续贷日期早于放款日期 {bridge.value_date.isoformat()}"))
    if bridge.received_on < bridge.renewed_on:
        found.append(Finding("received_on", f"归还日期早于续贷日期 {bridge.renewed_on.isoformat()}"))
    if bridge.received_on >= today:
        found.append(Finding("received_on", "归还日期须早于今天"))
    if found:
        return found
    if bridge.amount > bridge.loan_due:
        found.append(Finding("amount", f"转贷金额超过到期贷款金额 {bridge.loan_due.format()} 元"))
    cap = r5_cap(policy, bridge.new_loan)
    if bridge.amount > cap:
        found.append(
            Finding(
                "amount",
                f"转贷金额超过{policy.name}的上限：新贷款 {bridge.new_loan.format()} 元的 "
                f"{policy.cap_percent}% 为 {cap.format()} 元（第五条）",
            )
        )
    if bridge.principal != bridge.amount:
        found.append(
            Finding("principal", f"收回本金 {bridge.principal.format()} 元与转贷金额 {bridge.amount.format()} 元不符")
        )
    days = days_used(bridge.value_date, bridge.received_on)
    expected = fee_for(policy, bridge.amount, days)
    if bridge.fee != expected:
        found.append(
            Finding(
                "fee",
                f"用款费用应为 {expected.format()} 元（{policy.name}，用款 {days} 天），"
                f"台账为 {bridge.fee.format()} 元，相差 {(bridge.fee - expected).format()} 元",
            )
        )
    return found


def first_short_day(closing: dict[date, Money], moves: dict[date, Money]) -> tuple[date, Money] | None:
    """The special account must never go below zero (DESIGN §5), in the past too: the first day on which the books'
    cash at the day's end (``closing``, given for every day the books or the import move from the first imported day
    on) plus the imported bridges' money so far (``moves``: out negative, back positive) is negative, with that
    balance — or None."""
    imported = Money.zero()
    for day in sorted(closing.keys() | moves.keys()):
        imported += moves.get(day, Money.zero())
        balance = closing[day] + imported
        if balance.is_negative:
            return day, balance
    return None

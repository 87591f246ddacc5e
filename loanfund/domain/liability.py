"""R12 (第二十三条): when a bank that committed to renew did not renew on time and in full, and the fund's money is
late, the bank is liable for what the bridge still owes. Pure: facts in, the reasons or the refusal out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from loanfund.domain.errors import Violation
from loanfund.domain.money import Money
from loanfund.domain.policy import Policy
from loanfund.domain.rules import Settlement, is_overdue, renewal_late
from loanfund.domain.watch import renewal_deadline

CLAIM_EVENT = "bank-claim"
PAYMENT_EVENT = "bank-claim-payment"
SETTLED_EVENT = "settled-by-bank"  # DESIGN §3: the claim paid in full settles the bridge (→ repaid, 银行已清偿)
EVENT_LABELS = {
    CLAIM_EVENT: "认定合作银行清偿责任",
    PAYMENT_EVENT: "合作银行清偿款到账",
    SETTLED_EVENT: "银行清偿结清",
}


@dataclass(frozen=True)
class ClaimFacts:
    value_date: date
    committed_amount: Money
    renewed_on: date | None
    renewed_amount: Money | None
    account: Settlement  # as of the day the claim is recorded


def bank_breaches(policy: Policy, facts: ClaimFacts, today: date) -> list[str]:
    """How the bank failed its commitment, with the numbers (empty: it renewed on time and in full)."""
    found: list[str] = []
    deadline = renewal_deadline(policy, facts.value_date)
    if facts.renewed_on is None:
        if today > deadline:
            found.append(f"未在 {deadline.isoformat()} 前续贷（截至 {today.isoformat()} 仍未续贷）")
    elif renewal_late(policy, facts.value_date, facts.renewed_on):
        found.append(f"应于 {deadline.isoformat()} 前续贷，实际 {facts.renewed_on.isoformat()} 续贷")
    if facts.renewed_amount is not None and facts.renewed_amount < facts.committed_amount:
        found.append(f"承诺续贷 {facts.committed_amount.format()} 元，实际续贷 {facts.renewed_amount.format()} 元")
    return found


def claim_violation(policy: Policy, facts: ClaimFacts, today: date) -> Violation | None:
    """Why no claim can be recorded against the bank now, or None when R12 applies."""
    if not (facts.account.principal_outstanding.is_positive and is_overdue(policy, facts.value_date, today)):
        return Violation("R12", "fund_not_late", "应急转贷资金未逾期未收回，不能认定合作银行清偿责任")
    if not bank_breaches(policy, facts, today):
        return Violation("R12", "bank_not_in_breach", "合作银行已按承诺按时足额续贷，不承担清偿责任")
    return None

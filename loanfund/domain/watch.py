"""What the fund watches on a bridge while its money is out (第二十、二十一条; R4, R9, R15): the conditions the daily
sweep records as events, and the reminders it sends on the day they fall due. Pure: facts in, findings out.

Each finding carries a ``key`` that is the same every time the same thing is found, so the sweep can record it once
(the database holds the keys): a condition is keyed by what it is (and, for a shortfall, by its amount, so a new
shortfall after a further partial return is news); a reminder is keyed by its day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from loanfund.domain.money import Money
from loanfund.domain.policy import Policy
from loanfund.domain.rules import Settlement, due_date, is_overdue


class Finding(StrEnum):
    # conditions, recorded as events on the application
    OVERDUE = "overdue"  # R4: not back by the end of the due date
    RENEWAL_LATE = "renewal-late"  # R9: the bank has not confirmed the renewal by its deadline
    RENEWAL_SHORT = "renewal-short"  # the bank renewed less than it committed
    RETURN_SHORTFALL = "return-shortfall"  # money came back, but not all of it
    # reminders, sent on their day
    RENEWAL_DUE = "renewal-due"  # the bank's last day to renew (R9)
    DUE_TOMORROW = "due-tomorrow"
    DUE_TODAY = "due-today"

    @property
    def label(self) -> str:
        return FINDING_LABELS[self]

    @property
    def is_condition(self) -> bool:
        return self in CONDITIONS


FINDING_LABELS = {
    Finding.OVERDUE: "用款逾期",
    Finding.RENEWAL_LATE: "银行逾期未续贷",
    Finding.RENEWAL_SHORT: "续贷金额少于承诺",
    Finding.RETURN_SHORTFALL: "收回资金不足",
    Finding.RENEWAL_DUE: "今日为续贷截止日",
    Finding.DUE_TOMORROW: "明日到期",
    Finding.DUE_TODAY: "今日到期",
}
CONDITIONS = frozenset({Finding.OVERDUE, Finding.RENEWAL_LATE, Finding.RENEWAL_SHORT, Finding.RETURN_SHORTFALL})


@dataclass(frozen=True)
class BridgeFacts:
    """A bridge whose money went out: what the watch needs to know of it."""

    value_date: date
    renewed: bool  # the bank confirmed the renewal
    committed_amount: Money
    renewed_amount: Money | None
    account: Settlement  # principal and fee owed and received, as of the day watched
    receipts: int  # returns booked so far


@dataclass(frozen=True)
class Found:
    finding: Finding
    key: str  # the same every time the same thing is found
    why: str  # the reason, with its numbers (Chinese)


def renewal_deadline(policy: Policy, value_date: date) -> date:
    """R9: the last day the bank may renew without being late (2 days after the bridge went out)."""
    return value_date + timedelta(days=policy.renewal_sla_days)


def watch(policy: Policy, facts: BridgeFacts, today: date) -> list[Found]:
    """Everything to record or remind about this bridge on ``today``."""
    found: list[Found] = []
    account, due = facts.account, due_date(policy, facts.value_date)
    out = account.principal_outstanding.is_positive
    if out and is_overdue(policy, facts.value_date, today):
        found.append(
            Found(
                Finding.OVERDUE,
                Finding.OVERDUE.value,
                f"用款到期日为 {due.isoformat()}，截至 {today.isoformat()} 已用款 {account.days} 天，"
                f"尚未收回本金 {account.principal_outstanding.format()} 元，"
                f"应收用款费用 {account.fee_due.format()} 元",
            )
        )
    elif out and today == due - timedelta(days=1):
        found.append(_reminder(Finding.DUE_TOMORROW, today, f"用款将于明日（{due.isoformat()}）到期", account))
    elif out and today == due:
        found.append(_reminder(Finding.DUE_TODAY, today, f"用款今日（{due.isoformat()}）到期", account))
    deadline = renewal_deadline(policy, facts.value_date)
    if not facts.renewed and out:
        if today > deadline:
            found.append(
                Found(
                    Finding.RENEWAL_LATE,
                    Finding.RENEWAL_LATE.value,
                    f"转贷资金于 {facts.value_date.isoformat()} 放出，银行应于 {deadline.isoformat()} 前续贷放款，"
                    f"截至 {today.isoformat()} 已逾期 {(today - deadline).days} 天未确认续贷",
                )
            )
        elif today == deadline:
            found.append(
                Found(
                    Finding.RENEWAL_DUE,
                    f"{Finding.RENEWAL_DUE.value}:{today.isoformat()}",
                    f"转贷资金于 {facts.value_date.isoformat()} 放出，今日（{deadline.isoformat()}）为续贷放款截止日，"
                    f"承诺续贷金额 {facts.committed_amount.format()} 元",
                )
            )
    if facts.renewed and facts.renewed_amount is not None and facts.renewed_amount < facts.committed_amount:
        short = facts.committed_amount - facts.renewed_amount
        found.append(
            Found(
                Finding.RENEWAL_SHORT,
                Finding.RENEWAL_SHORT.value,
                f"银行承诺续贷 {facts.committed_amount.format()} 元，实际续贷 {facts.renewed_amount.format()} 元，"
                f"少 {short.format()} 元",
            )
        )
    if facts.receipts and account.outstanding.is_positive:
        found.append(
            Found(
                Finding.RETURN_SHORTFALL,
                f"{Finding.RETURN_SHORTFALL.value}:{account.outstanding.fen}",
                f"已收回本金 {account.principal_received.format()} 元、费用 {account.fee_received.format()} 元，"
                f"尚差本金 {account.principal_outstanding.format()} 元、费用 {account.fee_outstanding.format()} 元",
            )
        )
    return found


def _reminder(finding: Finding, today: date, opening: str, account: Settlement) -> Found:
    return Found(
        finding,
        f"{finding.value}:{today.isoformat()}",
        f"{opening}，届时应归还本金 {account.principal_outstanding.format()} 元"
        f"及用款费用（截至今日 {account.fee_due.format()} 元）",
    )


def next_look(policy: Policy, facts: BridgeFacts, today: date, propose_after_days: int) -> date | None:
    """The first day after ``today`` on which the watch (or the blacklist proposal after a long default, 第二十二条)
    can find something on this bridge that it did not find today, if no step is taken on it before: the days before
    and on its due date, the day after it (overdue), the bank's renewal deadline and the day after it (R9), the day
    the default is long. None when no such day is left — only a step can bring news then. The daily sweep looks at a
    bridge on its days only, so its cost follows what happens that day, not how many bridges are out."""
    due = due_date(policy, facts.value_date)
    days = [due - timedelta(days=1), due, due + timedelta(days=1), due + timedelta(days=propose_after_days)]
    if not facts.renewed:
        deadline = renewal_deadline(policy, facts.value_date)
        days += [deadline, deadline + timedelta(days=1)]
    later = [d for d in days if d > today]
    return min(later) if later else None

"""Early warning (第二十条; R15): what the platform flags, each with its reason and numbers. Pure: facts in, warnings
out; the thresholds are settings the administrator changes (``Thresholds``), never code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum

from loanfund.domain.money import Money
from loanfund.domain.policy import Policy
from loanfund.domain.rules import due_date
from loanfund.domain.time_limits import Late
from loanfund.domain.watch import BridgeFacts, Finding, watch


class Risk(StrEnum):
    DUE_SOON = "due-soon"
    OUT_TOO_LONG = "out-too-long"
    OVERDUE = "overdue"
    RENEWAL_LATE = "renewal-late"
    RENEWAL_SHORT = "renewal-short"
    RETURN_SHORTFALL = "return-shortfall"
    ENTERPRISE_HISTORY = "enterprise-history"
    BANK_BREACHES = "bank-breaches"
    CONCENTRATION = "concentration"
    UTILISATION = "utilisation"
    BANK_UNRECONCILED = "bank-unreconciled"
    STAGE_LATE = "stage-late"

    @property
    def label(self) -> str:
        return RISK_LABELS[self]


RISK_LABELS = {
    Risk.DUE_SOON: "即将到期",
    Risk.OUT_TOO_LONG: "超过申请天数",
    Risk.OVERDUE: "用款逾期",
    Risk.RENEWAL_LATE: "银行逾期未续贷",
    Risk.RENEWAL_SHORT: "续贷金额少于承诺",
    Risk.RETURN_SHORTFALL: "收回资金不足",
    Risk.ENTERPRISE_HISTORY: "企业不良记录",
    Risk.BANK_BREACHES: "合作银行违约",
    Risk.CONCENTRATION: "资金集中度",
    Risk.UTILISATION: "资金使用率",
    Risk.BANK_UNRECONCILED: "银行对账未对平",
    Risk.STAGE_LATE: "办理超时",
}


@dataclass(frozen=True)
class Thresholds:
    due_within_days: int = 3  # warn this many days before a bridge is due
    concentration_percent: Decimal = Decimal(30)  # one enterprise or bank over this share of the money out
    utilisation_percent: Decimal = Decimal(80)  # money out and reserved over this share of the fund
    statement_days: int = 2  # a day of the special account not matched with the bank's statement this many days on


@dataclass(frozen=True)
class Warning:
    risk: Risk
    subject: str  # what it is about: an application number, an enterprise, a bank, the fund
    why: str  # the reason with its numbers
    application_id: int | None = None


def bridge_warnings(
    policy: Policy,
    facts: BridgeFacts,
    requested_days: int,
    today: date,
    thresholds: Thresholds,
    subject: str,
    application_id: int,
) -> list[Warning]:
    """A bridge out: due soon, out longer than asked, and what the daily watch finds while it lasts."""
    found: list[Warning] = []
    account = facts.account
    if not account.principal_outstanding.is_positive and not account.outstanding.is_positive:
        return found
    due = due_date(policy, facts.value_date)
    left = (due - today).days
    if account.principal_outstanding.is_positive and 0 <= left <= thresholds.due_within_days:
        when = "今日" if left == 0 else f"{left} 天后"
        found.append(
            Warning(
                Risk.DUE_SOON,
                subject,
                f"{when}（{due.isoformat()}）到期，尚未收回本金 {account.principal_outstanding.format()} 元",
                application_id,
            )
        )
    if account.principal_outstanding.is_positive and account.days > requested_days:
        found.append(
            Warning(
                Risk.OUT_TOO_LONG,
                subject,
                f"申请用款 {requested_days} 天，已用款 {account.days} 天",
                application_id,
            )
        )
    kinds = {
        Finding.OVERDUE: Risk.OVERDUE,
        Finding.RENEWAL_LATE: Risk.RENEWAL_LATE,
        Finding.RENEWAL_SHORT: Risk.RENEWAL_SHORT,
        Finding.RETURN_SHORTFALL: Risk.RETURN_SHORTFALL,
    }
    for item in watch(policy, facts, today):
        if item.finding in kinds:
            found.append(Warning(kinds[item.finding], subject, item.why, application_id))
    return found


def share(part: Money, whole: Money) -> Decimal:
    """``part`` as a percentage of ``whole``, to one decimal, half up."""
    if not whole.is_positive:
        return Decimal(0)
    return (Decimal(part.fen) * 100 / Decimal(whole.fen)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def concentration(
    out_by: dict[str, Money], what: str, thresholds: Thresholds, total: Money | None = None
) -> list[Warning]:
    """One enterprise (or bank) holding more than the threshold's share of all the money out (``total``: of every
    party; by default those in ``out_by``, which may then hold only those at or above ``concentration_floor``)."""
    total = sum(out_by.values(), Money.zero()) if total is None else total
    found = []
    for name, amount in sorted(out_by.items(), key=lambda item: -item[1].fen):
        percent = share(amount, total)
        if percent > thresholds.concentration_percent:
            found.append(
                Warning(
                    Risk.CONCENTRATION,
                    name,
                    f"该{what}在外资金 {amount.format()} 元，占全部在外资金 {total.format()} 元的 {percent}%"
                    f"（预警线 {thresholds.concentration_percent}%）",
                )
            )
    return found


def concentration_floor(total: Money, thresholds: Thresholds) -> Money:
    """The least a party can hold of ``total`` and still be flagged by ``concentration``: its share reaches the
    threshold before rounding (one flagged rounds to more than the threshold, so it held at least this). A fund with
    thousands of enterprises out asks the database for those at or above it only."""
    floor = Decimal(total.fen) * thresholds.concentration_percent / 100
    return Money(int(floor.to_integral_value(rounding=ROUND_FLOOR)))


def utilisation(out: Money, reserved: Money, cash: Money, thresholds: Thresholds) -> list[Warning]:
    """Money out and promised against the whole fund (cash in the special account plus money out)."""
    used, fund = out + reserved, cash + out
    percent = share(used, fund)
    if percent <= thresholds.utilisation_percent:
        return []
    return [
        Warning(
            Risk.UTILISATION,
            "专用账户",
            f"在外 {out.format()} 元、已批准待放款 {reserved.format()} 元，合计占资金总额 {fund.format()} 元的 "
            f"{percent}%（预警线 {thresholds.utilisation_percent}%）",
        )
    ]


def bank_statement(
    unreconciled: list[date], covered_to: date | None, today: date, thresholds: Thresholds
) -> list[Warning]:
    """第十一条 封闭运行, watched (issue 29): the special account's days that still differ from the bank's statement
    (a line or a movement not matched, or the balances apart) more than ``statement_days`` days after, and a statement
    not imported for longer than that. ``covered_to``: the last day the imported statements cover (None: the fund has
    imported none yet, and is not warned)."""
    if covered_to is None:
        return []
    late = [d for d in unreconciled if (today - d).days > thresholds.statement_days]
    return [*days_apart(late, thresholds), *statement_missing(covered_to, today, thresholds)]


def days_apart(late: list[date], thresholds: Thresholds) -> list[Warning]:
    """The days past the threshold that still differ from the bank (none: no warning)."""
    if not late:
        return []
    late = sorted(late)
    days = "、".join(d.isoformat() for d in late[:5]) + ("等" if len(late) > 5 else "")
    why = f"{len(late)} 天与银行对账单未对平（{days}），已超过 {thresholds.statement_days} 天"
    return [Warning(Risk.BANK_UNRECONCILED, "专用账户", why)]


def statement_missing(covered_to: date, today: date, thresholds: Thresholds) -> list[Warning]:
    """No statement for the days after ``covered_to`` (before today) for longer than the threshold."""
    behind = (today - covered_to).days - 1
    if behind <= thresholds.statement_days:
        return []
    why = f"银行对账单只导入到 {covered_to.isoformat()}，此后 {behind} 天未导入（超过 {thresholds.statement_days} 天）"
    return [Warning(Risk.BANK_UNRECONCILED, "专用账户", why)]


def stage_late(late: Late) -> Warning:
    """A stage open past its promised working days (issue 30): whose, which stage and party, how long, by when."""
    t = late.timed
    return Warning(
        Risk.STAGE_LATE,
        f"{late.reference} {late.enterprise}",
        f"{t.stage.label}（{t.party}）已 {t.working_days} 个工作日，时限 {t.limit} 个工作日，"
        f"应于 {t.due.month}月{t.due.day}日前办结",
        late.application_id,
    )

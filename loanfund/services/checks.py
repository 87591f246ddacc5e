"""Every rule check of an application, for showing ✓/✗ with its message (the rules themselves live in the domain)."""

from __future__ import annotations

from dataclasses import dataclass

from loanfund import clock
from loanfund.domain.eligibility import Size, bank_agreement_violation
from loanfund.domain.lifecycle import RESERVING_STATES, Role
from loanfund.domain.money import Money
from loanfund.domain.policy import Policy
from loanfund.domain.rules import ApprovalFacts, check_approval, max_approvable
from loanfund.models import Application
from loanfund.services import blacklist, fund
from loanfund.services.access import STAFF_READERS
from loanfund.services.lifecycle import application_policy


@dataclass(frozen=True)
class RuleCheck:
    rule: str
    label: str
    ok: bool
    message: str


@dataclass(frozen=True)
class ApprovalView:
    checks: list[RuleCheck]
    max_amount: Money | None  # the most R5, R7 and R8 allow now (None before the bank commits)
    group_reasons: tuple[str, ...]


def rule_checks(application: Application, viewer: Role, policy: Policy | None = None) -> ApprovalView:
    """R4–R11 for this application as it stands: the amount decided (or requested), own funds confirmed (or planned),
    the fund available to it (its own reservation counted back in).

    The special account's position is the platform's (DESIGN §2): for an enterprise or a bank there is no R8 line
    and no "most the rules allow" (which is capped by the fund's available balance)."""
    sees_fund = viewer in STAFF_READERS
    policy = policy or application_policy(application)
    today = clock.today()
    amount = application.approved_amount or application.requested_amount
    own = (
        application.own_funds_confirmed
        if application.own_funds_confirmed is not None
        else application.own_funds_planned
    )
    available = fund.position().available
    if application.state_enum in RESERVING_STATES and application.approved_amount is not None:
        available += application.approved_amount
    checks: list[RuleCheck] = []
    banned = blacklist.violation_for(application.enterprise.credit_code, today)
    checks.append(RuleCheck("R11", "黑名单", banned is None, banned.message if banned else "未列入黑名单"))
    bank = application.bank
    agreement = bank_agreement_violation(bank.name, bank.agreement_start, bank.agreement_end, today)
    checks.append(
        RuleCheck(
            "R10",
            "合作银行协议",
            agreement is None,
            agreement.message if agreement else f"{bank.name}协议期 {bank.agreement_start} 至 {bank.agreement_end}",
        )
    )
    size = Size(application.enterprise.size)
    checks.append(
        RuleCheck(
            "R10",
            "企业规模",
            True,
            f"{size.label}企业" + ("（中小企业优先）" if size.is_sme else "（非中小企业，可兼顾）"),
        )
    )
    checks.append(
        RuleCheck(
            "R4",
            "用款天数",
            1 <= application.requested_days <= policy.max_days,
            f"申请 {application.requested_days} 天，最长 {policy.max_days} 天",
        )
    )
    max_amount = None
    if application.committed_amount is not None:
        facts = ApprovalFacts(
            amount, application.committed_amount, application.loan_amount_due, own, available, application.loan_overdue
        )
        result = check_approval(policy, facts)
        max_amount = max_approvable(policy, facts)
        by_rule = {v.rule: v for v in result.violations}
        percent = f"{(policy.cap_ratio * 100).normalize():f}"
        passes = {
            "R5": f"金额 {amount.format_wan()} 万元不超过承诺续贷额度的{percent}%（{result.cap.format_wan()} 万元）",
            "R7": f"金额与自筹资金足额覆盖到期贷款本息 {application.loan_amount_due.format_wan()} 万元",
            "R8": f"专用账户可用余额 {available.format_wan()} 万元",
        }
        labels = {"R5": f"承诺额度{percent}%以内", "R7": "自筹资金到位", "R8": "资金余额充足"}
        if not sees_fund:
            max_amount = None
        for rule in ("R5", "R7", "R8") if sees_fund else ("R5", "R7"):
            violation = by_rule.get(rule)
            checks.append(
                RuleCheck(rule, labels[rule], violation is None, violation.message if violation else passes[rule])
            )
        reasons = result.group_reasons
    else:
        from loanfund.domain.rules import group_approval_reasons

        reasons = group_approval_reasons(policy, amount, application.loan_overdue)
    checks.append(
        RuleCheck(
            "R6", "领导小组审批", True, "需领导小组审批：" + "；".join(reasons) if reasons else "无需领导小组审批"
        )
    )
    return ApprovalView(checks, max_amount, reasons)

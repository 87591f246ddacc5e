"""Every rule check of an application, for showing ✓/✗ with its message (the rules themselves live in the domain)."""

from __future__ import annotations

from dataclasses import dataclass

from loanfund import clock
from loanfund.domain import credit
from loanfund.domain.eligibility import Size, bank_agreement_violation, credit_code_region, district_disagreement
from loanfund.domain.lifecycle import RESERVING_STATES, Role
from loanfund.domain.money import Money
from loanfund.domain.policy import Policy
from loanfund.domain.rules import ApprovalFacts, check_approval, group_approval_reasons, max_approvable
from loanfund.models import Application
from loanfund.services.access import STAFF_READERS
from loanfund.services.books import fund
from loanfund.services.lifecycle import application_policy
from loanfund.services.oversight import blacklist


@dataclass(frozen=True)
class RuleCheck:
    rule: str
    label: str
    ok: bool
    message: str


@dataclass(frozen=True)
class ApprovalView:
    checks: list[RuleCheck]
    max_amount: Money | None  # the most R5, R7 and R8 allow now (None before the bank commits, and for outsiders)
    group_reasons: tuple[str, ...]
    plain: bool = False  # worded for an enterprise or a bank: no fund figures, each check in plain words
    codes: bool = False  # the rule codes beside the words: for the platform's staff, who know the rules by them


# Who reads the rule codes beside the words (R5, R11): the platform's staff. The leading group, a bank and an
# enterprise read the words alone (issue 23).
CODE_READERS = frozenset({Role.REVIEWER, Role.OPERATOR})

# What each check is called: for staff, who know the rules by their codes; for an enterprise or a bank, in plain words.
_LABELS = {
    "R11": ("黑名单", "失信名单"),
    "R10": ("合作银行协议", "经办银行"),
    "region": ("注册地（市域内）", "注册地"),
    "size": ("企业规模", "企业规模"),
    "R4": ("用款天数", "使用天数"),
    "R5": ("承诺额度{percent}%以内", "借款额度"),
    "R7": ("自筹资金到位", "自筹资金"),
    "R8": ("资金余额充足", ""),
    "R6": ("领导小组审批", "审批层级"),
}


def rule_checks(application: Application, viewer: Role, policy: Policy | None = None) -> ApprovalView:
    """R4–R11 for this application as it stands: the amount decided (or requested), own funds confirmed (or planned),
    the fund available to it (its own reservation counted back in).

    The special account's position is the platform's (DESIGN §2): for an enterprise or a bank there is no R8 line
    and no "most the rules allow" (which is capped by the fund's available balance), and each check that concerns
    them is said in plain words, without the rule codes staff use."""
    staff = viewer in STAFF_READERS
    policy = policy or application_policy(application)
    today = clock.today()
    amount = application.approved_amount or application.requested_amount
    own = (
        application.own_funds_confirmed
        if application.own_funds_confirmed is not None
        else application.own_funds_planned
    )
    percent = policy.cap_percent
    checks: list[RuleCheck] = []

    def add(rule: str, ok: bool, message: str, plain_message: str) -> None:
        staff_label, plain_label = _LABELS[rule]
        label = staff_label.format(percent=percent) if staff else plain_label
        checks.append(
            RuleCheck(rule if rule not in ("size", "region") else "R10", label, ok, message if staff else plain_message)
        )

    banned = blacklist.violation_for(application.fund_id, application.enterprise.credit_code, today)
    add(
        "R11",
        banned is None,
        banned.message if banned else "未列入黑名单",
        banned.message if banned else "未列入失信名单",
    )
    enterprise = application.enterprise
    region = credit_code_region(enterprise.credit_code)
    served = application.fund.region()
    disagreement = district_disagreement(enterprise.credit_code, enterprise.district, served.districts)
    add(
        "region",
        disagreement is None,
        disagreement or f"信用代码登记地 {region}，所选{enterprise.district_name}",
        f"在{served.scope}内依法设立（{enterprise.district_name}）",
    )
    bank = application.bank
    agreement = bank_agreement_violation(bank.name, bank.agreement_start, bank.agreement_end, today)
    if agreement:
        add("R10", False, agreement.message, agreement.message)
    else:
        add(
            "R10",
            True,
            f"{bank.name}协议期 {bank.agreement_start} 至 {bank.agreement_end}",
            f"{bank.name}是本基金的合作银行，合作协议有效至 {bank.agreement_end}",
        )
    size = Size(application.enterprise.size)
    add(
        "size",
        True,
        f"{size.label}企业" + ("（中小企业优先）" if size.is_sme else "（非中小企业，可兼顾）"),
        f"{size.label}企业，" + ("属于优先支持的中小企业" if size.is_sme else "不属于中小企业，可兼顾支持"),
    )
    days = application.requested_days
    add(
        "R4",
        1 <= days <= policy.max_days,
        f"申请 {days} 天，最长 {policy.max_days} 天",
        f"申请使用 {days} 天，每次最长可用 {policy.max_days} 天",
    )
    max_amount = None
    if application.committed_amount is not None:
        available = fund.position(application.fund_id).available if staff else None
        if (
            available is not None
            and application.state_enum in RESERVING_STATES
            and application.approved_amount is not None
        ):
            available += application.approved_amount
        facts = ApprovalFacts(
            amount,
            application.committed_amount,
            application.loan_amount_due,
            own,
            available if available is not None else amount,  # R8 is not an outsider's to see
            application.loan_overdue,
        )
        result = check_approval(policy, facts)
        by_rule = {v.rule: v for v in result.violations}
        due, cap = application.loan_amount_due.format_wan(), result.cap.format_wan()
        passes = {
            "R5": (
                f"金额 {amount.format_wan()} 万元不超过承诺续贷额度的{percent}%（{cap} 万元）",
                f"借款 {amount.format_wan()} 万元，不超过银行承诺续贷金额的{percent}%（{cap} 万元）",
            ),
            "R7": (
                f"金额与自筹资金足额覆盖到期贷款本息 {due} 万元",
                f"借款加上自筹资金，足以归还到期贷款本息 {due} 万元",
            ),
        }
        for rule in ("R5", "R7"):
            violation = by_rule.get(rule)
            if violation:
                add(rule, False, violation.message, violation.message)
            else:
                add(rule, True, *passes[rule])
        if available is not None:
            violation = by_rule.get("R8")
            add(
                "R8",
                violation is None,
                violation.message if violation else f"专用账户可用余额 {available.format_wan()} 万元",
                "",
            )
            max_amount = max_approvable(policy, facts)
        reasons = result.group_reasons
    else:
        reasons = group_approval_reasons(
            policy, amount, application.loan_overdue, credit.needs_group(application.credit_adverse)
        )
    add(
        "R6",
        True,
        "需领导小组审批：" + "；".join(reasons) if reasons else "无需领导小组审批",
        "需报领导小组审批（" + "；".join(reasons) + "）" if reasons else "由平台审批，无需报领导小组",
    )
    return ApprovalView(checks, max_amount, reasons, plain=not staff, codes=viewer in CODE_READERS)

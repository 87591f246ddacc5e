"""批准 (第十七、十四条): the operator decides the amount, confirms own funds and reserves it (R5–R8, R10, R11); the
leading group decides when R6 applies."""

from __future__ import annotations

from loanfund import clock
from loanfund.domain.errors import RuleViolation
from loanfund.domain.lifecycle import Action, Role, State
from loanfund.domain.money import Money
from loanfund.domain.rules import check_approval
from loanfund.services.applications import materials
from loanfund.services.books import fund
from loanfund.services.lifecycle.approval import approval_facts, tell_approved
from loanfund.services.lifecycle.intake import eligibility_violations
from loanfund.services.lifecycle.spine import Step, complete
from loanfund.services.lifecycle.step import Outcome, Situation, StepDef, long_text, missing_reason, money
from loanfund.services.oversight import notices
from loanfund.services.policies import policy_version_in_force


def approve(
    step: Step,
    amount: Money,
    own_funds_confirmed: Money,
    note: str = "",
    missing_materials_reason: str = "",
) -> Outcome:
    """The operator decides the amount and confirms own funds in place; the amount is reserved (R8). Goes to the
    leading group when R6 applies, otherwise straight to approved. Priced under the policy in force today (R14). The
    materials required before approval (the bank's signed commitment, 第十六条) are on file, or why not is recorded.

    :raise RuleViolation: every violation of R5, R7, R8, and of R10 and R11 checked again, at once.
    :raise InvalidInput: a required material is missing and no reason is given.
    """
    application, actor = step.application, step.actor
    today = clock.today()
    version, policy = policy_version_in_force(application.fund_id, today)
    check = check_approval(policy, approval_facts(application, amount, own_funds_confirmed))
    violations = eligibility_violations(
        application.fund_id, application.enterprise.credit_code, application.bank, today
    )
    violations += check.violations
    if violations:
        raise RuleViolation(violations)
    without = materials.explained(application, "approve", missing_materials_reason)
    fund.reserve(application.fund_id, amount)  # the guarded UPDATE: concurrent approvals cannot over-commit
    application.approved_amount = amount
    application.own_funds_confirmed = own_funds_confirmed
    application.approved_on = today
    application.approved_by_id = actor.id
    application.policy_version_id = version.id
    application.group_reasons = "；".join(check.group_reasons) or None
    return complete(
        step,
        note,
        amount=amount,
        own_funds_confirmed=own_funds_confirmed,
        policy=policy.name,
        group_reasons=list(check.group_reasons),
        alternative=check.needs_group_approval,
        **without,
    )


def prefill(situation: Situation) -> dict[str, str]:
    """The most the rules allow, up to the request, and the own funds that leaves the loan due."""
    a, most = situation.application, situation.max_amount
    if most is None:
        return {}
    amount = min(a.requested_amount, most)
    return {"amount": amount.format(), "own_funds_confirmed": max(a.loan_amount_due - amount, Money.zero()).format()}


def tell(outcome: Outcome) -> None:
    a, ref = outcome.application, outcome.application.reference
    if a.state_enum is State.APPROVED:
        tell_approved(a)
        return
    assert a.approved_amount is not None
    notices.notify(
        notices.staff(a.fund_id, Role.GROUP),
        "group_waiting",
        f"待领导小组审批：{ref}",
        f"{a.enterprise.name}的应急转贷申请 {ref}，拟批准金额 {notices.decided(a.approved_amount)}，需报领导小组审批，"
        f"原因：{a.group_reasons or '—'}。",
        a,
    )
    notices.notify(
        notices.enterprise_users(a),
        "to_group",
        f"申请 {ref} 已报领导小组审批",
        f"贵企业的应急转贷申请 {ref} 拟批准金额 {notices.yuan(a.approved_amount)}，按规定须报领导小组审批"
        f"（{a.group_reasons or '—'}），审批结果将另行通知。",
        a,
    )


STEP = StepDef(
    Action.APPROVE,
    approve,
    duty="决定借款金额",
    inputs=(
        money("amount", "批准金额（元）"),
        money("own_funds_confirmed", "已到位的自筹资金（元）"),
        long_text("note", "审批意见"),
        missing_reason(),
    ),
    moves_money=True,
    prefill=prefill,
    hint=lambda s: f"最高可批准 {s.max_amount.format()} 元" if s.max_amount is not None else "",
    tell=tell,
)

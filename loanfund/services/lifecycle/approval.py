"""Approval (第十七、十四条): the operator decides the amount and reserves it (R5–R8, R10, R11); the leading group
decides when R6 applies; the side exits before the money goes out release the reservation."""

from __future__ import annotations

from loanfund import clock
from loanfund.domain import credit
from loanfund.domain.errors import RuleViolation
from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.domain.rules import (
    ApprovalFacts,
    check_approval,
)
from loanfund.models import Application, GroupDecision, User
from loanfund.services import fund, group_register, materials
from loanfund.services.lifecycle.intake import eligibility_violations
from loanfund.services.lifecycle.spine import Step, complete, required_text
from loanfund.services.policies import policy_version_in_force

# -- approve (第十七、十四条) ------------------------------------------------------------------------------------


def approval_facts(application: Application, amount: Money, own_funds: Money) -> ApprovalFacts:
    """The facts R5, R7 and R8 are checked against. The fund's availability excludes this application's own
    reservation (it has none before approval)."""
    assert application.committed_amount is not None
    return ApprovalFacts(
        amount=amount,
        committed_amount=application.committed_amount,
        loan_amount_due=application.loan_amount_due,
        own_funds=own_funds,
        fund_available=fund.position().available,
        loan_overdue=application.loan_overdue,
        adverse_credit=credit.needs_group(application.credit_adverse),
    )


def approve(
    step: Step,
    amount: Money,
    own_funds_confirmed: Money,
    note: str = "",
    missing_materials_reason: str = "",
) -> Application:
    """The operator decides the amount and confirms own funds in place; the amount is reserved (R8). Goes to the
    leading group when R6 applies, otherwise straight to approved. Priced under the policy in force today (R14). The
    materials required before approval (the bank's signed commitment, 第十六条) are on file, or why not is recorded.

    :raise RuleViolation: every violation of R5, R7, R8, and of R10 and R11 checked again, at once.
    :raise InvalidInput: a required material is missing and no reason is given.
    """
    application, actor = step.application, step.actor
    today = clock.today()
    version, policy = policy_version_in_force(today)
    check = check_approval(policy, approval_facts(application, amount, own_funds_confirmed))
    violations = eligibility_violations(application.enterprise.credit_code, application.bank, today)
    violations += check.violations
    if violations:
        raise RuleViolation(violations)
    without = materials.explained(application, "approve", missing_materials_reason)
    fund.reserve(amount)  # the guarded UPDATE: concurrent approvals cannot over-commit
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


def group_approve(step: Step, minutes_ref: str, note: str = "") -> Application:
    return _group_decides(step, minutes_ref, note, "批准")


def group_reject(step: Step, minutes_ref: str, note: str = "") -> Application:
    _release_reservation(step.application)
    return _group_decides(step, minutes_ref, note, "否决")


def _group_decides(step: Step, minutes_ref: str, note: str, outcome: str) -> Application:
    """The group's decision is recorded alike either way; the transition table says where it leads."""
    a = step.application
    amount = (a.approved_amount or a.requested_amount).format()
    subject = f"应急转贷 {a.reference}：{a.enterprise.name}，{amount} 元（{a.group_reasons or '报领导小组审批'}）"
    decided = group_decision(a, step.actor, minutes_ref, subject, outcome, note)
    return complete(step, note, minutes_ref=a.group_minutes_ref, decision_id=decided.id)


def group_decision(
    application: Application, actor: User, minutes_ref: str, subject: str, outcome: str, note: str
) -> GroupDecision:
    """The group's decision on the application, on the application and in the group's register (第四条)."""
    application.group_minutes_ref = required_text(minutes_ref, "minutes_ref", "会议纪要编号")
    application.group_decided_at = clock.utcnow()
    application.group_decided_by_id = actor.id
    return group_register.decision(
        actor,
        kind="application",
        subject=subject,
        outcome=outcome,
        minutes_ref=application.group_minutes_ref,
        note=note,
        application_id=application.id,
    )


def _release_reservation(application: Application) -> None:
    if application.state_enum in (State.APPROVED, State.GROUP_REVIEW) and application.approved_amount is not None:
        fund.release(application.approved_amount)


# -- side exits before disbursement ------------------------------------------------------------------------------


def withdraw(step: Step, reason: str) -> Application:
    """The enterprise (or an operator for it) withdraws before disbursement; a reservation is released."""
    application = step.application
    text = required_text(reason, "reason", "撤回原因")
    _release_reservation(application)
    _clear_preparation(application)
    return complete(step, text)


def cancel(step: Step, reason: str) -> Application:
    """An approved application that will not be disbursed; the reservation is released."""
    application = step.application
    text = required_text(reason, "reason", "取消原因")
    _release_reservation(application)
    _clear_preparation(application)
    return complete(step, text)


def _clear_preparation(application: Application) -> None:
    application.prepared_by_id = None
    application.prepared_at = None

"""What the approval steps share (第十七、十四条; the steps are in ``steps``): the facts R5, R7 and R8 are checked
against, the leading group's decision in its register, and the reservation released by a side exit."""

from __future__ import annotations

from loanfund import clock
from loanfund.domain import credit
from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.domain.rules import (
    ApprovalFacts,
)
from loanfund.models import Application, GroupDecision, User
from loanfund.services.books import fund
from loanfund.services.group import group_register
from loanfund.services.lifecycle.spine import Step, complete, required_text
from loanfund.services.lifecycle.step import Outcome
from loanfund.services.oversight import notices

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
        fund_available=fund.position(application.fund_id).available,
        loan_overdue=application.loan_overdue,
        adverse_credit=credit.needs_group(application.credit_adverse),
    )


def group_decides(step: Step, minutes_ref: str, note: str, outcome: str) -> Outcome:
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


def release_reservation(application: Application) -> None:
    if application.state_enum in (State.APPROVED, State.GROUP_REVIEW) and application.approved_amount is not None:
        fund.release(application.fund_id, application.approved_amount)


def end_unpaid(step: Step, reason: str, reason_label: str) -> Outcome:
    """A withdrawal or a cancellation: the application ends before its money went out, with the reason given — its
    reservation released and a preparation waiting for its checker dropped."""
    application = step.application
    text = required_text(reason, "reason", reason_label)
    release_reservation(application)
    application.prepared_by_id = None
    application.prepared_at = None
    return complete(step, text)


def tell_approved(a: Application) -> None:
    """Approved, by the operator or the group: the enterprise and the bank hear the amount (and its 大写)."""
    assert a.approved_amount is not None
    text = (
        f"应急转贷申请 {a.reference}（{a.enterprise.name}）已批准，金额 {notices.decided(a.approved_amount)}，用款 "
        f"{a.requested_days} 天。平台将划款至{a.bank.name}指定账户，届时另行通知。"
    )
    recipients = [*notices.enterprise_users(a), *notices.bank_users(a)]
    notices.notify(recipients, "approved", f"申请 {a.reference} 已批准", text, a)

"""Overdue bridges (第二十一、二十二条): recovery with a plan, and the leading group's write-off."""

from __future__ import annotations

from loanfund import clock
from loanfund.domain.errors import NotAllowed
from loanfund.domain.ledger import write_off_posting
from loanfund.domain.money import Money
from loanfund.domain.rules import (
    is_overdue,
)
from loanfund.models import Application
from loanfund.services import blacklist, ledger
from loanfund.services.lifecycle.approval import group_decision
from loanfund.services.lifecycle.settlement import account_of
from loanfund.services.lifecycle.spine import Step, application_policy, complete, required_text

# -- overdue: recovery and write-off (第二十一、二十二条) -----------------------------------------------------------


def open_recovery(step: Step, plan: str) -> Application:
    """An overdue bridge (R4) goes to recovery with a plan."""
    application = step.application
    assert application.value_date is not None
    if not is_overdue(application_policy(application), application.value_date, clock.today()):
        raise NotAllowed("尚未逾期，不能启动追偿", code="state_not_allowed")
    application.recovery_plan = required_text(plan, "plan", "追偿方案")
    application.recovery_opened_on = clock.today()
    return complete(step, application.recovery_plan)


def write_off(
    step: Step,
    minutes_ref: str,
    note: str = "",
) -> Application:
    """The leading group decides to write off what could not be recovered."""
    application, actor = step.application, step.actor
    required_text(minutes_ref, "minutes_ref", "会议纪要编号")
    application.written_off_on = clock.today()
    account = account_of(application)
    loss = account.principal_outstanding if account else Money.zero()
    subject = f"应急转贷 {application.reference}：{application.enterprise.name}逾期未归还，核销本金 {loss.format()} 元"
    decided = group_decision(application, actor, minutes_ref, subject, "核销", note)
    if account is not None and account.principal_outstanding.is_positive:
        ledger.post(
            write_off_posting(application.id, account.principal_outstanding),
            application.written_off_on,
            application_id=application.id,
            actor=actor,
        )
    # 第二十二条: a default written off proposes its enterprise for the blacklist, for the group to confirm
    blacklist.propose_for_default(
        application,
        f"应急转贷 {application.reference} 逾期未归还，经领导小组核销（纪要 {application.group_minutes_ref}）",
    )
    return complete(
        step,
        note,
        minutes_ref=application.group_minutes_ref,
        principal_outstanding=loss,
        decision_id=decided.id,
    )

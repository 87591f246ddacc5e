"""核销 (第二十二条): the leading group writes off what could not be recovered; the enterprise is proposed for the
blacklist."""

from __future__ import annotations

from loanfund import clock
from loanfund.domain.ledger import write_off_posting
from loanfund.domain.lifecycle import Action
from loanfund.domain.money import Money
from loanfund.services.books import ledger
from loanfund.services.lifecycle.approval import group_decision
from loanfund.services.lifecycle.settlement import account_of
from loanfund.services.lifecycle.spine import Step, complete, required_text
from loanfund.services.lifecycle.step import Outcome, StepDef, long_text, text
from loanfund.services.lifecycle.steps.open_recovery import outstanding
from loanfund.services.oversight import blacklist


def write_off(step: Step, minutes_ref: str, note: str = "") -> Outcome:
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
            fund_id=application.fund_id,
            bank_ref=None,  # the loss is booked; no money moves
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


STEP = StepDef(
    Action.WRITE_OFF,
    write_off,
    duty="逾期追偿与核销",
    inputs=(text("minutes_ref", "会议纪要编号", True), long_text("note", "意见")),
    shows=outstanding,
    danger=True,
    second_factor=True,
    final="核销后不再作为应收款项跟踪，损失计入专用账户。",
)

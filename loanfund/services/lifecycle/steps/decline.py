"""银行不同意 (第十六条): the bank declines to renew, with its opinion."""

from __future__ import annotations

from loanfund import clock
from loanfund.domain.lifecycle import Action
from loanfund.services.lifecycle.spine import Step, complete, required_text
from loanfund.services.lifecycle.step import Outcome, StepDef, long_text


def decline(step: Step, opinion: str) -> Outcome:
    """The bank declines to renew; its opinion is required."""
    application, actor = step.application, step.actor
    text = required_text(opinion, "opinion", "银行意见")
    application.bank_opinion = text
    application.bank_officer = actor.display_name
    application.committed_at = clock.utcnow()
    application.committed_by_id = actor.id
    return complete(step, text)


STEP = StepDef(
    Action.DECLINE,
    decline,
    duty="银行审核与承诺",
    inputs=(long_text("opinion", "不同意的理由", True),),
    danger=True,
    final="银行不同意续贷后申请即终止。",
)

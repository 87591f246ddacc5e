"""取消: an approved application that will not be disbursed; the reservation is released."""

from __future__ import annotations

from loanfund.domain.lifecycle import Action
from loanfund.services.lifecycle.approval import end_unpaid
from loanfund.services.lifecycle.spine import Step
from loanfund.services.lifecycle.step import Outcome, StepDef, long_text


def cancel(step: Step, reason: str) -> Outcome:
    """An approved application that will not be disbursed; the reservation is released."""
    return end_unpaid(step, reason, "取消原因")


STEP = StepDef(
    Action.CANCEL,
    cancel,
    duty="决定借款金额",
    releases_reservation=True,
    inputs=(long_text("reason", "原因", True),),
    danger=True,
    final="取消后申请即终止，已预留的资金随即释放。",
)

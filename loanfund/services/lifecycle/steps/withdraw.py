"""撤回: the enterprise (or an operator for it) withdraws before disbursement; a reservation is released."""

from __future__ import annotations

from loanfund.domain.lifecycle import Action
from loanfund.services.lifecycle.approval import end_unpaid
from loanfund.services.lifecycle.spine import Step
from loanfund.services.lifecycle.step import Outcome, StepDef, long_text


def withdraw(step: Step, reason: str) -> Outcome:
    """The enterprise (or an operator for it) withdraws before disbursement; a reservation is released."""
    return end_unpaid(step, reason, "撤回原因")


STEP = StepDef(
    Action.WITHDRAW,
    withdraw,
    duty="申请",
    releases_reservation=True,
    inputs=(long_text("reason", "原因", True),),
    danger=True,
    final="撤回后申请即终止，不能恢复；如仍需资金须重新申请。",
    tucked_for_enterprise=True,
)

"""领导小组批准 (第十四条): the group approves a request R6 gave it."""

from __future__ import annotations

from loanfund.domain.lifecycle import Action
from loanfund.services.lifecycle.approval import group_decides, tell_approved
from loanfund.services.lifecycle.spine import Step
from loanfund.services.lifecycle.step import Outcome, StepDef, long_text, text


def group_approve(step: Step, minutes_ref: str, note: str = "") -> Outcome:
    """The leading group approves (R6, 第十四条)."""
    return group_decides(step, minutes_ref, note, "批准")


STEP = StepDef(
    Action.GROUP_APPROVE,
    group_approve,
    duty="领导小组审批",
    inputs=(text("minutes_ref", "会议纪要编号", True), long_text("note", "意见")),
    tell=lambda outcome: tell_approved(outcome.application),
)

"""领导小组否决 (第十四条): the group rejects; the reservation is released."""

from __future__ import annotations

from loanfund.domain.lifecycle import Action
from loanfund.services.lifecycle.approval import group_decides, release_reservation
from loanfund.services.lifecycle.spine import Step
from loanfund.services.lifecycle.step import Outcome, StepDef, long_text, text
from loanfund.services.oversight import notices


def group_reject(step: Step, minutes_ref: str, note: str = "") -> Outcome:
    """The leading group rejects; the reservation is released."""
    release_reservation(step.application)
    return group_decides(step, minutes_ref, note, "否决")


def tell(outcome: Outcome) -> None:
    a, ref = outcome.application, outcome.application.reference
    notices.notify(
        [*notices.enterprise_users(a), *notices.bank_users(a)],
        "group_rejected",
        f"申请 {ref} 未获领导小组批准",
        f"应急转贷申请 {ref}（{a.enterprise.name}）未获领导小组批准（纪要 {a.group_minutes_ref or '—'}）。",
        a,
    )


STEP = StepDef(
    Action.GROUP_REJECT,
    group_reject,
    duty="领导小组审批",
    releases_reservation=True,
    inputs=(text("minutes_ref", "会议纪要编号", True), long_text("note", "意见")),
    danger=True,
    final="领导小组不同意后申请即终止，已预留的资金随即释放。",
    tell=tell,
)

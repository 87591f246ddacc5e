"""不予受理 (第十五条): the platform does not accept the application, with its reason."""

from __future__ import annotations

from loanfund import clock
from loanfund.domain.lifecycle import Action
from loanfund.services.lifecycle.spine import Step, complete, required_text
from loanfund.services.lifecycle.step import Outcome, StepDef, long_text
from loanfund.services.oversight import notices


def reject(step: Step, note: str) -> Outcome:
    """The platform does not accept the application; the reason is required."""
    application, actor = step.application, step.actor
    reason = required_text(note, "note", "不予受理的理由")
    application.review_note = reason
    application.reviewed_at = clock.utcnow()
    application.reviewed_by_id = actor.id
    return complete(step, reason)


def tell(outcome: Outcome) -> None:
    a, ref = outcome.application, outcome.application.reference
    notices.notify(
        notices.enterprise_users(a),
        "rejected",
        f"申请 {ref} 不予受理",
        f"贵企业的应急转贷申请 {ref} 不予受理。理由：{outcome.note}",
        a,
    )


STEP = StepDef(
    Action.REJECT,
    reject,
    duty="资格和信用审查",
    inputs=(long_text("note", "不予受理的理由", True),),
    danger=True,
    final="不予受理后申请即终止，企业需重新提交申请。",
    tell=tell,
)

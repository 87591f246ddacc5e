"""退回制单 (第十七条): the checker sends a preparation back to the maker; nothing has moved."""

from __future__ import annotations

from typing import Any

from loanfund.domain.errors import NotAllowed
from loanfund.domain.lifecycle import Action, Role
from loanfund.services.lifecycle.spine import Step, complete, required_text
from loanfund.services.lifecycle.step import Outcome, Shown, StepDef, long_text
from loanfund.services.oversight import notices


def return_preparation(step: Step, reason: str) -> Outcome:
    """The checker sends the preparation back to the maker with the reason (a wrong value date or reference): nothing
    has moved; the application waits for a new preparation, by any operator, which another then authorises.

    :raise NotAllowed: nothing is prepared, or the maker would be returning their own preparation.
    :raise InvalidInput: no reason.
    """
    application, actor = step.application, step.actor
    if application.prepared_by_id is None:
        raise NotAllowed("尚未制单，无可退回的放款指令", code="state_not_allowed")
    if application.prepared_by_id == actor.id:
        raise NotAllowed("制单人不能退回自己的制单，请由复核人退回", code="maker_checker")
    text = required_text(reason, "reason", "退回原因")
    returned: dict[str, Any] = {
        "value_date": application.value_date,
        "transfer_ref": application.disbursement_ref or "",
        "prepared_by": application.prepared_by_id,
    }
    application.prepared_by_id = None
    application.prepared_at = None
    application.value_date = None
    application.disbursement_ref = None
    return complete(step, text, **returned)


def tell(outcome: Outcome) -> None:
    a, ref = outcome.application, outcome.application.reference
    notices.notify(
        notices.staff(a.fund_id, Role.OPERATOR),
        "preparation_returned",
        f"放款制单已退回：{ref}",
        f"{a.enterprise.name}的应急转贷 {ref} 的放款制单已被复核人退回，请重新制单。退回原因：{outcome.note}",
        a,
    )


def shows(outcome: Outcome, _: dict[str, Any]) -> Shown:
    return Shown("放款金额", outcome.application.approved_amount)


STEP = StepDef(
    Action.RETURN_PREPARATION,
    return_preparation,
    duty="放款复核",
    inputs=(long_text("reason", "原因", True),),
    # nothing prepared, or the maker's own preparation
    closed=lambda s: s.application.prepared_by_id in (None, s.actor.id),
    shows=shows,
    tell=tell,
)

"""启动追偿 (第二十一条): an overdue bridge (R4) goes to recovery with a plan."""

from __future__ import annotations

from typing import Any

from loanfund import clock
from loanfund.domain.errors import NotAllowed
from loanfund.domain.lifecycle import Action, Role
from loanfund.domain.rules import is_overdue
from loanfund.services.lifecycle.settlement import account_of
from loanfund.services.lifecycle.spine import Step, application_policy, complete, required_text
from loanfund.services.lifecycle.step import Outcome, Shown, StepDef, long_text
from loanfund.services.oversight import notices


def open_recovery(step: Step, plan: str) -> Outcome:
    """An overdue bridge (R4) goes to recovery with a plan."""
    application = step.application
    assert application.value_date is not None
    if not is_overdue(application_policy(application), application.value_date, clock.today()):
        raise NotAllowed("尚未逾期，不能启动追偿", code="state_not_allowed")
    application.recovery_plan = required_text(plan, "plan", "追偿方案")
    application.recovery_opened_on = clock.today()
    return complete(step, application.recovery_plan)


def outstanding(outcome: Outcome, _: dict[str, Any]) -> Shown:
    account = account_of(outcome.application)
    return Shown("尚未收回", account.outstanding if account else None)


def tell(outcome: Outcome) -> None:
    a, ref = outcome.application, outcome.application.reference
    notices.notify(
        notices.staff(a.fund_id, Role.GROUP),
        "recovery_plan",
        f"追偿方案已报送：{ref}",
        f"{a.enterprise.name}的应急转贷 {ref} 逾期未收回，平台已启动追偿。追偿方案：{a.recovery_plan or outcome.note}",
        a,
    )


STEP = StepDef(
    Action.OPEN_RECOVERY,
    open_recovery,
    duty="逾期追偿与核销",
    inputs=(long_text("plan", "追偿方案", True),),
    closed=lambda s: not s.overdue,  # recovery opens only on an overdue bridge
    shows=outstanding,
    tell=tell,
)

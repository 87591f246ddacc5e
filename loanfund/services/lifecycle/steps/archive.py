"""归档 (第十九条): the record closes; the usage statement is frozen as filed with the leading group office."""

from __future__ import annotations

from typing import Any

from loanfund import clock
from loanfund.domain.lifecycle import Action
from loanfund.services.lifecycle import statement
from loanfund.services.lifecycle.settlement import account_of
from loanfund.services.lifecycle.spine import Step, application_policy, complete
from loanfund.services.lifecycle.step import Outcome, Shown, StepDef, long_text


def archive(step: Step, note: str = "") -> Outcome:
    """The record closes (第十九条): the usage statement is frozen as it reads today — its 填表日期 — and kept as filed
    with the leading group office, in the same transaction as the step."""
    application = step.application
    application.archived_at = clock.utcnow()
    policy = application_policy(application)
    account = account_of(application, application.received_on, policy)
    frozen = statement.build(application, account, policy, clock.today(), archived_by=step.actor, archive_note=note)
    statement.freeze(application, frozen, step.actor)
    return complete(step, note)


def _nothing_in_money(_: Outcome, __: dict[str, Any]) -> Shown:
    return Shown()


STEP = StepDef(
    Action.ARCHIVE,
    archive,
    duty="归档",
    inputs=(long_text("note", "备注"),),
    shows=_nothing_in_money,
    final="归档后申请不能再修改，使用情况说明表随即定稿。",
)

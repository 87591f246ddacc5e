"""The lifecycle of an application (DESIGN §3), by phase, around one spine (``spine``).

``STEPS`` is the one registry of the steps taken on an application: one ``step.StepDef`` per action, each in its
own module of ``steps`` — its inputs, rules, guard, prefill, confirmation, notices. The web forms, the API schemas
and the OpenAPI document are drawn from it.

``take`` runs a step: it loads the application for update as the actor may see it and looks the transition up,
once (404, then 403 or 409), then reads the step's input (so an API body is judged only after that: 422), then the
step's own rules and its notices, and commits once. The functions named after the actions are the same for Python
callers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from loanfund.domain.lifecycle import Action
from loanfund.models import Application, User
from loanfund.services.lifecycle import steps
from loanfund.services.lifecycle.approval import approval_facts
from loanfund.services.lifecycle.intake import (
    ApplicationDraft,
    ApplicationInput,
    application_problems,
    document_problems,
    eligibility_violations,
    submit_application,
    submit_with_documents,
)
from loanfund.services.lifecycle.reading import commitment, get, group_reasons_now, overdue, timeline
from loanfund.services.lifecycle.settlement import account_of, usage_statement
from loanfund.services.lifecycle.spine import Step, application_policy, begin
from loanfund.services.lifecycle.step import Outcome, StepDef
from loanfund.services.people import second_factor
from loanfund.services.uow import finish

__all__ = [
    "MONEY_ACTIONS",
    "STEPS",
    "ApplicationDraft",
    "ApplicationInput",
    "Outcome",
    "StepDef",
    "account_of",
    "application_policy",
    "application_problems",
    "approval_facts",
    "commitment",
    "document_problems",
    "eligibility_violations",
    "get",
    "group_reasons_now",
    "overdue",
    "submit_application",
    "submit_with_documents",
    "take",
    "timeline",
    "usage_statement",
]


STEPS: dict[Action, StepDef] = steps.STEPS
MONEY_ACTIONS = frozenset(action for action, spec in STEPS.items() if spec.moves_money)


def take(
    actor: User,
    application_id: int,
    action: Action,
    read_input: Callable[[], Mapping[str, Any]] | None = None,
    passed: second_factor.Passed | None = None,
    **inputs: Any,
) -> Outcome:
    """Take ``action`` on the application: one load for update, one transition lookup, then ``read_input()`` (when
    given, e.g. an API body parsed only now) or ``inputs``, then the step's rules, its notices (the outbox, in the
    same transaction), and one commit. A step that asks for a second factor (``StepDef.second_factor``) wants the
    code checked for the actor just before (``passed``, from ``second_factor.check``).

    :raise NotFound: 404. :raise NotAllowed: 403/409. :raise InvalidInput, RuleViolation: 422. :raise Conflict: 409.
    """
    step: Step = begin(actor, application_id, action)
    spec = STEPS[action]
    if spec.second_factor:
        second_factor.require(actor, passed)
    if read_input is not None:
        inputs = dict(read_input())
    outcome = spec.apply(step, **inputs)
    spec.tell(outcome)
    return finish(outcome)


def __getattr__(name: str) -> Callable[..., Application]:
    """``lifecycle.approve(actor, application_id, amount, own_funds_confirmed)`` and the like, for Python callers
    (the demo seed, tests): ``take`` by the step's name, its inputs in the order the step declares them; the
    application it leaves."""
    action = next((a for a in STEPS if a.value.replace("-", "_") == name), None)
    if action is None:
        raise AttributeError(name)
    names = STEPS[action].names

    def by_name(actor: User, application_id: int, *args: Any, **kwargs: Any) -> Application:
        return take(actor, application_id, action, **dict(zip(names, args, strict=False)), **kwargs).application

    by_name.__name__ = name
    return by_name

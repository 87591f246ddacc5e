"""The spine every lifecycle step runs on: load the application for update and look its transition up — once —
then the step's own rules (its ``apply``), then move and record the event; ``lifecycle.take`` commits once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm.attributes import flag_modified

from loanfund import clock
from loanfund.domain.errors import FieldErrors, InvalidInput
from loanfund.domain.lifecycle import Action, State, Transition, transition_for
from loanfund.domain.money import Money
from loanfund.domain.policy import Policy
from loanfund.extensions import db
from loanfund.models import Application, ApplicationEvent, User
from loanfund.services.access import application_for
from loanfund.services.lifecycle.step import Outcome
from loanfund.services.policies import policy_version_in_force


@dataclass(frozen=True)
class Step:
    """A step being taken: who, on which application (locked and read fresh from the database), from which state,
    and the transition table's entry for it."""

    actor: User
    application: Application
    action: Action
    before: State
    transition: Transition


def begin(actor: User, application_id: int, action: Action) -> Step:
    """Lock the application as the actor may see it, read it fresh, and ask the table once.

    :raise NotFound: not the actor's to see (404).
    :raise NotAllowed: the actor's role never takes the step (403), or not from the current state (409).
    """
    application = application_for(actor, application_id, for_update=True)
    before = application.state_enum
    return Step(actor, application, action, before, transition_for(before, action, actor.role_enum))


def complete(step: Step, note: str = "", *, alternative: bool = False, **payload: Any) -> Outcome:
    """The end of every step's ``apply``: move to the table's target (or its alternative) and record the event. The
    runner (``lifecycle.take``) then sends the step's notices and commits once.

    The application's row is always written, even by a step that leaves its state as it was (a partial return), so
    its version moves on: a concurrent step that read the row before this one committed fails its version check."""
    application, transition = step.application, step.transition
    target = transition.alternative if alternative and transition.alternative else transition.target
    application.state = target.value
    application.updated_at = clock.utcnow()
    flag_modified(application, "updated_at")
    record(application, step.actor, step.action, step.before, note, **payload)
    return Outcome(application, step.before, note)


def record(
    application: Application,
    actor: User,
    action: Action | str,
    from_state: State | None,
    note: str = "",
    **payload: Any,
) -> None:
    at = clock.utcnow()
    db.session.add(
        ApplicationEvent(
            application=application,
            actor_id=actor.id,
            actor_role=actor.role,
            at=at,
            action=str(action),
            from_state=from_state.value if from_state else None,
            to_state=application.state,
            note=note or "",
            payload={k: _plain(v) for k, v in payload.items()},
        )
    )
    # every write of an application's row comes here: its row among the bridges out, the report's kept totals and
    # its stage times follow (imported here: they build on this module's policy lookup)
    from loanfund.services.lifecycle import bridges
    from loanfund.services.oversight import time_limits
    from loanfund.services.reports import cohorts

    bridges.keep(application)
    cohorts.moved(application, from_state.value if from_state else None, application.state)
    time_limits.moved(application, from_state.value if from_state else None, application.state, at)


def record_beside(application: Application, actor: User, action: str, note: str, **payload: Any) -> None:
    """An event that is not a step of the table (a bank claim, a recovery measure): the application locked by the
    caller keeps its state, its row is written all the same (so a concurrent step's version check fails), and the
    event records who did what."""
    application.updated_at = clock.utcnow()
    flag_modified(application, "updated_at")
    record(application, actor, action, application.state_enum, note, **payload)


def _plain(value: Any) -> Any:
    if isinstance(value, Money):
        return value.plain()
    if isinstance(value, date):
        return value.isoformat()
    return value


def each(*checks: Callable[[], Any]) -> list[Any]:
    """Run every check of a step's inputs and name every problem at once (one ``InvalidInput``), not the first only;
    otherwise their results in order."""
    found = FieldErrors()
    results = []
    for check in checks:
        try:
            results.append(check())
        except InvalidInput as exc:
            for name, messages in exc.errors.items():
                for message in messages:
                    found.add(name, message)
            results.append(None)
    found.raise_if_any()
    return results


def past_date(value: date, field: str, label: str, not_before: date | None = None, before_label: str = "") -> None:
    """Dates of things that happened: today or earlier, and not before the previous step's date."""
    today = clock.today()
    if value > today:
        raise InvalidInput({field: [f"{label}不能晚于今天（{today.isoformat()}）"]})
    if not_before is not None and value < not_before:
        raise InvalidInput({field: [f"{label}不能早于{before_label}（{not_before.isoformat()}）"]})


def required_text(value: str | None, field: str, label: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput({field: [f"请填写{label}"]})
    return text


def application_policy(application: Application, in_force: Policy | None = None) -> Policy:
    """The policy the application was approved under (R14), or the one in force today before approval
    (``in_force`` when the caller already has it: a list of applications looks it up once, not once per row)."""
    if application.policy_version is not None:
        return application.policy_version.to_policy()
    return in_force or policy_version_in_force(application.fund_id, clock.today())[1]

"""A lifecycle step as one object (DESIGN §3, issue 26).

A ``StepDef`` holds everything about one step: its inputs (typed, with their labels and limits), who takes it (the
transition table's row), the guard that closes it now beyond state and role, ``apply`` (its rules and its move,
handing back the ``Outcome`` — the account worked out once), what its form starts with, what its confirmation shows
(money, day, payee, danger, what cannot be undone), the notices it sends and what the user is told after. The web
form, the API schema and its OpenAPI operation, the confirmation, the read model's offered steps and the notices are
all drawn from it. Each step is one module of ``steps``; the registry finds it there.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from loanfund.domain.lifecycle import TRANSITIONS, Action, Role, State
from loanfund.domain.money import Money
from loanfund.domain.policy import Policy
from loanfund.domain.rules import Settlement
from loanfund.models import Application, User

Kind = Literal["money", "date", "text", "long_text", "choice"]

MISSING_REASON = "缺少必需材料时仍予办理的理由"


@dataclass(frozen=True)
class Input:
    """One input of a step, as its form field and its API body field.

    ``required``: the API's schema requires it; the web form too unless ``form_required`` is False (the step itself
    names it missing, beside its other problems, so the page shows them all in one pass). ``choices``: the kind a
    ``choice`` is one of. ``hint``: added to the label in the API's description.
    """

    name: str
    kind: Kind
    label: str
    required: bool = False
    form_required: bool | None = None
    max_length: int = 2000
    choices: type[StrEnum] | None = None
    hint: str = ""

    @property
    def on_form_required(self) -> bool:
        return self.required if self.form_required is None else self.form_required

    @property
    def description(self) -> str:
        text = f"{self.label}（{self.hint}）" if self.hint else self.label
        if self.choices is not None:
            text += "：" + " / ".join(f"{c.value} {c.label}" for c in self.choices)  # type: ignore[attr-defined]
        return text


def money(name: str, label: str) -> Input:
    return Input(name, "money", label, required=True)


def day(name: str, label: str, required: bool = True) -> Input:
    return Input(name, "date", label, required=required)


def text(name: str, label: str, required: bool = False, *, beside: bool = False, max_length: int = 64) -> Input:
    """A line of text; ``beside``: required, but named by the step beside its other checks on the web."""
    return Input(name, "text", label, required=required, form_required=False if beside else None, max_length=max_length)


def long_text(name: str, label: str, required: bool = False) -> Input:
    return Input(name, "long_text", label, required=required)


def choice(name: str, label: str, kind: type[StrEnum]) -> Input:
    return Input(name, "choice", label, max_length=10, choices=kind)


def missing_reason() -> Input:
    return Input("missing_materials_reason", "long_text", MISSING_REASON, hint="清单所列必需材料未齐时必填")


@dataclass(frozen=True)
class Situation:
    """What the guard, the prefill and the notes of a step see: the actor, the application, today, the application's
    policy, whether the bridge is overdue, and the most the rules allow now (None before the bank commits)."""

    actor: User
    application: Application
    today: date
    policy: Policy
    overdue: bool
    max_amount: Money | None


@dataclass(frozen=True)
class Outcome:
    """What a step did: the application as it left it, the state it came from, the event's note, and — for a step
    that takes money back — the bridge's account after it, worked out once for the notices, the page and the API."""

    application: Application
    before: State
    note: str = ""
    account: Settlement | None = None


@dataclass(frozen=True)
class Shown:
    """What the confirmation shows of a step: the amount it is about (with its parts) and its day."""

    amount_label: str = ""
    amount: Money | None = None
    lines: tuple[tuple[str, str], ...] = ()
    date_label: str = ""
    on: date | None = None


def _never(_: Situation) -> bool:
    return False


def _nothing(_: Situation) -> dict[str, Any]:
    return {}


def _the_amount(outcome: Outcome, _: dict[str, Any]) -> Shown:
    a = outcome.application
    if a.approved_amount:
        return Shown("批准金额", a.approved_amount)
    return Shown("申请金额", a.requested_amount)


def _silent(_: Outcome) -> None:
    return None


@dataclass(frozen=True)
class StepDef:
    action: Action
    apply: Callable[..., Outcome]  # (spine.Step, **inputs) -> the outcome, not yet committed
    inputs: tuple[Input, ...] = ()
    duty: str = ""  # the duty of the procedure it discharges, for the accountability record (accountability.DUTIES)
    releases_reservation: bool = False  # it ends an approval's reservation of the fund (R8), spent or not
    moves_money: bool = False  # moves or promises money: the API requires an Idempotency-Key
    closed: Callable[[Situation], bool] = _never  # a rule closes it now, beyond state and role (not offered)
    prefill: Callable[[Situation], dict[str, Any]] = _nothing  # what its form starts with
    note: Callable[[Situation], tuple[str, bool]] | None = None  # shown beside the form; True: as a warning
    live_note: bool = False  # the note follows the amount as it is typed (the bank's commitment cover)
    hint: Callable[[Situation], str] | None = None  # a line under the form's fields
    shows: Callable[[Outcome, dict[str, Any]], Shown] = _the_amount  # what its confirmation shows
    pays: bool = False  # the confirmation shows the payee: the bank's designated account
    danger: bool = False  # it closes or refuses something: red
    final: str = ""  # what cannot be undone, said before it is confirmed
    warning: Callable[[Application], str] | None = None  # said before instead of ``final`` when it has something
    tell: Callable[[Outcome], None] = _silent  # the notices it sends (DESIGN §6), in its transaction
    done: Callable[[Outcome], tuple[str, str]] | None = None  # what the page says after: text and its tone
    tucked_for_enterprise: bool = False  # on the enterprise's page, folded away under its progress
    # asks its actor for a one-time code first, as a bank portal does before money leaves (issue 30): on its
    # confirmation page, and in the API's ``X-OTP`` header (``second_factor``)
    second_factor: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        """The inputs' names: ``apply``'s parameters after the step (a test holds them equal)."""
        return tuple(i.name for i in self.inputs)

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(list(inspect.signature(self.apply).parameters)[1:])

    @property
    def roles(self) -> frozenset[Role]:
        """Every role that takes this step from some state (the domain's transition table)."""
        return frozenset(role for (_, action), t in TRANSITIONS.items() if action is self.action for role in t.roles)

    def said_before(self, application: Application) -> str:
        return (self.warning(application) if self.warning else "") or self.final

    def said_after(self, outcome: Outcome) -> tuple[str, str]:
        return self.done(outcome) if self.done else (f"已{self.action.label}", "success")

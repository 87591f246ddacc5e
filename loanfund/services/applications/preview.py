"""Before money moves: a step run up to the point of committing, looked at, and thrown away.

The confirmation a user reads is what the real step would do, worked out by the real step: ``rehearse`` runs the use
case with every rule and every guarded UPDATE, takes its picture inside the transaction (the application as the step
leaves it, the special account's position after it), and rolls back. Nothing is worked out twice, so the page cannot
promise something the step would not do; the step itself runs again when the user confirms (and may then be refused,
if somebody else moved first).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Generic, TypeVar

from loanfund.domain.lifecycle import Action, State
from loanfund.domain.money import Money
from loanfund.models import User
from loanfund.services import lifecycle, uow
from loanfund.services.access import STAFF_READERS
from loanfund.services.books import fund
from loanfund.services.people import second_factor

T = TypeVar("T")
R = TypeVar("R")


class _Rehearsed(Exception, Generic[R]):
    """Carries the picture out of the transaction it was taken in (and stops the commit)."""

    def __init__(self, picture: R) -> None:
        super().__init__("rehearsed")
        self.picture = picture


def rehearse(use_case: Callable[[], T], look: Callable[[T], R]) -> R:
    """Run ``use_case`` up to its commit, return ``look(result)`` taken inside its transaction, and roll back.

    A refusal (``InvalidInput``, ``RuleViolation``, ``NotAllowed``…) propagates as it would from the real call, with
    the session rolled back.
    """

    def stop(result: Any) -> None:
        raise _Rehearsed(look(result))

    try:
        with uow.rehearsal(), uow.committing_with(stop):
            use_case()
    except _Rehearsed as done:
        uow.discard()
        return done.picture  # type: ignore[no-any-return]
    except BaseException:
        uow.discard()
        raise
    uow.discard()
    raise RuntimeError("the use case returned without committing")  # every use case ends in uow.finish


@dataclass(frozen=True)
class Effect:
    """The special account before and after a step: its cash, and what is available (cash − reservations)."""

    before: fund.FundPosition
    after: fund.FundPosition

    @property
    def cash_change(self) -> Money:
        return self.after.cash - self.before.cash

    @property
    def available_change(self) -> Money:
        return self.after.available - self.before.available


@dataclass(frozen=True)
class Confirmation:
    """What a step will do, for the page that asks "确认？" before it is taken."""

    title: str  # the step, as its button names it: 批准, 复核放款, 登记出资
    amount_label: str = ""
    amount: Money | None = None
    lines: tuple[tuple[str, str], ...] = ()  # what else the step records, as label and value
    payee: tuple[str, str, str] | None = None  # account name, bank, account number
    date_label: str = ""
    on: date | None = None
    states: tuple[State, State] | None = None  # an application's state before and after
    effect: Effect | None = None  # for the platform's staff only (the fund's position is theirs, DESIGN §2)
    warning: str = ""  # what cannot be undone, in plain words
    danger: bool = False  # it closes or refuses something: the button is red
    asks_code: bool = False  # the actor's second factor is asked before it is taken: a code field beside 确认

    @property
    def button(self) -> str:
        """The confirming button's words: 确认批准, 确认收回 (not 确认确认收回)."""
        return self.title if self.title.startswith("确认") else f"确认{self.title}"


def confirm_money(
    fund_id: int,
    title: str,
    use_case: Callable[[], T],
    describe: Callable[[T], Confirmation],
    warning: str = "",
) -> Confirmation:
    """What a use case of a fund's special account itself (a contribution, a distribution, a payment) would do: its
    own description with the account's position before and after (these pages are the fund's staff's)."""
    before = fund.position(fund_id)

    def look(result: T) -> Confirmation:
        return replace(describe(result), title=title, effect=Effect(before, fund.position(fund_id)), warning=warning)

    return rehearse(use_case, look)


def confirm_step(actor: User, application_id: int, action: Action, **inputs: Any) -> Confirmation:
    """What taking ``action`` with ``inputs`` would do now (the same refusals as ``lifecycle.take``), as its step
    object shows it: the amount it is about, its day, the payee, what cannot be undone."""
    staff = actor.role_enum in STAFF_READERS
    seen = lifecycle.get(actor, application_id)
    fund_id = seen.fund_id
    before = fund.position(fund_id) if staff else None
    state_before = State(seen.state)
    step = lifecycle.STEPS[action]

    def look(outcome: lifecycle.Outcome) -> Confirmation:
        application = outcome.application
        shown = step.shows(outcome, inputs)
        payee = None
        if step.pays and application.destination_account_no:
            payee = (
                application.destination_account_name or "",
                application.destination_account_bank or "",
                application.destination_account_no,
            )
        return Confirmation(
            title=action.label,
            states=(state_before, State(application.state)),
            amount_label=shown.amount_label,
            amount=shown.amount,
            date_label=shown.date_label,
            on=shown.on,
            payee=payee,
            lines=shown.lines,
            effect=Effect(before, fund.position(fund_id)) if before is not None else None,
            warning=step.said_before(application),
            danger=step.danger,
            asks_code=second_factor.asks(actor, step),
        )

    return rehearse(lambda: lifecycle.take(actor, application_id, action, **inputs), look)

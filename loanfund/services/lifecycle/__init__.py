"""The lifecycle of an application (DESIGN §3), by phase, around one spine (``spine``).

``STEPS`` is the one registry of the steps taken on an application: for each action, the function that applies its
rules (its inputs are that function's parameters), whether it moves or promises money, and — from the domain's
transition table — the roles that take it. The web forms and the API schemas are checked against it by a test.

``take`` runs a step: it loads the application for update as the actor may see it and looks the transition up,
once (404, then 403 or 409), then reads the step's input (so an API body is judged only after that: 422), then the
step's own rules, and commits once. The functions named after the actions are the same for Python callers.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from loanfund.domain.lifecycle import TRANSITIONS, Action, Role
from loanfund.domain.money import Money
from loanfund.models import Application, User
from loanfund.services.lifecycle import approval, bank, disbursement, intake, recovery, settlement
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

__all__ = [
    "MONEY_ACTIONS",
    "STEPS",
    "ApplicationDraft",
    "ApplicationInput",
    "StepSpec",
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


@dataclass(frozen=True)
class StepSpec:
    action: Action
    apply: Callable[..., Application]  # (step, **inputs) -> the application, committed
    moves_money: bool = False  # moves or promises money: the API requires an Idempotency-Key

    @property
    def inputs(self) -> tuple[str, ...]:
        """The step's inputs: the parameters of ``apply`` after the step."""
        return tuple(list(inspect.signature(self.apply).parameters)[1:])

    @property
    def roles(self) -> frozenset[Role]:
        """Every role that takes this step from some state (the domain's transition table)."""
        return frozenset(role for (_, action), t in TRANSITIONS.items() if action is self.action for role in t.roles)


STEPS: dict[Action, StepSpec] = {
    spec.action: spec
    for spec in (
        StepSpec(Action.ACCEPT, intake.accept),
        StepSpec(Action.REJECT, intake.reject),
        StepSpec(Action.COMMIT, bank.commit),
        StepSpec(Action.DECLINE, bank.decline),
        StepSpec(Action.APPROVE, approval.approve, moves_money=True),
        StepSpec(Action.GROUP_APPROVE, approval.group_approve),
        StepSpec(Action.GROUP_REJECT, approval.group_reject),
        StepSpec(Action.WITHDRAW, approval.withdraw),
        StepSpec(Action.CANCEL, approval.cancel),
        StepSpec(Action.PREPARE_DISBURSEMENT, disbursement.prepare_disbursement, moves_money=True),
        StepSpec(Action.AUTHORISE_DISBURSEMENT, disbursement.authorise_disbursement, moves_money=True),
        StepSpec(Action.RETURN_PREPARATION, disbursement.return_preparation),
        StepSpec(Action.CONFIRM_RENEWAL, bank.confirm_renewal),
        StepSpec(Action.CONFIRM_RETURN, settlement.confirm_return, moves_money=True),
        StepSpec(Action.OPEN_RECOVERY, recovery.open_recovery),
        StepSpec(Action.WRITE_OFF, recovery.write_off),
        StepSpec(Action.ARCHIVE, settlement.archive),
    )
}
MONEY_ACTIONS = frozenset(action for action, spec in STEPS.items() if spec.moves_money)


def take(
    actor: User,
    application_id: int,
    action: Action,
    read_input: Callable[[], Mapping[str, Any]] | None = None,
    **inputs: Any,
) -> Application:
    """Take ``action`` on the application: one load for update, one transition lookup, then ``read_input()`` (when
    given, e.g. an API body parsed only now) or ``inputs``, then the step's rules; commits once.

    :raise NotFound: 404. :raise NotAllowed: 403/409. :raise InvalidInput, RuleViolation: 422. :raise Conflict: 409.
    """
    step: Step = begin(actor, application_id, action)
    if read_input is not None:
        inputs = dict(read_input())
    return STEPS[action].apply(step, **inputs)


# -- the steps for Python callers (the web, the demo seed, tests): the same as ``take`` -------------------------


def accept(
    actor: User,
    application_id: int,
    credit_report_date: date | None = None,
    credit_adverse: str = "",
    credit_industry: str = "",
    credit_operating: str = "",
    credit_check_note: str = "",
    note: str = "",
    missing_materials_reason: str = "",
) -> Application:
    """The platform checks qualification and credit and accepts the application, forwarding it to the bank; R10 and
    R11 are checked again, and the required materials (or why the reviewer goes on without them)."""
    return take(
        actor,
        application_id,
        Action.ACCEPT,
        credit_report_date=credit_report_date,
        credit_adverse=credit_adverse,
        credit_industry=credit_industry,
        credit_operating=credit_operating,
        credit_check_note=credit_check_note,
        note=note,
        missing_materials_reason=missing_materials_reason,
    )


def reject(actor: User, application_id: int, note: str) -> Application:
    """The platform does not accept the application; the reason is required."""
    return take(actor, application_id, Action.REJECT, note=note)


def commit(
    actor: User,
    application_id: int,
    committed_amount: Money,
    opinion: str,
    seal_ref: str = "",
    missing_materials_reason: str = "",
) -> Application:
    """The bank commits to renew (转贷承诺) for ``committed_amount``, its signed commitment on file or explained."""
    return take(
        actor,
        application_id,
        Action.COMMIT,
        committed_amount=committed_amount,
        opinion=opinion,
        seal_ref=seal_ref,
        missing_materials_reason=missing_materials_reason,
    )


def decline(actor: User, application_id: int, opinion: str) -> Application:
    """The bank declines to renew; its opinion is required."""
    return take(actor, application_id, Action.DECLINE, opinion=opinion)


def approve(
    actor: User,
    application_id: int,
    amount: Money,
    own_funds_confirmed: Money,
    note: str = "",
    missing_materials_reason: str = "",
) -> Application:
    """The operator decides the amount and confirms own funds in place; the amount is reserved (R8)."""
    return take(
        actor,
        application_id,
        Action.APPROVE,
        amount=amount,
        own_funds_confirmed=own_funds_confirmed,
        note=note,
        missing_materials_reason=missing_materials_reason,
    )


def group_approve(actor: User, application_id: int, minutes_ref: str, note: str = "") -> Application:
    """The leading group approves (R6, 第十四条)."""
    return take(actor, application_id, Action.GROUP_APPROVE, minutes_ref=minutes_ref, note=note)


def group_reject(actor: User, application_id: int, minutes_ref: str, note: str = "") -> Application:
    """The leading group rejects; the reservation is released."""
    return take(actor, application_id, Action.GROUP_REJECT, minutes_ref=minutes_ref, note=note)


def withdraw(actor: User, application_id: int, reason: str) -> Application:
    """The enterprise (or an operator for it) withdraws before disbursement; a reservation is released."""
    return take(actor, application_id, Action.WITHDRAW, reason=reason)


def cancel(actor: User, application_id: int, reason: str) -> Application:
    """An approved application that will not be disbursed; the reservation is released."""
    return take(actor, application_id, Action.CANCEL, reason=reason)


def prepare_disbursement(actor: User, application_id: int, value_date: date, transfer_ref: str) -> Application:
    """The maker records the transfer to the bank's registered designated account (never a typed-in account)."""
    return take(actor, application_id, Action.PREPARE_DISBURSEMENT, value_date=value_date, transfer_ref=transfer_ref)


def authorise_disbursement(
    actor: User, application_id: int, note: str = "", missing_materials_reason: str = ""
) -> Application:
    """The checker — a different operator — authorises; the reservation becomes money out."""
    return take(
        actor,
        application_id,
        Action.AUTHORISE_DISBURSEMENT,
        note=note,
        missing_materials_reason=missing_materials_reason,
    )


def return_preparation(actor: User, application_id: int, reason: str) -> Application:
    """The checker sends a preparation back to the maker (see ``disbursement.return_preparation``)."""
    return take(actor, application_id, Action.RETURN_PREPARATION, reason=reason)


def confirm_renewal(
    actor: User, application_id: int, new_loan_contract_no: str, new_loan_amount: Money, renewed_on: date
) -> Application:
    """The bank has renewed the loan; later than the policy's days after disbursement is flagged (R9)."""
    return take(
        actor,
        application_id,
        Action.CONFIRM_RENEWAL,
        new_loan_contract_no=new_loan_contract_no,
        new_loan_amount=new_loan_amount,
        renewed_on=renewed_on,
    )


def confirm_return(
    actor: User, application_id: int, received_on: date, principal: Money, fee: Money, transfer_ref: str
) -> Application:
    """Money back into the special account; repaid when principal and the fee for the actual days are all back."""
    return take(
        actor,
        application_id,
        Action.CONFIRM_RETURN,
        received_on=received_on,
        principal=principal,
        fee=fee,
        transfer_ref=transfer_ref,
    )


def open_recovery(actor: User, application_id: int, plan: str) -> Application:
    """An overdue bridge (R4) goes to recovery with a plan."""
    return take(actor, application_id, Action.OPEN_RECOVERY, plan=plan)


def write_off(actor: User, application_id: int, minutes_ref: str, note: str = "") -> Application:
    """The leading group decides to write off what could not be recovered."""
    return take(actor, application_id, Action.WRITE_OFF, minutes_ref=minutes_ref, note=note)


def archive(actor: User, application_id: int, note: str = "") -> Application:
    """The operator archives a repaid application (第十九条); the record becomes read-only."""
    return take(actor, application_id, Action.ARCHIVE, note=note)

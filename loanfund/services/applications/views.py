"""The read model: for an actor, an application and a day, everything a screen or an API answer shows about it —
amounts, the policy (parsed once), due date, overdue, the fee so far, the rule checks this actor may see, the steps
this actor may take now with their pre-filled values, and the timeline. The API presenter, the detail page, the
usage statement and the lists render from it; none of them works these out again (issue 9)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from loanfund import clock
from loanfund.domain import credit
from loanfund.domain.lifecycle import NOT_RENEWED_STATES, Action, Role, actions_for
from loanfund.domain.money import Money
from loanfund.domain.policy import Policy
from loanfund.domain.rules import (
    Settlement,
    due_date,
    fee_for,
    renewal_late_on,
)
from loanfund.models import Application, ApplicationEvent, BankClaim, Material, MaterialItem, User
from loanfund.services import directory, lifecycle
from loanfund.services.applications import history, materials
from loanfund.services.applications.checks import ApprovalView, rule_checks
from loanfund.services.lifecycle.step import Situation
from loanfund.services.oversight import liability
from loanfund.services.policies import InForce


@dataclass(frozen=True)
class StepView:
    """A step the actor may take now, as its step object offers it: the values its form starts with (today's date,
    the amounts the rules allow, what is owed), what to know before (the bank: what its commitment lets the fund
    lend), a line under the fields, and whether it closes or refuses something."""

    action: Action
    prefill: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    note_warns: bool = False  # the note is a warning (the enterprise would be left short)
    live_note: bool = False  # the note follows the amount as it is typed
    hint: str = ""
    danger: bool = False
    tucked_for_enterprise: bool = False


@dataclass(frozen=True)
class ApplicationView:
    application: Application
    policy: Policy
    account: Settlement | None  # principal and fee owed and received, once disbursed
    due: date | None  # R4: the last day the money may be out
    overdue: bool
    renewal_late: bool  # R9 on the day: renewed late, or not renewed with the bank's deadline past (as the sweep says)
    expected_fee: Money  # for the actual days once disbursed, else for the days requested
    group_reasons: tuple[str, ...]  # why the leading group must decide (R6), if it must
    checks: ApprovalView | None = None  # the rule checks this actor may see (detail only)
    steps: tuple[StepView, ...] = ()  # detail only
    timeline: tuple[ApplicationEvent, ...] = ()  # detail only
    materials: tuple[Material, ...] = ()  # detail only
    checklist: tuple[ChecklistLine, ...] = ()  # each item of the checklist with its files (detail only)
    uploadable: tuple[MaterialItem, ...] = ()  # what this actor may add now (detail only)
    claim: BankClaim | None = None  # R12: the bank's liability for this bridge, once recorded (detail only)
    claim_reason: str | None = None  # for an operator: why a claim may be recorded now (None: it may not)
    history: history.EnterpriseHistory | None = None  # for the deciders: the enterprise's other bridges (detail only)
    credit_check: CreditCheckView | None = None  # the platform's findings at acceptance, to those who decide on them


# Who reads the platform's credit check (第八、十五条): the platform, the bank it is forwarded to, the leading group.
CREDIT_READERS = frozenset({Role.REVIEWER, Role.OPERATOR, Role.GROUP, Role.BANK})


@dataclass(frozen=True)
class CreditCheckView:
    """The reviewer's findings as recorded at acceptance (domain.credit)."""

    report_date: date
    adverse: credit.AdverseRecord
    industry: credit.IndustryFit
    operating: credit.Operating
    conclusion: str
    by: ApplicationEvent | None = None  # the acceptance that recorded them (detail only): who and when

    @property
    def group_decides(self) -> bool:
        """A bad record still outstanding: only the leading group may let the fund lend (R6)."""
        return credit.needs_group(self.adverse)


def credit_check_of(actor: User, application: Application) -> CreditCheckView | None:
    """The findings, when ``actor`` may read them and the check was recorded (applications accepted before the
    check was structured have only a note: None)."""
    a = application
    if actor.role_enum not in CREDIT_READERS or a.credit_report_date is None:
        return None
    if a.credit_adverse is None or a.credit_industry is None or a.credit_operating is None:
        return None
    return CreditCheckView(
        a.credit_report_date,
        credit.AdverseRecord(a.credit_adverse),
        credit.IndustryFit(a.credit_industry),
        credit.Operating(a.credit_operating),
        a.credit_check_note or "",
    )


def application_view(
    actor: User,
    application: Application,
    *,
    today: date | None = None,
    detail: bool = False,
    policy_in_force: Policy | None = None,
    as_of: date | None = None,
) -> ApplicationView:
    """What ``actor`` sees of ``application`` on ``today``. ``detail`` adds the rule checks, the actor's steps, the
    timeline and the materials (one page or answer, not a list row). ``policy_in_force``: today's policy when the
    caller lists many applications and has looked it up once. ``as_of``: the day the account is taken on (the
    usage statement takes it on the day the money came back)."""
    today = today or clock.today()
    policy = lifecycle.application_policy(application, policy_in_force)
    # the policy is parsed once here and handed to every rule that needs it
    account = lifecycle.account_of(application, as_of or today, policy)
    if account is not None:
        expected_fee = account.fee_due
    else:
        expected_fee = fee_for(
            policy, application.approved_amount or application.requested_amount, application.requested_days
        )
    if application.group_reasons:
        reasons = tuple(application.group_reasons.split("；"))
    elif application.approved_amount is None:
        reasons = lifecycle.group_reasons_now(application, policy)
    else:
        reasons = ()
    overdue = lifecycle.overdue(application, today, policy)
    view = ApplicationView(
        application=application,
        policy=policy,
        account=account,
        due=due_date(policy, application.value_date) if application.value_date else None,
        overdue=overdue,
        renewal_late=_renewal_late(application, policy, today),
        expected_fee=expected_fee,
        group_reasons=reasons,
        credit_check=credit_check_of(actor, application),
    )
    if not detail:
        return view
    checks = rule_checks(application, actor.role_enum, policy)
    files = tuple(directory.materials_of(application.id))
    events = tuple(lifecycle.timeline(application))
    accepted = [e for e in events if e.action == Action.ACCEPT]
    return replace(
        view,
        credit_check=replace(view.credit_check, by=accepted[-1])
        if view.credit_check and accepted
        else view.credit_check,
        checks=checks,
        steps=tuple(_steps(actor, application, overdue, checks, today, policy)),
        timeline=events,
        materials=files,
        checklist=_checklist(application.fund_id, files),
        uploadable=tuple(materials.uploadable(actor, application)),
        claim=application.bank_claim,
        claim_reason=_claim_reason(actor, application, today),
        history=history.of(application, today) if actor.role_enum in history.READERS else None,
    )


@dataclass(frozen=True)
class ChecklistLine:
    item: MaterialItem
    files: tuple[Material, ...]

    @property
    def missing(self) -> bool:
        return self.item.required and not self.files


def _renewal_late(application: Application, policy: Policy, today: date) -> bool:
    """R9 as the sweep sees it on ``today``: the flag set when the bank confirmed a late renewal, or a bridge out that
    the bank has not renewed past its deadline (the API said false while the sweep had already flagged it)."""
    if application.value_date is None or application.authorised_at is None:
        return False
    if application.renewed_on is None and application.state_enum not in NOT_RENEWED_STATES:
        return False
    return renewal_late_on(policy, application.value_date, application.renewed_on, today)


def _checklist(fund_id: int, files: tuple[Material, ...]) -> tuple[ChecklistLine, ...]:
    """Every item of the checklist that is required or has a file, in the checklist's order; files under a retired
    category last, as they were filed."""
    items = materials.checklist(fund_id, active_only=False)
    lines = [
        ChecklistLine(item, tuple(f for f in files if f.category == item.code))
        for item in items
        if (item.active and item.required) or any(f.category == item.code for f in files)
    ]
    return tuple(lines)


def _claim_reason(actor: User, application: Application, today: date) -> str | None:
    if actor.role_enum is not Role.OPERATOR:
        return None
    may, why = liability.claimable(application, today)
    return why if may else None


def rows(actor: User, applications: list[Application], today: date | None = None) -> list[ApplicationView]:
    """List rows from the read model, today's policy looked up once for all of them."""
    today = today or clock.today()
    in_force = InForce(today)
    return [application_view(actor, a, today=today, policy_in_force=in_force(a.fund_id)) for a in applications]


def _steps(
    actor: User, application: Application, overdue: bool, checks: ApprovalView, today: date, policy: Policy
) -> list[StepView]:
    """The steps of the transition table this actor may take from here, less those their step object's guard closes
    now (the maker never authorises their own preparation, recovery opens only on an overdue bridge, …)."""
    situation = Situation(actor, application, today, policy, overdue, checks.max_amount)
    offered = []
    for action in actions_for(application.state_enum, actor.role_enum):
        step = lifecycle.STEPS[action]
        if step.closed(situation):
            continue
        note, warns = step.note(situation) if step.note else ("", False)
        offered.append(
            StepView(
                action,
                step.prefill(situation),
                note,
                warns,
                step.live_note,
                step.hint(situation) if step.hint else "",
                step.danger,
                step.tucked_for_enterprise,
            )
        )
    return offered

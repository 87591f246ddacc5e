"""Reading an application: overdue (R4), why the group must decide, the timeline, the actor's own view."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from loanfund import clock
from loanfund.domain import credit
from loanfund.domain.money import Money
from loanfund.domain.policy import Policy
from loanfund.domain.rules import (
    CommitmentCover,
    commitment_cover,
    group_approval_reasons,
    is_overdue,
)
from loanfund.extensions import db
from loanfund.models import Application, ApplicationEvent, User
from loanfund.services.access import application_for
from loanfund.services.lifecycle.spine import application_policy

# -- reading -----------------------------------------------------------------------------------------------------


def overdue(application: Application, today: date | None = None, policy: Policy | None = None) -> bool:
    """R4, shown on every application: money out, and the principal not back by the end of the due date.
    ``policy``: the application's, when the caller has it already."""
    if application.value_date is None or application.authorised_at is None or application.received_on is not None:
        return False
    return is_overdue(policy or application_policy(application), application.value_date, today or clock.today())


def group_reasons_now(application: Application, policy: Policy) -> tuple[str, ...]:
    """Why the group must decide, for an application not yet approved (from the requested amount)."""
    return group_approval_reasons(
        policy, application.requested_amount, application.loan_overdue, credit.needs_group(application.credit_adverse)
    )


def commitment(
    application: Application, committed: Money | None = None, policy: Policy | None = None
) -> CommitmentCover:
    """R5 for the bank: what a commitment of ``committed`` (by default the one on record) lets the fund lend, and what
    the enterprise would still have to find (issue 12: a bank committing exactly the request leaves the SME 20 %
    short). ``policy``: the application's, when the caller has it already."""
    amount = committed if committed is not None else application.committed_amount
    assert amount is not None
    return commitment_cover(policy or application_policy(application), amount, application.requested_amount)


def timeline(application: Application) -> list[ApplicationEvent]:
    """The application's events in order, with their actors, in one query."""
    return list(
        db.session.scalars(
            select(ApplicationEvent)
            .where(ApplicationEvent.application_id == application.id)
            .options(joinedload(ApplicationEvent.actor))
            .order_by(ApplicationEvent.id)
        )
    )


def get(actor: User, application_id: int) -> Application:
    """:raise NotFound: the application does not exist or is not the actor's to see."""
    return application_for(actor, application_id)

"""Turn models into the API's shapes (the schemas in ``schemas.py`` describe and serialise them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from loanfund.api.auth import current_api_user
from loanfund.api.schemas import ApplicationSchema
from loanfund.domain import credit
from loanfund.domain.money import Money
from loanfund.models import Application, ApplicationEvent
from loanfund.services.applications.views import ApplicationView, application_view
from loanfund.services.oversight import time_limits


def application_data(view: ApplicationView, *, events: Sequence[ApplicationEvent] | None = None) -> dict[str, Any]:
    """An application as the read model (``services.applications.views``) shows it to the caller; ``events``: the
    timeline to include (none in lists)."""
    application, account, reasons = view.application, view.account, view.group_reasons
    data: dict[str, Any] = {
        "id": application.id,
        "reference": application.reference,
        "fund": application.fund.code,
        "state": application.state,
        "state_label": application.state_shown,
        "enterprise": application.enterprise,
        "bank": application.bank,
        "loan_contract_no": application.loan_contract_no,
        "loan_type": application.loan_type,
        "loan_type_label": application.loan_type_label,
        "mortgage": application.mortgage,
        "mortgage_label": application.mortgage_label,
        "loan_amount_due": application.loan_amount_due,
        "loan_due_date": application.loan_due_date,
        "loan_overdue": application.loan_overdue,
        "requested_amount": application.requested_amount,
        "requested_days": application.requested_days,
        "own_funds_planned": application.own_funds_planned,
        "purpose": application.purpose,
        "submitted_at": application.submitted_at,
        "committed_amount": application.committed_amount,
        "bank_opinion": application.bank_opinion,
        "approved_amount": application.approved_amount,
        "own_funds_confirmed": application.own_funds_confirmed,
        "approved_on": application.approved_on,
        "policy": application.policy_version.name if application.policy_version else None,
        "needs_group_approval": bool(reasons),
        "group_reasons": list(reasons),
        "group_minutes_ref": application.group_minutes_ref,
        "value_date": application.value_date,
        "due_date": view.due,
        "disbursement_ref": application.disbursement_ref,
        "destination_account": {
            "destination_name": application.destination_account_name,
            "destination_no": application.destination_account_no,
            "destination_bank": application.destination_account_bank,
        }
        if application.destination_account_no
        else None,
        "disbursement_prepared": application.prepared_by_id is not None,
        "new_loan_contract_no": application.new_loan_contract_no,
        "new_loan_amount": application.new_loan_amount,
        "renewed_on": application.renewed_on,
        "renewal_late": view.renewal_late,
        "overdue": view.overdue,
        "days_used": account.days if account else None,
        "expected_fee": view.expected_fee,
        "principal_received": account.principal_received if account else Money.zero(),
        "fee_received": account.fee_received if account else Money.zero(),
        "outstanding": account.outstanding if account else None,
        "received_on": application.received_on,
        "credit_check": {
            "report_date": view.credit_check.report_date,
            "adverse": view.credit_check.adverse.value,
            "industry": view.credit_check.industry.value,
            "operating": view.credit_check.operating.value,
            "findings": credit.findings(
                view.credit_check.adverse, view.credit_check.industry, view.credit_check.operating
            ),
            "conclusion": view.credit_check.conclusion,
        }
        if view.credit_check
        else None,
    }
    if events is not None:  # one application: its green-channel letter, when issued (第二十七条)
        letter = application.green_channel_letter
        data["green_channel_letter"] = (
            {"number": letter.number, "issued_on": letter.issued_on, "departments": letter.departments}
            if letter
            else None
        )
    if events is not None:  # one application: its stages against the fund's time limits (issue 30)
        data["time_limits"] = [
            {
                "stage": t.stage.value,
                "stage_label": t.stage.label,
                "party": t.party,
                "started_at": t.started,
                "due_by": t.due,
                "limit_working_days": t.limit,
                "ended_at": t.ended,
                "working_days": t.working_days,
                "over": t.over,
            }
            for t in time_limits.of_application(application)
        ]
    if events is not None:
        data["events"] = [
            {
                "at": e.at,
                "actor": e.actor.display_name if e.actor else "",
                "actor_role": e.actor_role,
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "note": e.note,
                "payload": e.payload,
            }
            for e in events
        ]
    return data


def application_body(application: Application) -> dict[str, Any]:
    """The answer to a step: the application as it now stands, with the events in the session (the new one too)."""
    view = application_view(current_api_user(), application)
    body: dict[str, Any] = ApplicationSchema().dump(application_data(view, events=application.events))
    return body

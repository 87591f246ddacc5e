"""Disbursement (第十七条), maker–checker: one operator prepares the transfer, another authorises it."""

from __future__ import annotations

from datetime import date

from loanfund import clock
from loanfund.domain.errors import NotAllowed, RuleViolation
from loanfund.domain.ledger import disbursement_posting
from loanfund.models import Application
from loanfund.services import ledger, materials
from loanfund.services.lifecycle.intake import eligibility_violations
from loanfund.services.lifecycle.spine import Step, complete, each, past_date, required_text


def _still_eligible(application: Application) -> None:
    """R10 and R11 once more before money moves (DESIGN R11): a bar the group confirmed, or a bank agreement that
    ended, since the approval stops the payment — named with the entry and its end date.

    :raise RuleViolation: the enterprise is barred today, or its bank's agreement is not in force."""
    violations = eligibility_violations(application.enterprise.credit_code, application.bank, clock.today())
    if violations:
        raise RuleViolation(violations)


# -- disbursement, maker–checker (第十七条) -----------------------------------------------------------------------


def prepare_disbursement(
    step: Step,
    value_date: date,
    transfer_ref: str,
) -> Application:
    """The maker records the transfer to the bank's registered designated account (never a typed-in account)."""
    application, actor = step.application, step.actor
    if application.prepared_by_id is not None:
        raise NotAllowed("该申请已有待复核的放款指令", code="state_not_allowed")
    assert application.approved_on is not None
    _still_eligible(application)
    _, ref = each(
        lambda: past_date(value_date, "value_date", "起息日", application.approved_on, "批准日期"),
        lambda: required_text(transfer_ref, "transfer_ref", "划款凭证号"),
    )
    bank = application.bank
    application.value_date = value_date
    application.disbursement_ref = ref
    application.destination_account_name = bank.account_name
    application.destination_account_no = bank.account_no
    application.destination_account_bank = bank.account_bank
    application.prepared_by_id = actor.id
    application.prepared_at = clock.utcnow()
    return complete(
        step,
        "",
        value_date=value_date,
        transfer_ref=application.disbursement_ref,
        account_no=bank.account_no,
        account_name=bank.account_name,
    )


def return_preparation(step: Step, reason: str) -> Application:
    """The checker sends the preparation back to the maker with the reason (a wrong value date or reference): nothing
    has moved; the application waits for a new preparation, by any operator, which another then authorises.

    :raise NotAllowed: nothing is prepared, or the maker would be returning their own preparation.
    :raise InvalidInput: no reason.
    """
    application, actor = step.application, step.actor
    if application.prepared_by_id is None:
        raise NotAllowed("尚未制单，无可退回的放款指令", code="state_not_allowed")
    if application.prepared_by_id == actor.id:
        raise NotAllowed("制单人不能退回自己的制单，请由复核人退回", code="maker_checker")
    text = required_text(reason, "reason", "退回原因")
    returned = {
        "value_date": application.value_date,
        "transfer_ref": application.disbursement_ref or "",
        "prepared_by": application.prepared_by_id,
    }
    application.prepared_by_id = None
    application.prepared_at = None
    application.value_date = None
    application.disbursement_ref = None
    return complete(step, text, **returned)


def authorise_disbursement(step: Step, note: str = "", missing_materials_reason: str = "") -> Application:
    """The checker — a different operator — authorises; the reservation becomes money out. What the checklist
    requires before (as the administrator sets it: the transfer voucher, if so) is on file or explained."""
    application, actor = step.application, step.actor
    if application.prepared_by_id is None:
        raise NotAllowed("尚未制单，不能复核放款", code="state_not_allowed")
    if application.prepared_by_id == actor.id:
        raise NotAllowed("制单人与复核人不能为同一人", code="maker_checker")
    if application.approved_by_id == actor.id:
        raise NotAllowed("批准金额的人不能复核放款：复核须由批准人、制单人以外的第三人办理", code="maker_checker")
    assert application.approved_amount is not None and application.value_date is not None
    _still_eligible(application)
    past_date(application.value_date, "value_date", "起息日")
    without = materials.explained(application, "authorise-disbursement", missing_materials_reason)
    ledger.post(
        disbursement_posting(application.id, application.approved_amount),
        application.value_date,
        application_id=application.id,
        actor=actor,
        from_reservation=True,  # the reservation becomes money out
    )
    application.authorised_by_id = actor.id
    application.authorised_at = clock.utcnow()
    return complete(
        step,
        note,
        amount=application.approved_amount,
        value_date=application.value_date,
        account_no=application.destination_account_no,
        **without,
    )

"""The cooperating bank's steps (第十六、十八条): commit to renew or decline; confirm the renewal (R9)."""

from __future__ import annotations

from datetime import date

from loanfund import clock
from loanfund.domain.errors import InvalidInput
from loanfund.domain.money import Money
from loanfund.domain.rules import (
    renewal_late,
)
from loanfund.models import Application
from loanfund.services import materials
from loanfund.services.lifecycle.spine import Step, application_policy, complete, each, past_date, required_text

# -- commit / decline (第十六条) ---------------------------------------------------------------------------------


def commit(
    step: Step,
    committed_amount: Money,
    opinion: str,
    seal_ref: str = "",
    missing_materials_reason: str = "",
) -> Application:
    """The bank commits to renew (转贷承诺) for ``committed_amount``, with its signed commitment on file — or the reason
    it commits without it (the checklist's rule, 第十六条).

    :raise InvalidInput: every problem at once: no amount, no opinion, the commitment not on file and no reason."""
    application, actor = step.application, step.actor

    def positive() -> None:
        if not committed_amount.is_positive:
            raise InvalidInput({"committed_amount": ["承诺续贷额度必须大于零"]})

    _, text, without = each(
        positive,
        lambda: required_text(opinion, "opinion", "银行意见"),
        lambda: materials.explained(application, "commit", missing_materials_reason),
    )
    application.committed_amount = committed_amount
    application.bank_opinion = text
    application.bank_officer = actor.display_name
    application.bank_seal_ref = seal_ref.strip() or None
    application.committed_at = clock.utcnow()
    application.committed_by_id = actor.id
    return complete(
        step,
        text,
        committed_amount=committed_amount,
        seal_ref=seal_ref.strip(),
        **without,
    )


def decline(step: Step, opinion: str) -> Application:
    application, actor = step.application, step.actor
    text = required_text(opinion, "opinion", "银行意见")
    application.bank_opinion = text
    application.bank_officer = actor.display_name
    application.committed_at = clock.utcnow()
    application.committed_by_id = actor.id
    return complete(step, text)


# -- renewal and return (第十八条) -------------------------------------------------------------------------------


def confirm_renewal(
    step: Step,
    new_loan_contract_no: str,
    new_loan_amount: Money,
    renewed_on: date,
) -> Application:
    """The bank has renewed the loan; later than the policy's days after disbursement is flagged (R9)."""
    application = step.application
    assert application.value_date is not None
    value_date = application.value_date

    def positive() -> None:
        if not new_loan_amount.is_positive:
            raise InvalidInput({"new_loan_amount": ["续贷金额必须大于零"]})

    _, _, contract = each(
        positive,
        lambda: past_date(renewed_on, "renewed_on", "续贷日期", value_date, "起息日"),
        lambda: required_text(new_loan_contract_no, "new_loan_contract_no", "新贷款合同编号"),
    )
    policy = application_policy(application)
    application.new_loan_contract_no = contract
    application.new_loan_amount = new_loan_amount
    application.renewed_on = renewed_on
    application.renewal_late = renewal_late(policy, application.value_date, renewed_on)
    return complete(
        step,
        "",
        new_loan_contract_no=new_loan_contract_no,
        new_loan_amount=new_loan_amount,
        renewed_on=renewed_on,
        late=application.renewal_late,
    )

"""确认续贷 (第十八条): the bank has renewed the loan; later than the policy's days after disbursement is flagged
(R9)."""

from __future__ import annotations

from datetime import date
from typing import Any

from loanfund.domain.errors import InvalidInput
from loanfund.domain.lifecycle import Action
from loanfund.domain.money import Money
from loanfund.domain.rules import renewal_late
from loanfund.services.lifecycle.spine import Step, application_policy, complete, each, past_date, required_text
from loanfund.services.lifecycle.step import Outcome, Shown, Situation, StepDef, day, money, text


def confirm_renewal(step: Step, new_loan_contract_no: str, new_loan_amount: Money, renewed_on: date) -> Outcome:
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


def prefill(situation: Situation) -> dict[str, Any]:
    a = situation.application
    return {"renewed_on": situation.today, "new_loan_amount": (a.committed_amount or a.loan_amount_due).format()}


def shows(outcome: Outcome, _: dict[str, Any]) -> Shown:
    a = outcome.application
    return Shown("续贷金额", a.new_loan_amount, date_label="续贷发放日", on=a.renewed_on)


STEP = StepDef(
    Action.CONFIRM_RENEWAL,
    confirm_renewal,
    duty="续贷",
    inputs=(
        text("new_loan_contract_no", "新贷款合同编号", True, beside=True),
        money("new_loan_amount", "续贷金额（元）"),
        day("renewed_on", "续贷发放日"),
    ),
    prefill=prefill,
    shows=shows,
)

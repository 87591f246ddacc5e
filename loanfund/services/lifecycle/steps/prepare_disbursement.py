"""制单（放款）(第十七条): the maker records the transfer to the bank's registered designated account."""

from __future__ import annotations

from datetime import date
from typing import Any

from loanfund import clock
from loanfund.domain.errors import NotAllowed
from loanfund.domain.lifecycle import Action, Role
from loanfund.services.lifecycle.disbursement import still_eligible
from loanfund.services.lifecycle.spine import Step, complete, each, past_date, required_text
from loanfund.services.lifecycle.step import Outcome, Shown, StepDef, day, text
from loanfund.services.oversight import notices


def prepare_disbursement(step: Step, value_date: date, transfer_ref: str) -> Outcome:
    """The maker records the transfer to the bank's registered designated account (never a typed-in account)."""
    application, actor = step.application, step.actor
    if application.prepared_by_id is not None:
        raise NotAllowed("该申请已有待复核的放款指令", code="state_not_allowed")
    assert application.approved_on is not None
    still_eligible(application)
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


def shows(outcome: Outcome, _: dict[str, Any]) -> Shown:
    a = outcome.application
    return Shown("放款金额", a.approved_amount, date_label="起息日", on=a.value_date)


def tell(outcome: Outcome) -> None:
    """The checker: any operator but the maker and the approver (DESIGN §2: three persons)."""
    a, ref = outcome.application, outcome.application.reference
    assert a.approved_amount is not None and a.value_date is not None
    checkers = [u for u in notices.staff(a.fund_id, Role.OPERATOR) if u.id not in (a.prepared_by_id, a.approved_by_id)]
    notices.notify(
        checkers,
        "to_authorise",
        f"待复核放款：{ref}",
        f"{a.enterprise.name}的应急转贷 {ref} 已制单，待复核放款：金额 {notices.decided(a.approved_amount)}，起息日 "
        f"{a.value_date.isoformat()}，划入{a.bank.name}指定账户 {a.destination_account_no}，凭证号 "
        f"{a.disbursement_ref}。请核对后复核放款或退回制单。",
        a,
    )


STEP = StepDef(
    Action.PREPARE_DISBURSEMENT,
    prepare_disbursement,
    duty="放款制单",
    inputs=(day("value_date", "起息日"), text("transfer_ref", "划款凭证号", True, beside=True)),
    moves_money=True,
    closed=lambda s: s.application.prepared_by_id is not None,  # a preparation is made once
    prefill=lambda s: {"value_date": s.today},
    hint=lambda s: (
        f"划入 {s.application.bank.account_name}（{s.application.bank.account_bank} "
        f"{s.application.bank.account_no}）——银行登记的指定账户"
    ),
    shows=shows,
    pays=True,
    tell=tell,
)

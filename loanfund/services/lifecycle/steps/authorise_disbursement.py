"""复核放款 (第十七条): the checker — a third person — authorises; the reservation becomes money out."""

from __future__ import annotations

from typing import Any

from loanfund import clock
from loanfund.domain.errors import NotAllowed
from loanfund.domain.ledger import disbursement_posting
from loanfund.domain.lifecycle import Action
from loanfund.domain.rules import due_date
from loanfund.domain.watch import renewal_deadline
from loanfund.extensions import db
from loanfund.models import User
from loanfund.services.applications import materials
from loanfund.services.books import ledger
from loanfund.services.lifecycle.disbursement import still_eligible
from loanfund.services.lifecycle.spine import Step, complete, past_date
from loanfund.services.lifecycle.step import Outcome, Shown, StepDef, long_text, missing_reason
from loanfund.services.oversight import notices


def authorise_disbursement(step: Step, note: str = "", missing_materials_reason: str = "") -> Outcome:
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
    still_eligible(application)
    past_date(application.value_date, "value_date", "起息日")
    without = materials.explained(application, "authorise-disbursement", missing_materials_reason)
    ledger.post(
        disbursement_posting(application.id, application.approved_amount),
        application.value_date,
        fund_id=application.fund_id,
        bank_ref=application.disbursement_ref,  # the maker's 划款凭证号
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


def shows(outcome: Outcome, _: dict[str, Any]) -> Shown:
    """The checker sees what the maker prepared, and who did."""
    a = outcome.application
    maker = db.session.get(User, a.prepared_by_id) if a.prepared_by_id else None
    lines = (("划款凭证号", a.disbursement_ref or ""), ("制单人", maker.display_name if maker else ""))
    return Shown("放款金额", a.approved_amount, lines, "起息日", a.value_date)


def tell(outcome: Outcome) -> None:
    """第十七条: the bank and the enterprise are told when the money goes out, to which account, and by when the
    bank must renew (R9) and the money come back (R4)."""
    a = outcome.application
    assert a.approved_amount is not None and a.value_date is not None and a.policy_version is not None
    policy = a.policy_version.to_policy()  # approved under it (R14)
    renew_by, due = renewal_deadline(policy, a.value_date).isoformat(), due_date(policy, a.value_date).isoformat()
    body = (
        f"应急转贷资金 {notices.decided(a.approved_amount)}已于 {a.value_date.isoformat()} 划入{a.bank.name}指定账户 "
        f"{a.destination_account_name}（{a.destination_account_bank}，账号 {a.destination_account_no}），"
        f"划款凭证号 {a.disbursement_ref}，用于归还{a.enterprise.name}到期贷款（合同 {a.loan_contract_no}）。"
        f"请银行于 {renew_by} 前办理续贷放款；用款到期日 {due}，到期须归还本金及用款费用。"
    )
    recipients = [*notices.enterprise_users(a), *notices.bank_users(a)]
    notices.notify(recipients, "disbursed", f"放款通知：{a.reference}", body, a)


STEP = StepDef(
    Action.AUTHORISE_DISBURSEMENT,
    authorise_disbursement,
    duty="放款复核",
    releases_reservation=True,
    inputs=(long_text("note", "备注"), missing_reason()),
    moves_money=True,
    # the maker never authorises their own preparation, nor the approver a payment of the amount they approved
    closed=lambda s: (
        s.application.prepared_by_id is None
        or s.actor.id in (s.application.prepared_by_id, s.application.approved_by_id)
    ),
    shows=shows,
    pays=True,
    second_factor=True,
    final="复核后资金即从专用账户划出，不能撤销。",
    tell=tell,
)

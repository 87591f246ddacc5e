"""Settlement (第十八、十九条): money back into the special account (R2, R3), and the archive."""

from __future__ import annotations

from datetime import date

from loanfund import clock
from loanfund.domain.errors import Conflict, RuleViolation
from loanfund.domain.ledger import return_posting
from loanfund.domain.money import Money
from loanfund.domain.policy import Policy
from loanfund.domain.rules import (
    ReceivedMoney,
    Settlement,
    check_receipt,
    settlement,
)
from loanfund.extensions import db
from loanfund.models import Application, Receipt
from loanfund.services import ledger, transfers
from loanfund.services.lifecycle import statement
from loanfund.services.lifecycle.spine import Step, application_policy, complete, each, past_date, required_text

# -- return (第十八条) -------------------------------------------------------------------------------------------


def account_of(application: Application, as_of: date | None = None, policy: Policy | None = None) -> Settlement | None:
    """Principal and fee owed and received, for a disbursed application (None before disbursement). ``policy``: the
    application's, when the caller has it already. A claim on the bank (R12) counts as received on its day: from
    then on the bank owes it, not the bridge."""
    if application.value_date is None or application.approved_amount is None or application.authorised_at is None:
        return None
    return settlement(
        policy or application_policy(application),
        application.approved_amount,
        application.value_date,
        _received(application),
        as_of or clock.today(),
    )


def _received(application: Application) -> list[ReceivedMoney]:
    """What has come in against the bridge: its receipts, and a claim on its bank (R12) as received on its day —
    from then on the bank owes what was outstanding, in the claim's own account, and the bridge owes nothing."""
    received = [ReceivedMoney(r.received_on, r.principal, r.fee) for r in application.receipts]
    claim = application.bank_claim
    if claim is not None:
        received.append(ReceivedMoney(claim.claimed_on, claim.principal, claim.fee))
    return received


def confirm_return(
    step: Step,
    received_on: date,
    principal: Money,
    fee: Money,
    transfer_ref: str,
) -> Application:
    """Money back into the special account. When principal and the fee for the actual days (R2, R3) are all back,
    the application is repaid; otherwise the receipt is kept and the shortfall stays open.

    :raise RuleViolation: more principal than outstanding, or more fee than due.
    """
    application, actor = step.application, step.actor
    assert application.value_date is not None and application.approved_amount is not None
    last = max((r.received_on for r in application.receipts), default=application.value_date)
    _, ref = each(
        lambda: past_date(received_on, "received_on", "收回日期", last, "起息日或上一笔收回日期"),
        lambda: required_text(transfer_ref, "transfer_ref", "划款凭证号"),
    )
    _refuse_booked_transfer(application, ref)
    _refuse_after_bank_claim(application)
    transfers.book(application.bank_id, ref, "return", received_on, application.id)  # once per bank, all bridges
    policy = application_policy(application)
    earlier = _received(application)
    new = ReceivedMoney(received_on, principal, fee)
    violations = check_receipt(policy, application.approved_amount, application.value_date, earlier, new)
    if violations:
        raise RuleViolation(violations)
    receipt = Receipt(
        application=application,
        received_on=received_on,
        principal=principal,
        fee=fee,
        transfer_ref=ref,
        recorded_by_id=actor.id,
    )
    db.session.add(receipt)
    db.session.flush()
    ledger.post(
        return_posting(receipt.id, application.id, principal, fee),
        received_on,
        application_id=application.id,
        actor=actor,
    )
    account = settlement(policy, application.approved_amount, application.value_date, [*earlier, new], received_on)
    if account.principal_back_on is not None:
        application.received_on = account.principal_back_on
        application.fee_due = account.fee_due
    return complete(
        step,
        "" if account.settled else "收回不足，差额待补",
        received_on=received_on,
        principal=principal,
        fee=fee,
        transfer_ref=ref,
        days=account.days,
        fee_due=account.fee_due,
        shortfall=account.outstanding,
        alternative=not account.settled,
    )


def _refuse_after_bank_claim(application: Application) -> None:
    """Once its bank is liable (R12) the bridge owes nothing: what was outstanding is the claim's, paid by the bank.

    :raise Conflict: a claim on the bank stands for this bridge.
    """
    claim = application.bank_claim
    if claim is not None:
        raise Conflict(
            f"该笔应急转贷已于 {claim.claimed_on.isoformat()} 认定{application.bank.name}承担清偿责任 "
            f"{claim.amount.format()} 元，未收回的款项由银行清偿，不再向企业登记收回；银行的付款请在清偿责任中登记",
            code="bank_claim_exists",
            field="principal",
        )


def _refuse_booked_transfer(application: Application, ref: str) -> None:
    """One bank transfer is one receipt: a reference already booked on this application is refused (the database's
    unique index on (application, reference) backs this up under concurrency).

    :raise Conflict: the reference is booked already.
    """
    booked = next((r for r in application.receipts if r.transfer_ref == ref), None)
    if booked is not None:
        raise Conflict(
            f"划款凭证号 {ref} 已于 {booked.received_on.isoformat()} 登记收回（本金 {booked.principal.format()} 元、"
            f"费用 {booked.fee.format()} 元），同一笔划款不能重复登记",
            code="transfer_ref_booked",
            field="transfer_ref",
        )


# -- archive (第十九条) ------------------------------------------------------------------------------------------


def archive(step: Step, note: str = "") -> Application:
    """The record closes (第十九条): the usage statement is frozen as it reads today — its 填表日期 — and kept as filed
    with the leading group office, in the same transaction as the step."""
    application = step.application
    application.archived_at = clock.utcnow()
    policy = application_policy(application)
    account = account_of(application, application.received_on, policy)
    frozen = statement.build(application, account, policy, clock.today(), archived_by=step.actor, archive_note=note)
    statement.freeze(application, frozen, step.actor)
    return complete(step, note)


def usage_statement(application: Application) -> statement.Statement:
    """The statement as filed when the application was archived; before that, a draft from the record as it stands
    (no 填表日期)."""
    row = statement.filed(application)
    if row is not None:
        return statement.Statement.from_json(row.data)
    policy = application_policy(application)
    return statement.build(application, account_of(application, application.received_on, policy), policy, None)

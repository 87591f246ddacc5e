"""A bridge's account (第十八、十九条): what is owed and received, the refusals a return shares, and the usage
statement (the steps are in ``steps``)."""

from __future__ import annotations

from datetime import date

from loanfund import clock
from loanfund.domain.errors import Conflict
from loanfund.domain.policy import Policy
from loanfund.domain.rules import (
    ReceivedMoney,
    Settlement,
    settlement,
)
from loanfund.models import Application
from loanfund.services.lifecycle import statement
from loanfund.services.lifecycle.spine import application_policy

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
        received(application),
        as_of or clock.today(),
    )


def received(application: Application) -> list[ReceivedMoney]:
    """What has come in against the bridge: its receipts, and a claim on its bank (R12) as received on its day —
    from then on the bank owes what was outstanding, in the claim's own account, and the bridge owes nothing."""
    received = [ReceivedMoney(r.received_on, r.principal, r.fee) for r in application.receipts]
    claim = application.bank_claim
    if claim is not None:
        received.append(ReceivedMoney(claim.claimed_on, claim.principal, claim.fee))
    return received


def refuse_after_bank_claim(application: Application) -> None:
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


def refuse_booked_transfer(application: Application, ref: str) -> None:
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


def usage_statement(application: Application) -> statement.Statement:
    """The statement as filed when the application was archived; before that, a draft from the record as it stands
    (no 填表日期)."""
    row = statement.filed(application)
    if row is not None:
        return statement.Statement.from_json(row.data)
    policy = application_policy(application)
    return statement.build(application, account_of(application, application.received_on, policy), policy, None)

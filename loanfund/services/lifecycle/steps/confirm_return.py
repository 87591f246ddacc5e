"""确认收回 (第十八条): money back into the special account (R2, R3); repaid when principal and the fee for the
actual days are all back, otherwise the shortfall stays open."""

from __future__ import annotations

from datetime import date
from typing import Any

from loanfund import clock
from loanfund.domain.errors import RuleViolation
from loanfund.domain.ledger import return_posting
from loanfund.domain.lifecycle import Action, State
from loanfund.domain.money import Money
from loanfund.domain.rules import ReceivedMoney, check_receipt, settlement
from loanfund.extensions import db
from loanfund.models import Receipt
from loanfund.services.books import ledger, transfers
from loanfund.services.lifecycle.settlement import (
    account_of,
    received,
    refuse_after_bank_claim,
    refuse_booked_transfer,
)
from loanfund.services.lifecycle.spine import Step, application_policy, complete, each, past_date, required_text
from loanfund.services.lifecycle.step import Outcome, Shown, Situation, StepDef, day, money, text
from loanfund.services.oversight import notices
from loanfund.services.reports import cohorts


def confirm_return(step: Step, received_on: date, principal: Money, fee: Money, transfer_ref: str) -> Outcome:
    """Money back into the special account. When principal and the fee for the actual days (R2, R3) are all back,
    the application is repaid; otherwise the receipt is kept and the shortfall stays open. The outcome carries the
    account as it stands today, for the notices, the page and the confirmation.

    :raise RuleViolation: more principal than outstanding, or more fee than due.
    """
    application, actor = step.application, step.actor
    assert application.value_date is not None and application.approved_amount is not None
    last = max((r.received_on for r in application.receipts), default=application.value_date)
    _, ref = each(
        lambda: past_date(received_on, "received_on", "收回日期", last, "起息日或上一笔收回日期"),
        lambda: required_text(transfer_ref, "transfer_ref", "划款凭证号"),
    )
    refuse_booked_transfer(application, ref)
    refuse_after_bank_claim(application)
    transfers.book(application.bank_id, ref, "return", received_on, application.id)  # once per bank, all bridges
    policy = application_policy(application)
    earlier = received(application)
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
        fund_id=application.fund_id,
        bank_ref=ref,
        application_id=application.id,
        actor=actor,
    )
    account = settlement(policy, application.approved_amount, application.value_date, [*earlier, new], received_on)
    if account.principal_back_on is not None:
        was = application.received_on
        application.received_on = account.principal_back_on
        application.fee_due = account.fee_due
        cohorts.closed(application, was)  # the period's 周转天数, kept (R2)
    outcome = complete(
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
    today = clock.today()
    now = account if received_on == today else account_of(application, today, policy)
    return Outcome(outcome.application, outcome.before, outcome.note, now)


def prefill(situation: Situation) -> dict[str, Any]:
    """Today, and what is owed today."""
    account = account_of(situation.application, situation.today, situation.policy)
    owed = (
        {"principal": account.principal_outstanding.format(), "fee": account.fee_outstanding.format()}
        if account
        else {}
    )
    return {"received_on": situation.today, **owed}


def shows(outcome: Outcome, inputs: dict[str, Any]) -> Shown:
    principal, fee, account = inputs["principal"], inputs["fee"], outcome.account
    lines = [("其中本金", f"{principal.format()} 元"), ("其中用款费用", f"{fee.format()} 元")]
    if account is not None and not account.settled:
        owed = f"本金 {account.principal_outstanding.format()} 元、用款费用 {account.fee_outstanding.format()} 元"
        lines.append(("收回后尚欠", owed))
    return Shown("本次收回", principal + fee, tuple(lines), "收回日期", inputs["received_on"])


def tell(outcome: Outcome) -> None:
    """The enterprise hears that its bridge is settled (办结), or — a partial return — what it still owes."""
    a = outcome.application
    receipt = a.receipts[-1] if a.receipts else None
    if receipt is None:
        return
    yuan = notices.yuan
    got = f"{receipt.received_on.isoformat()} 收回本金 {yuan(receipt.principal)}、用款费用 {yuan(receipt.fee)}"
    if a.state_enum is State.REPAID:
        notices.notify(
            notices.enterprise_users(a),
            "settled",
            f"应急转贷 {a.reference} 已办结",
            f"贵企业的应急转贷 {a.reference}：{got}，本金和用款费用已全部收回，该笔应急转贷已办结。",
            a,
        )
        return
    owed = a.approved_amount - sum((r.principal for r in a.receipts), Money.zero()) if a.approved_amount else None
    notices.notify(
        notices.enterprise_users(a),
        "return_short",
        f"收回不足：{a.reference}",
        f"贵企业的应急转贷 {a.reference}：{got}，尚未收齐"
        + (f"（尚欠本金 {yuan(owed)}及相应用款费用）" if owed is not None and owed.is_positive else "（尚欠用款费用）")
        + "。请尽快归还，逾期将按规定追偿。",
        a,
    )


def done(outcome: Outcome) -> tuple[str, str]:
    """A partial return is not done: say what is owed, in amber."""
    account = outcome.account
    if account is not None and not account.settled:
        return (
            f"已登记收回，但尚未收齐：尚欠本金 {account.principal_outstanding.format()} 元、"
            f"用款费用 {account.fee_outstanding.format()} 元",
            "warning",
        )
    return f"已{Action.CONFIRM_RETURN.label}", "success"


STEP = StepDef(
    Action.CONFIRM_RETURN,
    confirm_return,
    duty="收回",
    inputs=(
        day("received_on", "收回日期"),
        money("principal", "收回本金（元）"),
        money("fee", "收取费用（元）"),
        text("transfer_ref", "划款凭证号", True, beside=True),
    ),
    moves_money=True,
    # once its bank is liable (R12) nothing more is received from the enterprise: the bank pays the claim
    closed=lambda s: s.application.bank_claim is not None,
    prefill=prefill,
    shows=shows,
    final="确认后收回款项即记入专用账户，不能撤销。",
    tell=tell,
    done=done,
)

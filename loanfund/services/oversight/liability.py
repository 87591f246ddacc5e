"""Bank liability (R12, 第二十三条): the operator records a claim against a bank that did not renew on time and in
full while the fund's money is late; the claim is posted (the bridge's debt becomes the bank's), the bank pays it
into the special account, and the bank is flagged for that year (no 市级评优, no fiscal subsidies)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, subqueryload

from loanfund import clock
from loanfund.domain.errors import Conflict, FieldErrors, NotAllowed, NotFound, RuleViolation
from loanfund.domain.ledger import bank_claim_payment_posting, bank_claim_posting
from loanfund.domain.liability import (
    CLAIM_EVENT,
    PAYMENT_EVENT,
    SETTLED_EVENT,
    ClaimFacts,
    bank_breaches,
    claim_violation,
)
from loanfund.domain.lifecycle import MONEY_OUT_STATES, Role, State
from loanfund.domain.money import Money
from loanfund.domain.policy import Policy
from loanfund.extensions import db
from loanfund.models import Application, Bank, BankClaim, BankClaimPayment, User
from loanfund.services.access import application_for
from loanfund.services.books import ledger, transfers
from loanfund.services.lifecycle import account_of, application_policy
from loanfund.services.lifecycle.spine import record, record_beside
from loanfund.services.oversight import notices
from loanfund.services.reports import cohorts
from loanfund.services.uow import finish


def claimable(application: Application, today: date | None = None) -> tuple[bool, str]:
    """Whether R12 lets the operator record a claim now, and why (or why not), in words."""
    today = today or clock.today()
    if application.bank_claim is not None or application.state_enum not in MONEY_OUT_STATES:
        return False, ""
    policy = application_policy(application)
    facts = _facts(application, today, policy)
    problem = claim_violation(policy, facts, today)
    if problem is not None:
        return False, problem.message
    return True, "；".join(bank_breaches(policy, facts, today))


def record_claim(actor: User, application_id: int, basis: str = "") -> BankClaim:
    """:raise NotFound: not the operator's to see. :raise RuleViolation: R12 does not apply. :raise Conflict: a claim
    on this bridge exists already. :raise NotAllowed: not an operator."""
    _operator(actor)
    application = application_for(actor, application_id, for_update=True)
    today = clock.today()
    if application.bank_claim is not None:
        raise Conflict("该笔应急转贷已登记合作银行清偿责任", code="bank_claim_exists")
    if application.state_enum not in MONEY_OUT_STATES:
        raise Conflict("资金未在外，不能登记合作银行清偿责任", code="state_not_allowed")
    policy = application_policy(application)
    facts = _facts(application, today, policy)
    problem = claim_violation(policy, facts, today)
    if problem is not None:
        raise RuleViolation([problem])
    account = facts.account
    breaches = "；".join(bank_breaches(policy, facts, today))
    claim = BankClaim(
        bank_id=application.bank_id,
        application_id=application.id,
        claimed_on=today,
        principal=account.principal_outstanding,
        fee=account.fee_outstanding,
        basis=f"{breaches}。{basis.strip()}" if basis.strip() else breaches,
        recorded_by_id=actor.id,
    )
    db.session.add(claim)
    db.session.flush()
    ledger.post(
        bank_claim_posting(claim.id, application.bank_id, application.id, claim.principal, claim.fee),
        today,
        fund_id=application.fund_id,
        bank_ref=None,  # a debt moved from the bridge to its bank: no money at the bank yet
        application_id=application.id,
        actor=actor,
    )
    record_beside(application, actor, CLAIM_EVENT, f"合作银行承担清偿责任 {claim.amount.format()} 元：{claim.basis}")
    notices.notify(
        [*notices.bank_users(application), *notices.staff(application.fund_id, Role.GROUP)],
        "bank_claim",
        f"合作银行清偿责任：{application.reference}",
        f"{application.bank.name}对{application.enterprise.name}的应急转贷 {application.reference} {claim.basis}，"
        f"依第二十三条承担清偿责任：本金 {claim.principal.format()} 元、用款费用 {claim.fee.format()} 元，合计 "
        f"{claim.amount.format()} 元（{claim.amount.capitals()}），请划入应急转贷资金专用账户；"
        f"{today.year} 年度不得参与市级评优、不得享受市级财政补贴。",
        application,
    )
    return finish(claim)


def record_payment(actor: User, claim_id: int, amount: Money, paid_on: date, transfer_ref: str) -> BankClaimPayment:
    """The bank paid (part of) its claim into the special account. The payment that settles the claim in full
    settles the bridge too (DESIGN §3): it is repaid — shown 银行已清偿 — and goes on to be archived as usual.

    :raise NotFound: no such claim. :raise InvalidInput: more than outstanding, a date ahead, no reference.
    :raise Conflict: the transfer is booked already. :raise NotAllowed: not an operator.
    """
    _operator(actor)
    found = db.session.get(BankClaim, claim_id)
    if found is None:
        raise NotFound("没有这笔合作银行清偿责任")
    # the bridge first, as every step locks it (then the claim, then the books): a step on the bridge at the same
    # moment waits here rather than crosswise on the books
    application = application_for(actor, found.application_id, for_update=True)
    claim = db.session.get(BankClaim, claim_id, with_for_update=True, populate_existing=True)
    assert claim is not None
    errors = FieldErrors()
    if not amount.is_positive:
        errors.add("amount", "清偿金额必须大于零")
    elif amount > claim.outstanding:
        errors.add("amount", f"清偿金额超过尚未清偿的 {claim.outstanding.format()} 元")
    if paid_on > clock.today():
        errors.add("paid_on", "到账日期不能晚于今天")
    elif paid_on < claim.claimed_on:
        errors.add("paid_on", f"到账日期不能早于责任认定日期 {claim.claimed_on.isoformat()}")
    ref = transfer_ref.strip()
    if not ref:
        errors.add("transfer_ref", "请填写划款凭证号")
    errors.raise_if_any()
    if any(p.transfer_ref == ref for p in claim.payments):
        raise Conflict(
            f"划款凭证号 {ref} 已登记，同一笔划款不能重复登记", code="transfer_ref_booked", field="transfer_ref"
        )
    transfers.book(claim.bank_id, ref, "claim_payment", paid_on, claim.application_id)
    payment = BankClaimPayment(claim=claim, paid_on=paid_on, amount=amount, transfer_ref=ref, recorded_by_id=actor.id)
    db.session.add(payment)
    db.session.flush()
    ledger.post(
        bank_claim_payment_posting(payment.id, claim.bank_id, amount),
        paid_on,
        fund_id=application.fund_id,
        bank_ref=ref,
        application_id=claim.application_id,
        actor=actor,
    )
    left = claim.outstanding
    record_beside(
        application,
        actor,
        PAYMENT_EVENT,
        f"合作银行清偿 {amount.format()} 元（凭证 {ref}），"
        + ("已全部清偿" if not left.is_positive else f"尚欠 {left.format()} 元"),
    )
    if not left.is_positive and application.state_enum in MONEY_OUT_STATES:
        _settle_bridge(application, actor, claim, paid_on)
    return finish(payment)


def _settle_bridge(application: Application, actor: User, claim: BankClaim, paid_on: date) -> None:
    """DESIGN §3 "settled by the bank": the claim is paid in full, so the bridge's debt is settled — the application
    is repaid on the day of the last payment (its money was out until then), its fee fixed at the claim's, and it
    waits to be archived like any other. A bridge the group wrote off stays written off (its payments reduce the
    claim all the same)."""
    before = application.state_enum
    account = account_of(application, claim.claimed_on)
    assert account is not None and account.settled
    application.state = State.REPAID.value
    was, application.received_on = application.received_on, paid_on
    application.fee_due = account.fee_due
    cohorts.closed(application, was)  # the period's 周转天数, kept (R2)
    application.settled_by_bank_on = paid_on
    record(
        application,
        actor,
        SETTLED_EVENT,
        before,
        f"{application.bank.name}已全部清偿 {claim.amount.format()} 元，该笔应急转贷办结，待归档",
        paid=claim.amount,
        paid_on=paid_on,
    )
    notices.after_settled_by_bank(application, claim)


@dataclass(frozen=True)
class BankStanding:
    bank: Bank
    claims: list[BankClaim]
    flagged_years: list[int]  # years with a claim: no 市级评优, no fiscal subsidies that year


def claims(actor: User) -> list[BankClaim]:
    """The claims on the bridges of the actor's fund: a bank's officer sees its bank's, staff all of the fund's."""
    query = (
        select(BankClaim)
        .join(Application, BankClaim.application_id == Application.id)
        .where(Application.fund_id == actor.fund_id)
        .options(subqueryload(BankClaim.payments), joinedload(BankClaim.bank))
    )
    if actor.role_enum is Role.BANK:
        query = query.where(BankClaim.bank_id == actor.bank_id)
    return list(db.session.scalars(query.order_by(BankClaim.id.desc())))


def flagged_years(bank_id: int) -> list[int]:
    days = db.session.scalars(select(BankClaim.claimed_on).where(BankClaim.bank_id == bank_id))
    return sorted({d.year for d in days})


def claim_of(actor: User, claim_id: int) -> BankClaim:
    """A claim on an application the actor may see (the view asks before it reads its form).

    :raise NotFound: no such claim, or on another fund's (or party's) application."""
    found = db.session.get(BankClaim, claim_id)
    if found is None:
        raise NotFound("没有这笔合作银行清偿责任")
    application_for(actor, found.application_id)
    return found


def flags_by_bank(fund_id: int) -> dict[int, list[int]]:
    """The years each of the fund's banks had a claim recorded against it (第十八条)."""
    found: dict[int, set[int]] = {}
    query = select(BankClaim.bank_id, BankClaim.claimed_on).join(Bank, Bank.id == BankClaim.bank_id)
    for bank_id, day in db.session.execute(query.where(Bank.fund_id == fund_id)):
        found.setdefault(bank_id, set()).add(day.year)
    return {bank: sorted(years) for bank, years in found.items()}


def _facts(application: Application, today: date, policy: Policy) -> ClaimFacts:
    assert application.value_date is not None and application.committed_amount is not None
    account = account_of(application, today, policy)
    assert account is not None
    return ClaimFacts(
        value_date=application.value_date,
        committed_amount=application.committed_amount,
        renewed_on=application.renewed_on,
        renewed_amount=application.new_loan_amount,
        account=account,
    )


def _operator(actor: User) -> None:
    if actor.role_enum is not Role.OPERATOR:
        raise NotAllowed("只有平台运营人员可以登记合作银行清偿责任及清偿款", code="role_not_allowed")

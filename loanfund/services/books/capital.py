"""Capital and income of the fund (第五、二十五、二十六条; R13): contributions, distribution runs, dissolution."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from loanfund.domain.errors import Conflict, InvalidInput
from loanfund.domain.ledger import (
    CASH,
    FEE_INCOME,
    LOSSES,
    TAXES_PAYABLE,
    Kind,
    Leg,
    Posting,
    contribution_posting,
    distribution_key,
    distribution_payment_key,
    distribution_posting,
    distributions_payable,
    split_by_ratio,
    surplus,
    tax_on,
)
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Contribution, Contributor, Distribution, User
from loanfund.services.books import ledger
from loanfund.services.record import audit
from loanfund.services.uow import finish

CONTRIBUTOR_KINDS = {"municipal": "市级", "county": "县区", "private": "社会资本"}


def contributor_named(fund_id: int, name: str, kind: str = "municipal") -> Contributor:
    """The fund's contributor of that name, created when new (flushed, not committed)."""
    if kind not in CONTRIBUTOR_KINDS:
        raise InvalidInput({"kind": ["出资方类型无效"]})
    contributor = db.session.scalar(select(Contributor).where(Contributor.fund_id == fund_id, Contributor.name == name))
    if contributor is None:
        contributor = Contributor(fund_id=fund_id, name=name, kind=kind)
        db.session.add(contributor)
        db.session.flush()
    return contributor


def record_contribution(
    contributor: Contributor, amount: Money, received_on: date, reference: str, recorded_by: User | None = None
) -> Contribution:
    """Capital paid into the contributor's fund's special account (Dr cash / Cr capital): it becomes cash the fund
    may lend. ``reference``: the bank's reference of the transfer in (the entry carries it, issue 29).

    :raise InvalidInput: the amount is not positive, or no reference (every field named at once)."""
    errors: dict[str, list[str]] = {}
    if not amount.is_positive:
        errors["amount"] = ["出资金额必须大于零"]
    reference = reference.strip()
    if not reference:
        errors["reference"] = ["请填写银行凭证号"]
    if errors:
        raise InvalidInput(errors)
    contribution = Contribution(
        fund_id=contributor.fund_id,
        contributor=contributor,
        amount=amount,
        received_on=received_on,
        reference=reference,
        recorded_by_id=recorded_by.id if recorded_by else None,
    )
    db.session.add(contribution)
    db.session.flush()
    ledger.post(
        contribution_posting(contribution.id, contributor.id, amount),
        received_on,
        fund_id=contributor.fund_id,
        bank_ref=reference,
        actor=recorded_by,
    )
    return finish(contribution)


def capital_by_contributor(fund_id: int) -> dict[int, Money]:
    """Each of the fund's contributors' capital (credit balance of its capital account)."""
    return {cid: -net for cid, net in ledger.line_balances(fund_id, "capital").items() if net.fen < 0}


def parse_tax_rate(text: str) -> Decimal:
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise InvalidInput({"tax_rate": ["税率格式不正确，如 0.06"]}) from None
    if not rate.is_finite():
        raise InvalidInput({"tax_rate": ["税率须为有限的数字，如 0.06"]})
    if not (Decimal(0) <= rate < Decimal(1)) or rate.as_tuple().exponent < -6:  # type: ignore[operator]
        raise InvalidInput({"tax_rate": ["税率须在 0 与 1 之间，最多六位小数"]})
    return rate


@dataclass(frozen=True)
class DistributionResult:
    distribution: Distribution
    income: Money
    tax: Money
    losses_covered: Money
    shares: list[tuple[Contributor, Money]]
    paid: Money | None = None  # what was paid out with the run, when asked to pay


def run_distribution(
    fund_id: int,
    run_on: date,
    tax_rate: Decimal,
    actor: User | None = None,
    *,
    pay: bool = False,
    bank_ref: str = "",
) -> DistributionResult:
    """Distribute the fund's fee income not yet distributed (R13, 第二十五条): tax at ``tax_rate``, then make good the
    losses written off and not yet covered, then split the surplus by capital share, the parts adding up exactly
    (largest remainder). With ``pay``, what is payable is paid out in the same transaction: the run and its payment
    commit together or not at all (``bank_ref``: the bank's reference of that payment). One run a day.

    :raise InvalidInput: there is no income to distribute, nothing is payable, or paying without a reference.
    :raise Conflict: a run was already made that day.
    :raise RuleViolation: with ``pay``, the available balance does not cover the payment (R8); nothing is recorded.
    """
    # In line behind every other writer of the books first, then the income read fresh: what a run distributes is
    # what the journal holds undistributed now, whatever day it is dated — a run dated either side of midnight, or at
    # the same moment, finds nothing left after another (without the turn, both read the same income and paid it).
    if pay:
        _required_ref(bank_ref)
    audit.take_turn()
    income = -ledger.balance(fund_id, FEE_INCOME)
    if not income.is_positive:
        raise InvalidInput({"income": ["暂无可分配的用款费用收入"]})
    capitals = capital_by_contributor(fund_id)
    if not capitals:
        raise InvalidInput({"capital": ["尚无出资，无法分配"]})
    tax = tax_on(income, tax_rate)
    covered, distributable = surplus(income, tax, ledger.balance(fund_id, LOSSES))
    ids = sorted(capitals)
    parts = split_by_ratio(distributable, [capitals[i].fen for i in ids])
    posting = distribution_posting(distribution_key(run_on), income, tax, list(zip(ids, parts, strict=True)), covered)
    try:
        entry = ledger.post(posting, run_on, fund_id=fund_id, bank_ref=None, actor=actor)  # payable, not paid yet
    except IntegrityError:
        db.session.rollback()
        raise Conflict(f"{run_on.isoformat()} 已进行过收益分配", code="distribution_exists") from None
    distribution = Distribution(
        fund_id=fund_id,
        run_on=run_on,
        income=income,
        tax_rate=str(tax_rate),
        tax=tax,
        losses_covered=covered,
        journal_entry_id=entry.id,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(distribution)
    paid = _pay_payables(fund_id, run_on, bank_ref, actor) if pay else None
    contributors = {c.id: c for c in db.session.scalars(select(Contributor).where(Contributor.id.in_(ids)))}
    shares = [(contributors[i], p) for i, p in zip(ids, parts, strict=True)]
    return finish(DistributionResult(distribution, income, tax, covered, shares, paid))


def payable_now(fund_id: int) -> dict[str, Money]:
    """What the fund's distribution runs left to pay: taxes, and each contributor's share, by ledger account."""
    payable = {
        distributions_payable(cid): -net
        for cid, net in ledger.line_balances(fund_id, "distributions_payable").items()
        if net.fen < 0
    }
    taxes = -ledger.balance(fund_id, TAXES_PAYABLE)
    if taxes.is_positive:
        payable[TAXES_PAYABLE] = taxes
    return payable


def pay_distributions(fund_id: int, paid_on: date, bank_ref: str, actor: User | None = None) -> Money:
    """Pay what earlier runs left payable (taxes, contributors' shares) out of the special account — never from
    money reserved for approved bridges (R8). ``bank_ref``: the bank's reference of the payment (one payment order
    for all of them, as the entry is one).

    :raise InvalidInput: nothing is payable, or no reference.
    :raise RuleViolation: the account's available balance does not cover it.
    """
    _required_ref(bank_ref)
    return finish(_pay_payables(fund_id, paid_on, bank_ref, actor))


def _required_ref(bank_ref: str) -> None:
    if not bank_ref.strip():
        raise InvalidInput({"bank_ref": ["支付须填写银行凭证号"]})


def _pay_payables(fund_id: int, paid_on: date, bank_ref: str, actor: User | None) -> Money:
    payable = payable_now(fund_id)
    total = sum(payable.values(), Money.zero())
    if not total.is_positive:
        raise InvalidInput({"payable": ["没有待支付的分配款或税费"]})
    legs = [Leg(code, debit=amount) for code, amount in sorted(payable.items())] + [Leg(CASH, credit=total)]
    try:
        ledger.post(
            Posting(distribution_payment_key(paid_on), "支付收益分配款及税费", tuple(legs)),
            paid_on,
            fund_id=fund_id,
            bank_ref=bank_ref,
            actor=actor,
        )
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            f"{paid_on.isoformat()} 已支付过一次分配款，请次日再支付", code="distribution_paid_today"
        ) from None
    return total


@dataclass(frozen=True)
class DissolutionLine:
    contributor: Contributor
    capital: Money
    share: Money


def dissolution_statement(fund_id: int) -> tuple[Money, list[DissolutionLine]]:
    """The fund's net assets (assets − liabilities) and each contributor's part by capital (第二十六条), adding up
    exactly."""
    assets = Money.zero()
    liabilities = Money.zero()
    for row in ledger.trial_balance(fund_id):
        if row.kind is Kind.ASSET:
            assets += row.balance
        elif row.kind is Kind.LIABILITY:
            liabilities += row.balance
    net = assets - liabilities
    capitals = capital_by_contributor(fund_id)
    ids = sorted(capitals)
    contributors = {c.id: c for c in db.session.scalars(select(Contributor).where(Contributor.id.in_(ids)))}
    parts = split_by_ratio(max(net, Money.zero()), [capitals[i].fen for i in ids]) if ids else []
    return net, [DissolutionLine(contributors[i], capitals[i], p) for i, p in zip(ids, parts, strict=True)]

"""The special account's double-entry ledger (DESIGN §5): accounts, balanced postings, splitting by ratios.

A posting is a list of legs, each a non-negative debit or credit on one account, debits equal to credits. Postings
are never changed: a correction is the reversing posting. Every posting carries a key unique in the books, so a
retried confirmation cannot post twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from loanfund.domain.errors import LoanFundError
from loanfund.domain.money import Money


class Unbalanced(LoanFundError):
    code = "ledger_unbalanced"


class Kind(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"

    @property
    def debit_normal(self) -> bool:
        return self in (Kind.ASSET, Kind.EXPENSE)


CASH = "cash"
FEE_INCOME = "fee_income"
TAXES_PAYABLE = "taxes_payable"
LOSSES = "losses_written_off"


def receivable(application_id: int) -> str:
    return f"receivable:{application_id}"


def capital(contributor_id: int) -> str:
    return f"capital:{contributor_id}"


def distributions_payable(contributor_id: int) -> str:
    return f"{DISTRIBUTIONS_PAYABLE_PREFIX}{contributor_id}"


DISTRIBUTIONS_PAYABLE_PREFIX = "distributions_payable:"


def payable_to(code: str) -> int | None:
    """The contributor whose distributions payable ``code`` is (``distributions_payable``'s inverse), or None."""
    return (
        int(code.removeprefix(DISTRIBUTIONS_PAYABLE_PREFIX)) if code.startswith(DISTRIBUTIONS_PAYABLE_PREFIX) else None
    )


def bank_claim(bank_id: int) -> str:
    return f"bank_claim:{bank_id}"


def describe(code: str) -> tuple[str, Kind]:
    """The Chinese name and kind of an account code."""
    fixed = {
        CASH: ("专用账户资金", Kind.ASSET),
        FEE_INCOME: ("用款费用收入", Kind.INCOME),
        TAXES_PAYABLE: ("应交税费", Kind.LIABILITY),
        LOSSES: ("核销损失", Kind.EXPENSE),
    }
    if code in fixed:
        return fixed[code]
    prefix, _, number = code.partition(":")
    families = {
        "receivable": ("应收应急转贷资金", Kind.ASSET),
        "capital": ("出资", Kind.EQUITY),
        "distributions_payable": ("应付收益分配", Kind.LIABILITY),
        "bank_claim": ("应收合作银行清偿款", Kind.ASSET),
    }
    if prefix not in families or not number.isdigit():
        raise ValueError(f"unknown account code {code!r}")
    name, kind = families[prefix]
    return f"{name}（{number}）", kind


# The per-application receivables are one line of the trial balance: a fund of a million bridges has a million of
# them, and the books are read by their total (each bridge's own is on its page and in the reconciliation).
RECEIVABLES = "receivable"


def line_of(code: str) -> str:
    """The trial-balance line an account is summed into: its own code, but one line for every bridge's receivable."""
    return RECEIVABLES if code.startswith(f"{RECEIVABLES}:") else code


def entry_kind(key: str) -> str:
    """What kind of entry a key says it is — its first part (``disbursement:17`` → ``disbursement``): how a day's
    totals are kept apart (a return's receivable credit is money back, a write-off's is not)."""
    return key.split(":", 1)[0]


def describe_line(line: str) -> tuple[str, Kind]:
    """The Chinese name and kind of a trial-balance line."""
    return ("应收应急转贷资金", Kind.ASSET) if line == RECEIVABLES else describe(line)


_ZERO = Money(0)  # Money is immutable: one shared zero is safe as a default


@dataclass(frozen=True)
class Leg:
    account: str
    debit: Money = _ZERO
    credit: Money = _ZERO


@dataclass(frozen=True)
class Posting:
    """A balanced journal entry, checked when it is made."""

    key: str
    description: str
    legs: tuple[Leg, ...]

    def __post_init__(self) -> None:
        if not self.key:
            raise Unbalanced("记账分录缺少幂等键")
        if len(self.legs) < 2:
            raise Unbalanced("记账分录至少需要两条分录行")
        for leg in self.legs:
            describe(leg.account)
            if leg.debit.is_negative or leg.credit.is_negative:
                raise Unbalanced("借方、贷方金额不能为负")
            if leg.debit.is_positive == leg.credit.is_positive:
                raise Unbalanced("每条分录行须且只能在借方或贷方记一个正数金额")
        debits = sum((leg.debit for leg in self.legs), Money.zero())
        credits = sum((leg.credit for leg in self.legs), Money.zero())
        if debits != credits:
            raise Unbalanced(f"借贷不平：借方 {debits.format()}，贷方 {credits.format()}")

    @property
    def total(self) -> Money:
        return sum((leg.debit for leg in self.legs), Money.zero())

    @property
    def cash(self) -> Money:
        """The special account's movement: money in positive, money out negative, zero for an entry between other
        accounts (a write-off, a bank's claim, a distribution run)."""
        return sum((leg.debit - leg.credit for leg in self.legs if leg.account == CASH), Money.zero())

    def reversed(self, key: str, description: str) -> Posting:
        """The correcting entry: every leg on the other side."""
        return Posting(key, description, tuple(Leg(leg.account, leg.credit, leg.debit) for leg in self.legs))


BANK_REF_MAX = 64


def bank_reference(posting: Posting, ref: str | None) -> str | None:
    """The bank's reference an entry carries (issue 29, 第十一条 封闭运行): every entry that moves the special
    account's money names the bank transfer that moved it, so the books can be matched line by line with the bank's
    statement; an entry between other accounts moves no money at the bank and names none.

    :raise Unbalanced: money moves without a reference, or a reference is given for an entry that moves none.
    """
    text = (ref or "").strip()
    if posting.cash.fen != 0 and not text:
        raise Unbalanced(f"记账分录 {posting.key} 收付专用账户资金，须有银行凭证号", code="bank_ref_required")
    if posting.cash.fen == 0 and text:
        raise Unbalanced(f"记账分录 {posting.key} 不收付专用账户资金，不应有银行凭证号", code="bank_ref_not_cash")
    if len(text) > BANK_REF_MAX:
        raise Unbalanced(f"银行凭证号不能超过 {BANK_REF_MAX} 个字符", code="bank_ref_too_long")
    return text or None


def _legs(*pairs: tuple[str, Money, str]) -> tuple[Leg, ...]:
    return tuple(
        Leg(account, debit=amount) if side == "Dr" else Leg(account, credit=amount)
        for account, amount, side in pairs
        if amount.is_positive
    )


def contribution_posting(contribution_id: int, contributor_id: int, amount: Money) -> Posting:
    return Posting(
        f"contribution:{contribution_id}",
        "出资到账",
        _legs((CASH, amount, "Dr"), (capital(contributor_id), amount, "Cr")),
    )


DISBURSEMENT_KEY_PREFIX = "disbursement:"


def disbursement_posting(application_id: int, amount: Money) -> Posting:
    return Posting(
        f"{DISBURSEMENT_KEY_PREFIX}{application_id}",
        "应急转贷资金划出",
        _legs((receivable(application_id), amount, "Dr"), (CASH, amount, "Cr")),
    )


RETURN_KEY_PREFIX = "return:"


def return_posting(receipt_id: int, application_id: int, principal: Money, fee: Money) -> Posting:
    return Posting(
        f"{RETURN_KEY_PREFIX}{receipt_id}",
        "应急转贷资金及用款费用收回",
        _legs((CASH, principal + fee, "Dr"), (receivable(application_id), principal, "Cr"), (FEE_INCOME, fee, "Cr")),
    )


def write_off_posting(application_id: int, amount: Money) -> Posting:
    return Posting(
        f"write_off:{application_id}",
        "经领导小组决定核销",
        _legs((LOSSES, amount, "Dr"), (receivable(application_id), amount, "Cr")),
    )


def bank_claim_posting(claim_id: int, bank_id: int, application_id: int, principal: Money, fee: Money) -> Posting:
    """R12 (第二十三条): what the bridge still owes becomes the bank's debt — the principal moves from the bridge's
    receivable to a receivable from the bank, and the fee due is recognised as income the bank owes."""
    return Posting(
        f"bank_claim:{claim_id}",
        "合作银行承担清偿责任（第二十三条）",
        _legs(
            (bank_claim(bank_id), principal + fee, "Dr"),
            (receivable(application_id), principal, "Cr"),
            (FEE_INCOME, fee, "Cr"),
        ),
    )


BANK_CLAIM_PAYMENT_KEY_PREFIX = "bank_claim_payment:"  # a bank's payment on a claim: bank_claim_payment:<its id>


def bank_claim_payment_posting(payment_id: int, bank_id: int, amount: Money) -> Posting:
    return Posting(
        f"{BANK_CLAIM_PAYMENT_KEY_PREFIX}{payment_id}",
        "合作银行清偿款到账",
        _legs((CASH, amount, "Dr"), (bank_claim(bank_id), amount, "Cr")),
    )


def recovery_after_write_off_posting(record_id: int, amount: Money) -> Posting:
    """第二十一条: money recovered after the group wrote the bridge off is still booked — cash in, the loss reduced."""
    return Posting(
        f"recovered:{record_id}",
        "核销后追回资金",
        _legs((CASH, amount, "Dr"), (LOSSES, amount, "Cr")),
    )


def split_by_ratio(total: Money, weights: list[int]) -> list[Money]:
    """Split ``total`` in proportion to ``weights`` so that the parts add up to it exactly (largest remainder).

    Each part is first rounded down to the fen; the fen left over go one each to the parts with the largest
    remainders (the earlier part on a tie).
    """
    if total.is_negative:
        raise ValueError("cannot split a negative amount")
    if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
        raise ValueError("weights must be non-negative and not all zero")
    whole = sum(weights)
    floors = [total.fen * w // whole for w in weights]
    remainders = [total.fen * w % whole for w in weights]
    left = total.fen - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:left]:
        floors[i] += 1
    return [Money(f) for f in floors]


def tax_on(income: Money, rate: Decimal) -> Money:
    """Tax on income at ``rate`` (e.g. Decimal("0.06")), rounded half-up to the fen once."""
    if not (Decimal(0) <= rate < Decimal(1)):
        raise ValueError("tax rate must be in [0, 1)")
    return Money.from_decimal_fen(income.times(rate))


def surplus(income: Money, tax: Money, uncovered_losses: Money) -> tuple[Money, Money]:
    """R13 (第二十五条): fee income after taxes first makes good the losses written off and not yet covered; what
    remains is the surplus (盈余) to distribute. Returns (losses covered now, surplus). A distribution therefore never
    pays out of capital: while losses are uncovered, nothing is distributed."""
    after_tax = income - tax
    if after_tax.is_negative:
        raise ValueError("tax exceeds income")
    covered = min(after_tax, max(uncovered_losses, Money.zero()))
    return covered, after_tax - covered


DISTRIBUTION_KEY_PREFIX = "distribution:"  # a distribution run's entry: distribution:<the day it was run>


def distribution_key(run_on: date) -> str:
    return f"{DISTRIBUTION_KEY_PREFIX}{run_on.isoformat()}"


def distribution_posting(
    key: str, income: Money, tax: Money, shares: list[tuple[int, Money]], losses_covered: Money = _ZERO
) -> Posting:
    """Fee income after tax (R13): Dr fee income; Cr taxes payable, Cr losses (what it makes good) and Cr each
    contributor's distribution payable."""
    return Posting(
        key,
        "用款费用收入缴税、弥补核销损失后按出资比例分配",
        _legs(
            (FEE_INCOME, income, "Dr"),
            (TAXES_PAYABLE, tax, "Cr"),
            (LOSSES, losses_covered, "Cr"),
            *((distributions_payable(cid), share, "Cr") for cid, share in shares),
        ),
    )


# the payment of a day's shares and taxes out of the special account: distribution_payment:<the day it was paid>
DISTRIBUTION_PAYMENT_KEY_PREFIX = "distribution_payment:"


def distribution_payment_key(paid_on: date) -> str:
    return f"{DISTRIBUTION_PAYMENT_KEY_PREFIX}{paid_on.isoformat()}"


DISSOLUTION_KEY_PREFIX = "dissolution:"  # the closing entry of a dissolution: dissolution:<its id>


def closing_problems(balances: dict[str, Money]) -> list[str]:
    """第二十六条: why the books cannot be closed yet — money still out or owed to the fund, taxes or shares still to
    pay. ``balances``: each trial-balance line's debit − credit, cash included."""
    problems = []
    for line, balance in sorted(balances.items()):
        if line == CASH or balance.fen == 0:
            continue
        name, kind = describe_line(line)
        if kind is Kind.ASSET:
            problems.append(f"{name}尚有 {balance.format()} 元未收回")
        elif kind is Kind.LIABILITY:
            problems.append(f"{name}尚有 {(-balance).format()} 元未支付")
        elif kind is Kind.INCOME:  # income is taxed and distributed first (第二十五条), then capital is returned
            problems.append(f"{name}尚有 {(-balance).format()} 元未分配，请先进行收益分配并支付")
    return problems


def closing_posting(key: str, balances: dict[str, Money], shares: list[tuple[int, Money]]) -> Posting:
    """The entry that closes the books on dissolution: every equity, income and expense line brought to zero, and
    the cash paid out to the contributors by their ``shares`` (which add up to the cash). Only once
    ``closing_problems`` finds nothing: what is left then is cash on one side and capital and results on the other."""
    legs: list[Leg] = []
    for line, balance in sorted(balances.items()):
        if line == CASH or balance.fen == 0:
            continue
        if balance.is_positive:
            legs.append(Leg(line, credit=balance))
        else:
            legs.append(Leg(line, debit=-balance))
    legs += [Leg(CASH, credit=share) for _, share in shares if share.is_positive]
    return Posting(key, "解散：结清账目，按出资比例返还净资产", tuple(legs))

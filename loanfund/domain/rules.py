"""The fund's rules R1–R9 (DESIGN.md §4) as pure functions of a ``Policy``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from loanfund.domain.errors import InvalidValue, Violation
from loanfund.domain.money import Money
from loanfund.domain.policy import LoanType, Policy, RateMode

PERMILLE = Decimal(1000)


@dataclass(frozen=True)
class Quote:
    """What a bridge of ``amount`` for ``days`` costs under ``policy`` (R1, R3)."""

    amount: Money
    days: int
    band: int
    base_rate_permille: Decimal
    extended_rate_permille: Decimal
    fee: Money
    needs_group_approval: bool
    policy_name: str

    @property
    def total(self) -> Money:
        return self.amount + self.fee


def check_days(policy: Policy, days: int) -> None:
    """Days requested must be a whole number from 1 to the policy's limit (R4)."""
    if isinstance(days, bool) or not isinstance(days, int):
        raise InvalidValue("用款天数须为整数", code="days_not_integer")
    if days < 1:
        raise InvalidValue("用款天数至少为 1 天", code="days_too_few")
    if days > policy.max_days:
        raise InvalidValue(f"用款天数不得超过 {policy.max_days} 天", code="days_too_many")


def check_amount(amount: Money) -> None:
    if not amount.is_positive:
        raise InvalidValue("金额必须大于零", code="amount_not_positive")


@dataclass(frozen=True)
class FeePart:
    """Days charged at one daily rate (R1, R3): ``exact_fen`` is amount × rate × days, not yet rounded."""

    days: int
    rate_permille: Decimal
    exact_fen: Decimal


def fee_parts(policy: Policy, amount: Money, days: int) -> tuple[FeePart, ...]:
    """The fee for ``days`` actually used, as the days at each rate (the usage statement shows them).

    ``days`` may exceed the policy's limit here: an overdue bridge keeps accruing at the higher rate (R4).
    """
    check_amount(amount)
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise InvalidValue("用款天数至少为 1 天", code="days_too_few")
    _, band = policy.band_for(amount)
    base_days = min(days, policy.base_rate_days)
    extra_days = max(days - policy.base_rate_days, 0)
    if policy.rate_mode is RateMode.WHOLE_PERIOD:
        rate = band.extended_rate_permille if extra_days else band.base_rate_permille
        pairs = [(days, rate)]
    else:
        pairs = [(base_days, band.base_rate_permille), (extra_days, band.extended_rate_permille)]
    return tuple(FeePart(d, rate, amount.times(rate * d) / PERMILLE) for d, rate in pairs if d)


def fee_for(policy: Policy, amount: Money, days: int) -> Money:
    """The fee for ``days`` actually used (R1, R3), rounded half-up to the fen once at the end."""
    return Money.from_decimal_fen(sum((part.exact_fen for part in fee_parts(policy, amount, days)), Decimal(0)))


def group_approval_reasons(
    policy: Policy, amount: Money, loan_overdue: bool = False, adverse_credit: bool = False
) -> tuple[str, ...]:
    """R6: why the leading group must decide — over the threshold (超过: the threshold itself does not need it),
    a loan already overdue at the bank, or a bad credit record still outstanding (第八条: the platform's check at
    acceptance found it). Empty when it need not."""
    reasons: list[str] = []
    if amount > policy.group_threshold:
        reasons.append(f"金额超过 {_wan(policy.group_threshold)}")
    if loan_overdue and policy.group_for_overdue_loan:
        reasons.append("到期贷款已在银行逾期")
    if adverse_credit:
        reasons.append("征信有未结清的不良记录")
    return tuple(reasons)


def needs_group_approval(
    policy: Policy, amount: Money, loan_overdue: bool = False, adverse_credit: bool = False
) -> bool:
    return bool(group_approval_reasons(policy, amount, loan_overdue, adverse_credit))


def quote(policy: Policy, amount: Money, days: int) -> Quote:
    """A fee quote for a planned bridge: amount and days requested (R1, R3, R4, R6)."""
    check_amount(amount)
    check_days(policy, days)
    number, band = policy.band_for(amount)
    return Quote(
        amount=amount,
        days=days,
        band=number,
        base_rate_permille=band.base_rate_permille,
        extended_rate_permille=band.extended_rate_permille,
        fee=fee_for(policy, amount, days),
        needs_group_approval=needs_group_approval(policy, amount),
        policy_name=policy.name,
    )


def days_used(value_date: date, received_on: date) -> int:
    """R2: calendar days from the value date to the day the money is back, 算头不算尾, at least 1."""
    if received_on < value_date:
        raise InvalidValue("收回日期不能早于放款起息日", code="received_before_value_date")
    return max((received_on - value_date).days, 1)


def due_date(policy: Policy, value_date: date) -> date:
    """R4: the last day the money may be back without being overdue (out 1 Nov → due 11 Nov, 10 days used)."""
    return value_date + timedelta(days=policy.max_days)


def is_overdue(policy: Policy, value_date: date, today: date, received_on: date | None = None) -> bool:
    """R4: not back by the end of the due date. A return on or before the due date is never overdue."""
    if received_on is not None:
        return received_on > due_date(policy, value_date)
    return today > due_date(policy, value_date)


def renewal_late(policy: Policy, value_date: date, renewed_on: date) -> bool:
    """R9: the bank renewed later than the policy's days after the bridge disbursement."""
    return (renewed_on - value_date).days > policy.renewal_sla_days


def renewal_late_on(policy: Policy, value_date: date, renewed_on: date | None, today: date) -> bool:
    """R9 as it stands on ``today``: renewed after its deadline, or — not renewed — the deadline is past (what the
    daily sweep records as 银行逾期未续贷 the day after the deadline)."""
    if renewed_on is not None:
        return renewal_late(policy, value_date, renewed_on)
    return (today - value_date).days > policy.renewal_sla_days


@dataclass(frozen=True)
class ApprovalFacts:
    """What the approval step knows: the amount to decide and what it must be checked against."""

    amount: Money
    committed_amount: Money  # the bank's committed renewal amount (承诺续贷额度)
    loan_amount_due: Money  # principal + interest of the maturing loan
    own_funds: Money  # own funds confirmed in place (自筹资金)
    fund_available: Money  # special-account balance − reservations of other approved applications
    loan_overdue: bool = False
    adverse_credit: bool = False  # the credit check found a bad record still outstanding (第八条)


@dataclass(frozen=True)
class ApprovalCheck:
    """Every violation of R5, R7 and R8 at once, and whether R6 sends the application to the leading group."""

    violations: tuple[Violation, ...]
    needs_group_approval: bool
    group_reasons: tuple[str, ...]
    cap: Money  # the R5 ceiling, for showing "max allowed"

    @property
    def ok(self) -> bool:
        return not self.violations


def _wan(amount: Money) -> str:
    return f"{amount.format_wan()} 万元"


def r5_cap(policy: Policy, committed_amount: Money) -> Money:
    """R5: the most the fund may lend — the cap ratio of the bank's committed renewal amount.

    Rounded down to the fen: an amount is allowed only if it is at most the exact product (以内 includes it).
    """
    exact = committed_amount.times(policy.cap_ratio)
    return Money(int(exact // 1))


@dataclass(frozen=True)
class CommitmentCover:
    """What a bank's commitment lets the fund lend (R5) against what the enterprise asked for."""

    percent: Decimal  # the cap ratio in per cent (80)
    committed: Money
    cap: Money
    requested: Money

    @property
    def short(self) -> Money:
        """What the enterprise must find elsewhere: the part of its request the cap does not cover."""
        return max(self.requested - self.cap, Money.zero())

    def explain(self) -> str:
        text = (
            f"按现行政策，应急转贷资金最多为承诺续贷额度的 {self.percent.normalize():f}%："
            f"承诺 {self.committed.format()} 元，可借 {self.cap.format()} 元"
        )
        if self.short.is_positive:
            text += f"；少于企业申请的 {self.requested.format()} 元，企业还需另筹 {self.short.format()} 元"
        return text


def commitment_cover(policy: Policy, committed: Money, requested: Money) -> CommitmentCover:
    return CommitmentCover(policy.cap_ratio * 100, committed, r5_cap(policy, committed), requested)


def max_approvable(policy: Policy, facts: ApprovalFacts) -> Money:
    """The largest amount R5, R7 (loan due) and R8 together allow; never negative."""
    return max(Money.zero(), min(r5_cap(policy, facts.committed_amount), facts.loan_amount_due, facts.fund_available))


def r7_own_funds(
    amount: Money, loan_due: Money, own_funds: Money, amount_field: str, own_field: str
) -> list[Violation]:
    """R7: the bridge covers at most the loan due, and with the own funds covers all of it."""
    if amount > loan_due:
        return [
            Violation(
                "R7", "exceeds_loan_due", f"申请金额 {_wan(amount)}超过到期贷款本息 {_wan(loan_due)}", amount_field
            )
        ]
    if amount + own_funds < loan_due:
        shortfall = loan_due - amount - own_funds
        return [
            Violation(
                "R7",
                "own_funds_insufficient",
                f"自筹资金 {_wan(own_funds)}与申请金额 {_wan(amount)}合计不足到期贷款本息 {_wan(loan_due)}，"
                f"尚缺 {_wan(shortfall)}",
                own_field,
            )
        ]
    return []


def check_approval(policy: Policy, facts: ApprovalFacts) -> ApprovalCheck:
    """R5, R7, R8: all violations, each naming its numbers; R6: whether the leading group must decide."""
    violations: list[Violation] = []
    amount = facts.amount
    if not amount.is_positive:
        violations.append(Violation("R5", "amount_not_positive", "批准金额必须大于零", "amount"))
    cap = r5_cap(policy, facts.committed_amount)
    percent = (policy.cap_ratio * 100).normalize()
    if amount > cap:
        violations.append(
            Violation(
                "R5",
                "exceeds_commitment_cap",
                f"申请金额 {_wan(amount)}超过银行承诺续贷额度的{percent:f}%（{_wan(cap)}）",
                "amount",
            )
        )
    violations += r7_own_funds(amount, facts.loan_amount_due, facts.own_funds, "amount", "own_funds")
    if amount > facts.fund_available:
        violations.append(
            Violation(
                "R8",
                "fund_insufficient",
                f"申请金额 {_wan(amount)}超过专用账户可用余额 {_wan(facts.fund_available)}",
                "amount",
            )
        )
    reasons = group_approval_reasons(policy, amount, facts.loan_overdue, facts.adverse_credit)
    return ApprovalCheck(tuple(violations), bool(reasons), reasons, cap)


@dataclass(frozen=True)
class SubmissionFacts:
    """What an enterprise states when it applies (第十五条). ``None``: a value that could not be read (its field says
    why); the checks that need it are skipped, every other one still runs, so all problems are found in one pass."""

    requested_amount: Money | None
    requested_days: int | None
    loan_amount_due: Money | None
    own_funds_planned: Money | None
    loan_due_date: date | None
    loan_overdue: bool
    today: date
    loan_type: str | None = None  # R16: what loan is to be renewed (None: not given — the form says so)


def loan_type_violation(policy: Policy, loan_type: str) -> Violation | None:
    """R16 (第三条): the fund serves the renewal of the loans the policy lists (流动资金贷款 under the 2018 rules);
    a project loan, or 表外融资 — entrusted and trust loans, undiscounted acceptances — is refused in the article's
    words."""
    try:
        kind = LoanType(loan_type)
    except ValueError:
        return Violation("R16", "loan_type_unknown", "请选择到期贷款的种类", "loan_type")
    if kind in policy.loan_types:
        return None
    served = "、".join(t.label for t in policy.loan_types)
    if kind.off_balance:
        why = f"{kind.label}属于金融机构表外融资，不适用本办法（第三条）"
    else:
        why = f"{kind.label}不在应急转贷资金支持范围内（第三条）"
    return Violation("R16", "loan_type_excluded", f"{why}；应急转贷资金用于{served}的转贷", "loan_type")


# A maturing loan's due date lies near today: two years either way is far beyond any real case, and keeps a typo
# (9999-12-31, 0001-01-01) out of the record and out of date arithmetic.
LOAN_DUE_DATE_WINDOW = timedelta(days=731)


def check_loan_due_date(due: date, today: date) -> None:
    """:raise InvalidValue: the due date is not within ``LOAN_DUE_DATE_WINDOW`` of today."""
    earliest, latest = today - LOAN_DUE_DATE_WINDOW, today + LOAN_DUE_DATE_WINDOW
    if not earliest <= due <= latest:
        raise InvalidValue(
            f"贷款到期日须在 {earliest.isoformat()} 至 {latest.isoformat()} 之间，请核对",
            code="loan_due_date_out_of_range",
        )


def check_submission(policy: Policy, facts: SubmissionFacts) -> list[Violation]:
    """Everything wrong with an application as submitted, all at once: amounts, R4 days and the due date, R7 against
    the planned own funds (when the amounts it needs are readable and sound), and a due date already passed."""
    found: list[Violation] = []
    amount, due, own = facts.requested_amount, facts.loan_amount_due, facts.own_funds_planned
    excluded = loan_type_violation(policy, facts.loan_type) if facts.loan_type is not None else None
    if excluded is not None:
        found.append(excluded)
    if amount is not None and not amount.is_positive:
        found.append(Violation("R1", "amount_not_positive", "申请金额必须大于零", "requested_amount"))
    if due is not None and not due.is_positive:
        found.append(Violation("R7", "loan_due_not_positive", "到期贷款本息必须大于零", "loan_amount_due"))
    if own is not None and own.is_negative:
        found.append(Violation("R7", "own_funds_negative", "自筹资金不能为负数", "own_funds_planned"))
    if facts.requested_days is not None:
        try:
            check_days(policy, facts.requested_days)
        except InvalidValue as exc:
            found.append(Violation("R4", exc.code, exc.message, "requested_days"))
    due_date_readable = facts.loan_due_date is not None
    if facts.loan_due_date is not None:
        try:
            check_loan_due_date(facts.loan_due_date, facts.today)
        except InvalidValue as exc:
            found.append(Violation("R4", exc.code, exc.message, "loan_due_date"))
            due_date_readable = False
    amounts_sound = (
        amount is not None
        and due is not None
        and own is not None
        and amount.is_positive
        and due.is_positive
        and not own.is_negative
    )
    if amounts_sound:
        assert amount is not None and due is not None and own is not None
        found += r7_own_funds(amount, due, own, "requested_amount", "own_funds_planned")
    passed = due_date_readable and facts.loan_due_date is not None and facts.loan_due_date < facts.today
    if passed and facts.loan_due_date is not None and not facts.loan_overdue:
        found.append(
            Violation(
                "R6",
                "loan_due_date_passed",
                f"贷款到期日 {facts.loan_due_date.isoformat()} 已过；如贷款已在银行逾期，请如实勾选“贷款已逾期”",
                "loan_due_date",
            )
        )
    return found


@dataclass(frozen=True)
class ReceivedMoney:
    received_on: date
    principal: Money
    fee: Money


@dataclass(frozen=True)
class Settlement:
    """Where a disbursed bridge stands against the money received (R2, R3, 第十八条)."""

    principal_due: Money
    principal_received: Money
    fee_due: Money  # fixed on the day the principal is all back; until then accrued to the day asked about
    fee_received: Money
    days: int
    principal_back_on: date | None

    @property
    def principal_outstanding(self) -> Money:
        return self.principal_due - self.principal_received

    @property
    def fee_outstanding(self) -> Money:
        return self.fee_due - self.fee_received

    @property
    def outstanding(self) -> Money:
        return self.principal_outstanding + self.fee_outstanding

    @property
    def settled(self) -> bool:
        return self.principal_back_on is not None and self.outstanding == Money.zero()


def settlement(
    policy: Policy, amount: Money, value_date: date, received: list[ReceivedMoney], as_of: date
) -> Settlement:
    """The bridge's account: the fee runs on the whole amount until the day the principal is all back (R2: the day
    the fund receives the money back), then it is fixed. A partial return does not shorten the fee."""
    principal = Money.zero()
    fee = Money.zero()
    back_on: date | None = None
    for item in sorted(received, key=lambda r: r.received_on):
        principal += item.principal
        fee += item.fee
        if back_on is None and principal >= amount:
            back_on = item.received_on
    end = back_on or as_of
    days = days_used(value_date, end)
    return Settlement(amount, principal, fee_for(policy, amount, days), fee, days, back_on)


def check_receipt(
    policy: Policy, amount: Money, value_date: date, earlier: list[ReceivedMoney], new: ReceivedMoney
) -> list[Violation]:
    """A return must not exceed what is owed: the principal outstanding, and the fee for the actual days."""
    found: list[Violation] = []
    if new.principal.is_negative or new.fee.is_negative or not (new.principal + new.fee).is_positive:
        return [Violation("R3", "receipt_not_positive", "收回的本金和费用不能为负，且合计须大于零", "principal")]
    before = settlement(policy, amount, value_date, earlier, new.received_on)
    if new.principal > before.principal_outstanding:
        found.append(
            Violation(
                "R3",
                "principal_exceeds_outstanding",
                f"收回本金 {new.principal.format()} 元超过未收回本金 {before.principal_outstanding.format()} 元",
                "principal",
            )
        )
        return found
    after = settlement(policy, amount, value_date, [*earlier, new], new.received_on)
    if after.fee_received > after.fee_due:
        found.append(
            Violation(
                "R3",
                "fee_exceeds_due",
                f"收取费用 {new.fee.format()} 元超过应收费用余额 {(after.fee_due - before.fee_received).format()} 元"
                f"（按实际使用 {after.days} 天计）",
                "fee",
            )
        )
    return found

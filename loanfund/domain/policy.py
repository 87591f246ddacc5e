"""Policy versions (R14): every number of R1–R9 as a parameter, never as code.

``LIANYUNGANG_2018`` is the one place where the 2018 regulation's numbers (连政办发〔2018〕162号) are written down.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from loanfund.domain.errors import InvalidValue
from loanfund.domain.money import Money

# No bridge fund charges more than 5‰ a day (over 180 % a year; 2018's highest rate is 0.45‰): a larger number is a
# typo. Rates are kept to at most four decimals of ‰.
MAX_DAILY_RATE_PERMILLE = Decimal("5")


def rate_problem(rate: Decimal) -> str | None:
    """Why a daily rate in ‰ cannot be a policy's (a message in Chinese), or None when it can."""
    if not rate.is_finite():
        return "须为有限的数字"
    if rate < 0:
        return "不能为负数"
    if rate > MAX_DAILY_RATE_PERMILLE:
        return f"日费率不能超过 {MAX_DAILY_RATE_PERMILLE}‰"
    if int(rate.as_tuple().exponent) < -4:
        return "最多保留四位小数"
    return None


class RateMode(StrEnum):
    """How the higher daily rate applies once the days used pass ``base_rate_days`` (R3)."""

    MARGINAL = "marginal"  # lower rate for the first days, higher rate for each day beyond (超出部分)
    WHOLE_PERIOD = "whole_period"  # higher rate for every day once the threshold is passed


@dataclass(frozen=True)
class RateBand:
    """One fee band (R1). The band covers amounts up to ``upper_bound``: included when ``upper_inclusive``.

    The last band has no upper bound. Rates are daily rates in permille (‰), e.g. ``Decimal("0.40")``.
    """

    upper_bound: Money | None
    upper_inclusive: bool
    base_rate_permille: Decimal
    extended_rate_permille: Decimal

    def contains_below_bound(self, amount: Money) -> bool:
        if self.upper_bound is None:
            return True
        if self.upper_inclusive:
            return amount <= self.upper_bound
        return amount < self.upper_bound


class LoanType(StrEnum):
    """The loan an application asks to renew (第三条; R16). The values are the API's ``loan_type``."""

    WORKING_CAPITAL = "working_capital"
    PROJECT = "project"
    ENTRUSTED = "entrusted"
    TRUST = "trust"
    UNDISCOUNTED_ACCEPTANCE = "undiscounted_acceptance"

    @property
    def label(self) -> str:
        return LOAN_TYPE_LABELS[self]

    @property
    def off_balance(self) -> bool:
        """表外融资: financing that is not a loan on the bank's books (第三条 excludes it)."""
        return self in OFF_BALANCE


LOAN_TYPE_LABELS = {
    LoanType.WORKING_CAPITAL: "流动资金贷款",
    LoanType.PROJECT: "项目贷款",
    LoanType.ENTRUSTED: "委托贷款",
    LoanType.TRUST: "信托贷款",
    LoanType.UNDISCOUNTED_ACCEPTANCE: "未贴现的银行承兑汇票",
}
OFF_BALANCE = frozenset({LoanType.ENTRUSTED, LoanType.TRUST, LoanType.UNDISCOUNTED_ACCEPTANCE})


@dataclass(frozen=True)
class Policy:
    """One policy version: the parameters of R1–R9 and R11, with the date it takes effect."""

    name: str
    effective_from: date
    bands: tuple[RateBand, ...]
    base_rate_days: int  # R3: days charged at the lower rate
    max_days: int  # R4: longest use, and the due date offset
    cap_ratio: Decimal  # R5: share of the bank's committed renewal amount (inclusive)
    group_threshold: Money  # R6: amounts strictly over this need the leading group
    group_for_overdue_loan: bool  # R6: a loan already overdue at the bank needs the leading group
    renewal_sla_days: int  # R9: days the bank has to renew after the bridge disbursement
    blacklist_years: int  # R11
    rate_mode: RateMode = RateMode.MARGINAL
    description: str = field(default="", compare=False)
    # R16 (第三条): the loans whose renewal the fund serves; a county's rules may differ
    loan_types: tuple[LoanType, ...] = (LoanType.WORKING_CAPITAL,)

    def __post_init__(self) -> None:
        if not self.bands or self.bands[-1].upper_bound is not None:
            raise ValueError("the last rate band must have no upper bound")
        bounds = [b.upper_bound for b in self.bands[:-1]]
        if any(b is None for b in bounds) or bounds != sorted(bounds):  # type: ignore[type-var]
            raise ValueError("rate band bounds must increase")
        for band in self.bands:
            for rate in (band.base_rate_permille, band.extended_rate_permille):
                problem = rate_problem(rate)
                if problem:
                    raise ValueError(f"rate {rate}: {problem}")
        if not self.cap_ratio.is_finite() or not (Decimal(0) < self.cap_ratio <= Decimal(1)):
            raise ValueError("cap ratio must be in (0, 1]")
        if self.base_rate_days < 0 or self.max_days < 1:
            raise ValueError("day limits must be positive")
        if not self.loan_types:
            raise ValueError("a policy serves at least one loan type")

    @property
    def cap_percent(self) -> str:
        """R5's ratio as people write it: ``Decimal("0.80")`` → ``"80"`` (no trailing zeros)."""
        return f"{(self.cap_ratio * 100).normalize():f}"

    def band_for(self, amount: Money) -> tuple[int, RateBand]:
        """The 1-based band number and band for a bridge amount (R1)."""
        for number, band in enumerate(self.bands, start=1):
            if band.contains_below_bound(amount):
                return number, band
        raise AssertionError("unreachable: the last band is unbounded")  # pragma: no cover

    # -- persistence form (policy versions are stored as rows; see services.policies) ----------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "effective_from": self.effective_from.isoformat(),
            "bands": [
                {
                    "upper_bound": None if b.upper_bound is None else b.upper_bound.plain(),
                    "upper_inclusive": b.upper_inclusive,
                    "base_rate_permille": str(b.base_rate_permille),
                    "extended_rate_permille": str(b.extended_rate_permille),
                }
                for b in self.bands
            ],
            "base_rate_days": self.base_rate_days,
            "max_days": self.max_days,
            "cap_ratio": str(self.cap_ratio),
            "group_threshold": self.group_threshold.plain(),
            "group_for_overdue_loan": self.group_for_overdue_loan,
            "renewal_sla_days": self.renewal_sla_days,
            "blacklist_years": self.blacklist_years,
            "rate_mode": self.rate_mode.value,
            "description": self.description,
            "loan_types": [t.value for t in self.loan_types],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Policy:
        try:
            return cls(
                name=data["name"],
                effective_from=date.fromisoformat(data["effective_from"]),
                bands=tuple(
                    RateBand(
                        upper_bound=None if b["upper_bound"] is None else Money.parse(b["upper_bound"]),
                        upper_inclusive=bool(b["upper_inclusive"]),
                        base_rate_permille=Decimal(b["base_rate_permille"]),
                        extended_rate_permille=Decimal(b["extended_rate_permille"]),
                    )
                    for b in data["bands"]
                ),
                base_rate_days=int(data["base_rate_days"]),
                max_days=int(data["max_days"]),
                cap_ratio=Decimal(data["cap_ratio"]),
                group_threshold=Money.parse(data["group_threshold"]),
                group_for_overdue_loan=bool(data["group_for_overdue_loan"]),
                renewal_sla_days=int(data["renewal_sla_days"]),
                blacklist_years=int(data["blacklist_years"]),
                rate_mode=RateMode(data.get("rate_mode", RateMode.MARGINAL.value)),
                description=data.get("description", ""),
                # versions stored before R16 served working-capital loans only (第三条)
                loan_types=tuple(LoanType(t) for t in data.get("loan_types", [LoanType.WORKING_CAPITAL.value])),
            )
        except (KeyError, TypeError, ValueError, InvalidValue) as exc:
            raise InvalidValue(f"政策版本参数不完整或有误：{exc}", code="policy_invalid") from exc


def band_labels(policy: Policy) -> list[str]:
    """Each rate band as the regulation words it: 单笔4000万元以下（含4000万元）, 单笔4000万元以上, 单笔1亿元以上."""
    labels = []
    for index, band in enumerate(policy.bands):
        if index == 0 and band.upper_bound is not None:
            bound = band.upper_bound.as_written()
            labels.append(f"单笔{bound}以下（{'含' if band.upper_inclusive else '不含'}{bound}）")
        elif index == 0:
            labels.append("不限金额")
        else:
            previous = policy.bands[index - 1].upper_bound
            assert previous is not None
            labels.append(f"单笔{previous.as_written()}以上")
    return labels


def policy_in_force(policies: list[Policy], on: date) -> Policy:
    """The version with the latest ``effective_from`` not after ``on`` (R14)."""
    candidates = [p for p in policies if p.effective_from <= on]
    if not candidates:
        raise InvalidValue(f"{on.isoformat()} 没有生效的政策版本", code="no_policy_in_force")
    return max(candidates, key=lambda p: p.effective_from)


# 连政办发〔2018〕162号 第十三、十四、十七、十八、二十二条. The regulation was issued on 2018-11-15 and takes effect
# on issue (第二十八条).
LIANYUNGANG_2018 = Policy(
    name="连政办发〔2018〕162号",
    effective_from=date(2018, 11, 15),
    bands=(
        # "单笔4000万元以下（含4000万元）": 4000万 itself is in the first band.
        RateBand(Money.yuan(40_000_000), True, Decimal("0.40"), Decimal("0.45")),
        # "单笔1亿元以上": 以上 includes the number (民法典第一千二百五十九条), so exactly 1亿 is in the third band.
        RateBand(Money.yuan(100_000_000), False, Decimal("0.30"), Decimal("0.35")),
        RateBand(None, False, Decimal("0.20"), Decimal("0.25")),
    ),
    base_rate_days=2,
    max_days=10,
    cap_ratio=Decimal("0.80"),
    # "超过4000万元的大额资金使用申请": 超过 excludes the number.
    group_threshold=Money.yuan(40_000_000),
    group_for_overdue_loan=True,
    renewal_sla_days=2,
    blacklist_years=3,
    rate_mode=RateMode.MARGINAL,
    description="连云港市中小企业应急转贷资金管理暂行办法（2018）",
)

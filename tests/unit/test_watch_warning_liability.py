"""The domain's watch (R4, R9, R15), early warnings (第二十条) and bank liability (R12, 第二十三条) from literal tables
(issue 26: these three modules had no unit tests of their own). The 2018 policy: due 10 days after the money goes
out, the bank renews within 2 days. A bridge of 10,000,000.00 out on 2 Nov 2026: due 12 Nov, renewal deadline 4 Nov.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from loanfund.domain.liability import ClaimFacts, bank_breaches, claim_violation
from loanfund.domain.money import Money
from loanfund.domain.policy import LIANYUNGANG_2018 as POLICY
from loanfund.domain.rules import Settlement
from loanfund.domain.warning import Risk, Thresholds, concentration, concentration_floor, share, utilisation
from loanfund.domain.warning import bridge_warnings as warnings_of
from loanfund.domain.watch import BridgeFacts, Finding, renewal_deadline, watch

M = Money.parse
OUT_ON = date(2026, 11, 2)
TEN_MILLION = M("10,000,000.00")


def day(n: int) -> date:
    return date(2026, 11, n)


def account(days: int, principal_back: str = "0.00", fee_due: str = "40,000.00", fee_back: str = "0.00") -> Settlement:
    back = M(principal_back)
    return Settlement(TEN_MILLION, back, M(fee_due), M(fee_back), days, day(12) if back == TEN_MILLION else None)


def bridge(
    days: int, *, renewed: bool = True, renewed_amount: str | None = "10,000,000.00", receipts: int = 0, **money: str
) -> BridgeFacts:
    renewed_to = M(renewed_amount) if renewed and renewed_amount is not None else None
    return BridgeFacts(OUT_ON, renewed, TEN_MILLION, renewed_to, account(days, **money), receipts)


def test_the_renewal_deadline_is_two_days_after_the_money_goes_out():
    assert renewal_deadline(POLICY, OUT_ON) == day(4)


@pytest.mark.parametrize(
    ("today", "facts", "expected"),
    [
        (day(3), bridge(1, renewed=False), []),
        (day(4), bridge(2, renewed=False), [(Finding.RENEWAL_DUE, "renewal-due:2026-11-04")]),
        (day(5), bridge(3, renewed=False), [(Finding.RENEWAL_LATE, "renewal-late")]),
        (day(10), bridge(8), []),
        (day(11), bridge(9), [(Finding.DUE_TOMORROW, "due-tomorrow:2026-11-11")]),
        (day(12), bridge(10), [(Finding.DUE_TODAY, "due-today:2026-11-12")]),
        (day(13), bridge(11), [(Finding.OVERDUE, "overdue")]),
        (day(13), bridge(11, renewed=False), [(Finding.OVERDUE, "overdue"), (Finding.RENEWAL_LATE, "renewal-late")]),
        (day(6), bridge(4, renewed_amount="8,000,000.00"), [(Finding.RENEWAL_SHORT, "renewal-short")]),
        (
            day(8),
            bridge(6, receipts=1, principal_back="4,000,000.00"),
            [(Finding.RETURN_SHORTFALL, "return-shortfall:604000000")],
        ),
        (day(13), bridge(10, receipts=1, principal_back="10,000,000.00", fee_back="40,000.00"), []),
    ],
    ids=[
        "before-deadline",
        "deadline-day",
        "deadline-passed",
        "renewed-quiet",
        "due-tomorrow",
        "due-today",
        "overdue",
        "overdue-and-not-renewed",
        "renewed-short",
        "partly-back",
        "all-back",
    ],
)
def test_what_the_watch_finds_each_day(today, facts, expected):
    assert [(f.finding, f.key) for f in watch(POLICY, facts, today)] == expected


def test_the_watch_says_why_with_its_numbers():
    late = watch(POLICY, bridge(3, renewed=False), day(5))
    assert [f.why for f in late] == [
        "转贷资金于 2026-11-02 放出，银行应于 2026-11-04 前续贷放款，截至 2026-11-05 已逾期 1 天未确认续贷"
    ]
    short = watch(POLICY, bridge(4, renewed_amount="8,000,000.00"), day(6))
    assert [f.why for f in short] == ["银行承诺续贷 10,000,000.00 元，实际续贷 8,000,000.00 元，少 2,000,000.00 元"]
    partly = watch(POLICY, bridge(6, receipts=1, principal_back="4,000,000.00"), day(8))
    assert [f.why for f in partly] == [
        "已收回本金 4,000,000.00 元、费用 0.00 元，尚差本金 6,000,000.00 元、费用 40,000.00 元"
    ]
    assert Finding.OVERDUE.is_condition and not Finding.DUE_TODAY.is_condition


@pytest.mark.parametrize(
    ("today", "days", "requested", "expected"),
    [
        (day(8), 6, 10, []),  # four days left: not yet
        (day(9), 7, 10, [(Risk.DUE_SOON, "3 天后（2026-11-12）到期，尚未收回本金 10,000,000.00 元")]),
        (
            day(12),
            10,
            5,
            [
                (Risk.DUE_SOON, "今日（2026-11-12）到期，尚未收回本金 10,000,000.00 元"),
                (Risk.OUT_TOO_LONG, "申请用款 5 天，已用款 10 天"),
            ],
        ),
    ],
)
def test_a_bridge_out_warns_when_due_soon_and_when_out_longer_than_asked(today, days, requested, expected):
    found = warnings_of(POLICY, bridge(days), requested, today, Thresholds(), "YJ-2026-0001", 7)
    assert [(w.risk, w.why) for w in found] == expected
    assert all((w.subject, w.application_id) == ("YJ-2026-0001", 7) for w in found)


def test_a_bridge_overdue_and_not_renewed_warns_of_both_and_one_all_back_of_nothing():
    overdue = warnings_of(POLICY, bridge(11, renewed=False), 10, day(13), Thresholds(), "YJ-2026-0001", 7)
    assert [w.risk for w in overdue] == [Risk.OUT_TOO_LONG, Risk.OVERDUE, Risk.RENEWAL_LATE]
    back = bridge(10, receipts=1, principal_back="10,000,000.00", fee_back="40,000.00")
    assert warnings_of(POLICY, back, 5, day(13), Thresholds(), "YJ-2026-0001", 7) == []


@pytest.mark.parametrize(
    ("part", "whole", "percent"),
    [("1.00", "3.00", "33.3"), ("2.00", "3.00", "66.7"), ("0.05", "1000.00", "0.0"), ("1.00", "0.00", "0")],
)
def test_a_share_is_a_percentage_to_one_decimal_half_up(part, whole, percent):
    assert share(M(part), M(whole)) == Decimal(percent)


def test_concentration_warns_above_the_line_not_at_it():
    out = {"海州机械": M("400,000.00"), "东海硅材": M("300,000.00"), "赣榆水产": M("300,000.00")}
    found = concentration(out, "企业", Thresholds())
    assert [(w.risk, w.subject, w.why) for w in found] == [
        (
            Risk.CONCENTRATION,
            "海州机械",
            "该企业在外资金 400,000.00 元，占全部在外资金 1,000,000.00 元的 40.0%（预警线 30%）",
        )
    ]


@pytest.mark.parametrize(
    ("held", "flagged"),
    [
        ("299,999.99", False),  # 29.9999… % rounds to 30.0 %: at the line, not above it
        ("300,000.00", False),  # the floor itself: 30.0 %
        ("300,499.99", False),  # 30.04999… % rounds to 30.0 %
        ("300,500.00", True),  # 30.05 % rounds to 30.1 %
        ("400,000.00", True),
    ],
)
def test_only_a_party_at_the_floor_or_above_can_be_flagged(held, flagged):
    """Issue 28: the risk page asks the database only for the parties at or above the floor (30 % of 1,000,000.00
    is 300,000.00), and passes the total of every party beside them."""
    total = M("1,000,000.00")
    assert concentration_floor(total, Thresholds()) == M("300,000.00")
    found = concentration({"海州机械": M(held)}, "企业", Thresholds(), total)
    assert bool(found) is flagged
    assert not found or M(held) >= concentration_floor(total, Thresholds())


def test_utilisation_warns_above_the_line_not_at_it():
    above = utilisation(M("600,000.00"), M("250,000.00"), M("400,000.00"), Thresholds())
    assert [(w.risk, w.subject, w.why) for w in above] == [
        (
            Risk.UTILISATION,
            "专用账户",
            "在外 600,000.00 元、已批准待放款 250,000.00 元，合计占资金总额 1,000,000.00 元的 85.0%（预警线 80%）",
        )
    ]
    assert utilisation(M("600,000.00"), M("200,000.00"), M("400,000.00"), Thresholds()) == []  # exactly 80.0%


def claim(renewed_on: date | None, renewed: str | None, principal_back: str = "0.00") -> ClaimFacts:
    return ClaimFacts(OUT_ON, TEN_MILLION, renewed_on, M(renewed) if renewed else None, account(11, principal_back))


@pytest.mark.parametrize(
    ("facts", "today", "breaches", "refusal"),
    [
        (claim(None, None), day(12), ["未在 2026-11-04 前续贷（截至 2026-11-12 仍未续贷）"], "fund_not_late"),
        (claim(None, None), day(13), ["未在 2026-11-04 前续贷（截至 2026-11-13 仍未续贷）"], None),
        (claim(day(4), "10,000,000.00"), day(13), [], "bank_not_in_breach"),
        (claim(day(5), "10,000,000.00"), day(13), ["应于 2026-11-04 前续贷，实际 2026-11-05 续贷"], None),
        (
            claim(day(3), "9,000,000.00"),
            day(13),
            ["承诺续贷 10,000,000.00 元，实际续贷 9,000,000.00 元"],
            None,
        ),
        (
            claim(None, None, principal_back="10,000,000.00"),
            day(13),
            ["未在 2026-11-04 前续贷（截至 2026-11-13 仍未续贷）"],
            "fund_not_late",
        ),
    ],
    ids=["not-yet-overdue", "not-renewed", "renewed-in-time-and-full", "renewed-late", "renewed-short", "all-back"],
)
def test_the_bank_is_liable_only_when_the_fund_is_late_and_the_bank_broke_its_commitment(
    facts, today, breaches, refusal
):
    assert bank_breaches(POLICY, facts, today) == breaches
    violation = claim_violation(POLICY, facts, today)
    assert (violation.code if violation else None) == refusal
    if violation is not None:
        assert violation.rule == "R12"

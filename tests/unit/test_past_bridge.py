"""A past bridge of the 台账 against the policy of its day (issue 29): each boundary of the 2018 rules written out —
R5's 80 % of the renewal (以内: the exact product allowed, a fen more refused), the bridge within the loan due, the
principal all back, the fee to the fen (0.40‰ a day for 2 days, 0.45‰ beyond), the dates' order (equal days allowed),
nothing of today or later, no large enterprise — and the special account never below zero with the past booked."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from loanfund.domain.eligibility import Size
from loanfund.domain.money import Money
from loanfund.domain.past_bridge import Finding, PastBridge, check, first_short_day
from loanfund.domain.policy import LIANYUNGANG_2018

M = Money.parse
TODAY = date(2026, 12, 7)
# 800,000.00 for 5 days: 800,000 × (2 × 0.40‰ + 3 × 0.45‰) = 800,000 × 2.15‰ = 1,720.00
GOOD = PastBridge(
    loan_due=M("1,000,000.00"),
    amount=M("800,000.00"),
    value_date=date(2020, 3, 2),
    renewed_on=date(2020, 3, 3),
    new_loan=M("1,000,000.00"),
    received_on=date(2020, 3, 7),
    principal=M("800,000.00"),
    fee=M("1,720.00"),
    size=Size.SMALL,
)


def findings(**changed: object) -> list[tuple[str, str]]:
    return [(f.field, f.message) for f in check(replace(GOOD, **changed), LIANYUNGANG_2018, TODAY)]


def test_a_bridge_as_the_rules_say_has_no_finding():
    assert findings() == []


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        # R5: 80 % of 1,000,000.00 is 800,000.00 — allowed; of 999,999.99 it is 799,999.992 — 800,000.00 is over it
        (
            {"new_loan": M("999,999.99")},
            [
                (
                    "amount",
                    "转贷金额超过连政办发〔2018〕162号的上限：新贷款 999,999.99 元的 80% 为 799,999.99 元（第五条）",
                )
            ],
        ),
        ({"loan_due": M("799,999.99")}, [("amount", "转贷金额超过到期贷款金额 799,999.99 元")]),
        ({"loan_due": M("800,000.00")}, []),
        ({"principal": M("799,999.99")}, [("principal", "收回本金 799,999.99 元与转贷金额 800,000.00 元不符")]),
        (
            {"fee": M("1,719.99")},
            [
                (
                    "fee",
                    "用款费用应为 1,720.00 元（连政办发〔2018〕162号，用款 5 天），台账为 1,719.99 元，相差 -0.01 元",
                )
            ],
        ),
        # 2 days: the base rate only, 800,000 × 0.80‰ = 640.00
        ({"received_on": date(2020, 3, 4), "fee": M("640.00")}, []),
        ({"renewed_on": date(2020, 3, 2)}, []),  # renewed the day it went out
        ({"renewed_on": date(2020, 3, 7)}, []),  # renewed the day the money came back
        ({"renewed_on": date(2020, 3, 1)}, [("renewed_on", "续贷日期早于放款日期 2020-03-02")]),
        ({"received_on": date(2020, 3, 2)}, [("received_on", "归还日期早于续贷日期 2020-03-03")]),
        ({"size": Size.LARGE}, [("size", "大型企业不在应急转贷资金支持范围内（第八条）")]),
        ({"size": Size.MICRO}, []),
        (
            {"value_date": TODAY, "renewed_on": TODAY, "received_on": TODAY},
            [("value_date", "放款日期须早于今天：只导入已经结清的往年业务"), ("received_on", "归还日期须早于今天")],
        ),
        ({"amount": M("0.00"), "principal": M("0.00")}, [("amount", "转贷金额必须大于零")]),
    ],
)
def test_each_boundary_of_the_rules_in_force(changed, expected):
    assert findings(**changed) == expected


def test_the_findings_are_values():
    assert check(replace(GOOD, size=Size.LARGE), LIANYUNGANG_2018, TODAY) == [
        Finding("size", "大型企业不在应急转贷资金支持范围内（第八条）")
    ]


D = date


@pytest.mark.parametrize(
    ("closing", "moves", "expected"),
    [
        # 1,000.00 in the books since 1 March; 800.00 out on the 2nd and 801.00 back on the 7th: never short
        ({D(2020, 3, 2): M("1,000.00")}, {D(2020, 3, 2): M("-800.00"), D(2020, 3, 7): M("801.00")}, None),
        # exactly the cash: zero is not short
        ({D(2020, 3, 2): M("800.00")}, {D(2020, 3, 2): M("-800.00"), D(2020, 3, 7): M("801.00")}, None),
        # a fen more than the cash on the day it goes out
        (
            {D(2020, 3, 2): M("800.00")},
            {D(2020, 3, 2): M("-800.01"), D(2020, 3, 7): M("801.00")},
            (D(2020, 3, 2), M("-0.01")),
        ),
        # the books pay 500.00 out on the 5th (closing 500.00 from then): the bridge still out makes that day short
        (
            {D(2020, 3, 2): M("1,000.00"), D(2020, 3, 5): M("500.00")},
            {D(2020, 3, 2): M("-800.00"), D(2020, 3, 7): M("801.00")},
            (D(2020, 3, 5), M("-300.00")),
        ),
    ],
)
def test_the_first_day_the_account_would_go_below_zero(closing, moves, expected):
    days = closing.keys() | moves.keys()
    filled = {}
    last = Money.zero()
    for day in sorted(days):  # the books' closing on every day asked, carried over the days they do not move
        last = closing.get(day, last)
        filled[day] = last
    assert first_short_day(filled, moves) == expected

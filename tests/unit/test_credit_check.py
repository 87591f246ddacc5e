"""第八条 as the reviewer's findings decide it (domain.credit): the boundaries, every missing finding at once, and which
findings send the application to the leading group."""

from __future__ import annotations

from datetime import date

import pytest

from loanfund.domain import credit
from loanfund.domain.money import Money
from loanfund.domain.policy import LIANYUNGANG_2018
from loanfund.domain.rules import group_approval_reasons

TODAY = date(2026, 11, 1)


def check(**changes: object) -> credit.CreditCheck:
    values: dict[str, object] = {
        "report_date": TODAY,
        "adverse": "none",
        "industry": "fits",
        "operating": "good",
        "conclusion": "征信正常",
    }
    return credit.CreditCheck(**(values | changes))  # type: ignore[arg-type]


def test_nothing_given_names_every_finding_at_once() -> None:
    empty = credit.CreditCheck(None, "", "", "", " ")
    assert credit.check_problems(empty, TODAY) == {
        "credit_report_date": "请填写征信报告日期",
        "credit_adverse": "请选择不良信用记录情况",
        "credit_industry": "请选择是否符合产业政策",
        "credit_operating": "请选择运营状况",
        "credit_check_note": "请填写审查结论",
    }


def test_an_unknown_finding_is_not_read_as_one() -> None:
    assert credit.check_problems(check(adverse="maybe", operating="GOOD"), TODAY) == {
        "credit_adverse": "请选择不良信用记录情况",
        "credit_operating": "请选择运营状况",
    }


def test_a_report_dated_tomorrow_is_refused_next_to_its_date() -> None:
    assert credit.check_problems(check(report_date=date(2026, 11, 2)), TODAY) == {
        "credit_report_date": "征信报告日期不能晚于今天（2026-11-01）"
    }


@pytest.mark.parametrize(
    ("report_date", "refused"),
    [
        (date(2026, 11, 1), False),  # today's
        (date(2026, 10, 2), False),  # 30 days old: still the enterprise as it is
        (date(2026, 10, 1), True),  # 31 days: query again
    ],
)
def test_the_report_is_at_most_thirty_days_old(report_date: date, refused: bool) -> None:
    found = credit.refusals(check(report_date=report_date), TODAY)
    if refused:
        assert [(v.rule, v.code, v.field, v.message) for v in found] == [
            (
                "R10",
                "credit_report_stale",
                "credit_report_date",
                "征信报告日期为 2026-10-01，已超过 30 天，请重新查询后再受理",
            )
        ]
    else:
        assert found == []


def test_outside_the_industrial_policy_and_not_operating_well_are_both_refused_in_the_articles_words() -> None:
    found = credit.refusals(check(industry="outside", operating="poor"), TODAY)
    assert [(v.rule, v.field, v.message) for v in found] == [
        ("R10", "credit_industry", "企业不符合国家和省、市产业发展政策或支持的方向，不予受理（第八条）"),
        ("R10", "credit_operating", "企业运营状况不佳，不符合“运营状况良好”的条件，不予受理（第八条）"),
    ]


@pytest.mark.parametrize(
    ("adverse", "group"),
    [("none", False), ("resolved", False), ("current", True)],
)
def test_only_a_bad_record_still_outstanding_goes_to_the_group(adverse: str, group: bool) -> None:
    assert credit.refusals(check(adverse=adverse), TODAY) == []  # accepted: the group, not the reviewer, decides
    assert credit.needs_group(adverse) is group
    reasons = group_approval_reasons(LIANYUNGANG_2018, Money.parse("1,000,000.00"), False, credit.needs_group(adverse))
    assert reasons == (("征信有未结清的不良记录",) if group else ())


def test_the_findings_in_words() -> None:
    assert credit.findings("resolved", "fits", "good") == "有不良记录，已结清；符合产业发展政策；运营状况良好"
    assert credit.findings(None, None, None) == ""

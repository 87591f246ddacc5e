"""The monthly analysis (第二十一条; DESIGN §6) built from a known month: every total against figures worked out by
hand in ``tests.flows.november_2026``, and the money figures against the ledger's own to the fen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import BigInteger, func, select

from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import JournalEntry, JournalLeg, LedgerAccount
from loanfund.services.reports import reporting
from tests.factories import city_fund

M = Money.parse


@pytest.fixture
def month(november):  # type: ignore[no-untyped-def]
    return november


def lines(report: reporting.Report, key: str) -> dict[str, tuple[int, str, int, str]]:
    return {
        line.label: (line.submitted, line.requested.format(), line.disbursed_count, line.disbursed.format())
        for line in report.breakdown(key).lines
    }


@pytest.mark.both_databases
def test_the_month_in_figures(month: dict[str, int]) -> None:
    report = reporting.report(city_fund(), date(2026, 11, 1), date(2026, 11, 30))
    s = report.summary
    assert report.title == "2026年11月"
    assert (s.submitted, s.requested) == (5, M("55,000,000.00"))
    assert (s.bridges, s.disbursed) == (3, M("48,000,000.00"))
    assert s.returned == M("40,000,000.00")
    assert s.fee_income == M("59,000.00")  # 37,500.00 + 21,500.00
    assert (s.closed, s.days_total, s.days_longest, s.days_average) == (2, 8, 5, Decimal("4.0"))

    # the bridges out in November by their state at its end, as every other table counts them (A1, A2, A3)
    assert lines(report, "state") == {
        "已批准": (1, "2,000,000.00", 0, "0.00"),  # A5 went out on 1 December: approved at the month's end
        "已收回": (1, "10,000,000.00", 1, "10,000,000.00"),
        "已归档": (1, "30,000,000.00", 1, "30,000,000.00"),
        "不予受理": (1, "5,000,000.00", 0, "0.00"),
        "追偿中": (1, "8,000,000.00", 1, "8,000,000.00"),
    }
    assert lines(report, "bank") == {
        "中国工商银行连云港分行": (3, "40,000,000.00", 2, "38,000,000.00"),
        "江苏银行连云港分行": (2, "15,000,000.00", 1, "10,000,000.00"),
    }
    assert lines(report, "district") == {
        "海州区": (2, "35,000,000.00", 1, "30,000,000.00"),
        "赣榆区": (2, "12,000,000.00", 1, "10,000,000.00"),
        "东海县": (1, "8,000,000.00", 1, "8,000,000.00"),
    }
    assert lines(report, "size") == {
        "大型企业": (0, "0.00", 0, "0.00"),
        "中型企业": (2, "35,000,000.00", 1, "30,000,000.00"),
        "小型企业": (1, "8,000,000.00", 1, "8,000,000.00"),
        "微型企业": (2, "12,000,000.00", 1, "10,000,000.00"),
    }
    assert lines(report, "industry") == {
        "工业": (3, "43,000,000.00", 2, "38,000,000.00"),
        "批发业": (2, "12,000,000.00", 1, "10,000,000.00"),
    }
    assert lines(report, "loan_type") == {"流动资金贷款": (5, "55,000,000.00", 3, "48,000,000.00")}  # R16
    for key in ("state", "bank", "district", "size", "industry", "loan_type"):
        total = report.breakdown(key).total
        assert (total.submitted, total.requested, total.disbursed_count, total.disbursed) == (
            5,
            M("55,000,000.00"),
            3,
            M("48,000,000.00"),
        ), key


@pytest.mark.both_databases
def test_the_comparisons(month: dict[str, int]) -> None:
    report = reporting.report(city_fund(), date(2026, 11, 1), date(2026, 11, 30))
    october, a_year_ago = report.previous, report.last_year
    assert (october.start, october.end) == (date(2026, 10, 1), date(2026, 10, 31))
    assert (october.submitted, october.requested, october.bridges, october.disbursed) == (
        1,
        M("4,000,000.00"),
        1,
        M("4,000,000.00"),
    )
    assert (october.returned, october.fee_income, october.closed, october.days_average) == (
        M("4,000,000.00"),
        M("5,000.00"),
        1,
        Decimal("3.0"),
    )
    assert (a_year_ago.start, a_year_ago.end) == (date(2025, 11, 1), date(2025, 11, 30))
    assert (a_year_ago.submitted, a_year_ago.disbursed, a_year_ago.fee_income) == (0, Money(0), Money(0))


@pytest.mark.both_databases
def test_the_fund_day_by_day(month: dict[str, int]) -> None:
    days = {d.day: d for d in reporting.report(city_fund(), date(2026, 11, 1), date(2026, 11, 30)).days}
    assert len(days) == 30

    def at(day: int) -> tuple[str, str, str, Decimal]:
        d = days[date(2026, 11, day)]
        return d.cash.format(), d.reserved.format(), d.out.format(), d.utilisation

    # 200,000,000.00 contributed in 2018 and October's fee of 5,000.00
    assert at(1) == ("200,005,000.00", "0.00", "0.00", Decimal("0.0"))
    assert at(2) == ("170,005,000.00", "0.00", "30,000,000.00", Decimal("15.0"))
    assert at(5) == ("200,042,500.00", "0.00", "0.00", Decimal("0.0"))
    assert at(9) == ("190,042,500.00", "0.00", "10,000,000.00", Decimal("5.0"))
    assert at(14) == ("200,064,000.00", "0.00", "0.00", Decimal("0.0"))
    assert at(16) == ("192,064,000.00", "0.00", "8,000,000.00", Decimal("4.0"))
    assert at(25) == ("192,064,000.00", "2,000,000.00", "8,000,000.00", Decimal("5.0"))
    assert at(30) == ("192,064,000.00", "2,000,000.00", "8,000,000.00", Decimal("5.0"))


@pytest.mark.both_databases
def test_overdue_and_banks_in_breach(month: dict[str, int]) -> None:
    report = reporting.report(city_fund(), date(2026, 11, 1), date(2026, 11, 30))
    (late,) = report.overdue
    assert late.application_id == month["A3"]
    assert (late.enterprise, late.bank) == ("东海县晶华硅材料有限公司", "中国工商银行连云港分行")
    assert (late.value_date, late.due, late.days_overdue, late.outstanding) == (
        date(2026, 11, 16),
        date(2026, 11, 26),
        4,
        M("8,000,000.00"),
    )
    assert (late.state, late.cause, late.plan) == ("追偿中", "企业下游货款未到", "约谈企业，督促筹款")
    assert late.steps == ["2026年11月28日 向担保人发出催收函"]
    (jsb,) = report.breaches
    assert jsb.bank == "江苏银行连云港分行"
    assert jsb.renewals_late == [
        f"ZD2026{month['A2']:05d}（起息 2026年11月9日，最迟 2026年11月11日，2026年11月13日续贷）"
    ]
    assert (jsb.claims, jsb.claimed) == ([], Money(0))
    # in October nothing was overdue at the month's end and every renewal was on time
    october = reporting.report(city_fund(), date(2026, 10, 1), date(2026, 10, 31))
    assert (october.overdue, october.breaches) == ([], [])


def ledger_total(code_like: str, column: str, start: date, end: date) -> Money:
    leg = getattr(JournalLeg, column)
    total = db.session.scalar(
        select(func.coalesce(func.sum(leg), 0, type_=BigInteger()))
        .join(LedgerAccount, JournalLeg.account_id == LedgerAccount.id)
        .join(JournalEntry, JournalLeg.entry_id == JournalEntry.id)
        .where(LedgerAccount.code.like(code_like), JournalEntry.posted_on.between(start, end))
    )
    return Money(int(total))


@pytest.mark.both_databases
def test_money_agrees_with_the_ledger(month: dict[str, int]) -> None:
    start, end = date(2026, 11, 1), date(2026, 11, 30)
    s = reporting.report(city_fund(), start, end).summary
    assert s.fee_income == ledger_total("fee_income", "credit", start, end) - ledger_total(
        "fee_income", "debit", start, end
    )
    assert s.disbursed == ledger_total("receivable:%", "debit", start, end)
    assert s.disbursed == ledger_total("cash", "credit", start, end)  # nothing else left the account
    assert s.returned + s.fee_income == ledger_total("cash", "debit", start, end)


def test_a_report_survives_json(month: dict[str, int]) -> None:
    report = reporting.report(city_fund(), date(2026, 11, 1), date(2026, 11, 30))
    again = reporting.Report.from_json(report.to_json())
    assert again == report
    assert again.to_json() == report.to_json()


@pytest.mark.both_databases
def test_a_month_not_yet_ended_is_reported_up_to_today_as_things_stand(flows, traveller) -> None:
    """16 November 2026: ent1's 30,000,000.00 out on 1 November is due back on 11 November and its bank was due to
    renew by 3 November; a 5,000,000.00 bridge out on 15 November has until 17 November to be renewed. Nothing that
    has not happened yet is shown: the days up to today, overdue 5 days (not counted to the 30th), and only the
    renewal whose deadline has passed."""
    first = flows.to(State.DISBURSED)
    traveller.move_to("2026-11-15 10:00:00+08:00")
    flows.to(State.DISBURSED, amount="5,000,000.00", loan_due="6,000,000.00", own_funds="1,000,000.00")
    traveller.move_to("2026-11-16 10:00:00+08:00")

    report = reporting.report(city_fund(), date(2026, 11, 1), date(2026, 11, 30))
    assert (report.as_of, report.through) == (date(2026, 11, 16), date(2026, 11, 16))
    assert [d.day for d in report.days] == [date(2026, 11, day) for day in range(1, 17)]
    (late,) = report.overdue
    assert (late.application_id, late.due, late.days_overdue) == (first.id, date(2026, 11, 11), 5)
    (icbc,) = report.breaches
    assert icbc.renewals_late == [
        f"ZD2026{first.id:05d}（起息 2026年11月1日，最迟 2026年11月3日，截至2026年11月16日仍未续贷）"
    ]
    assert (report.previous.start, report.previous.end) == (date(2026, 10, 1), date(2026, 10, 16))
    assert (report.last_year.start, report.last_year.end) == (date(2025, 11, 1), date(2025, 11, 16))
    assert (report.summary.bridges, report.summary.disbursed) == (2, M("35,000,000.00"))
    assert lines(report, "state")["已放款"] == (2, "35,000,000.00", 2, "35,000,000.00")

    traveller.move_to("2026-11-18 10:00:00+08:00")  # the second bank's deadline (17 November) has passed now
    later = reporting.report(city_fund(), date(2026, 11, 1), date(2026, 11, 30))
    assert [len(b.renewals_late) for b in later.breaches] == [2]
    assert later.overdue[0].days_overdue == 7
    assert len(later.days) == 18


def test_a_month_ahead_shows_nothing_yet(flows, traveller) -> None:
    flows.to(State.DISBURSED)
    report = reporting.report(city_fund(), date(2026, 12, 1), date(2026, 12, 31))
    assert (report.days, report.overdue, report.breaches) == ([], [], [])
    assert report.summary.disbursed == Money(0)


def test_a_revision_filed_before_the_new_fields_still_reads(month: dict[str, int]) -> None:
    """Monthly reports filed before issue 23 have no as_of, fee_distributed or claim: they read with the defaults."""
    stored = reporting.report(city_fund(), date(2026, 11, 1), date(2026, 11, 30)).to_json()
    del stored["as_of"]
    for key in ("summary", "previous", "last_year"):
        del stored[key]["fee_distributed"]
    for line in stored["overdue"]:
        del line["claim"]
    again = reporting.Report.from_json(stored)
    assert (again.as_of, again.summary.fee_distributed, again.overdue[0].claim) == (None, Money(0), "")
    assert again.summary.fee_income == M("59,000.00")

"""Each day's totals by line and kind of entry (issue 28), kept by every posting: the month of ``flows.november_2026``
(A1 30,000,000.00 out 2 Nov and back 5 Nov with a fee of 37,500.00; A2 10,000,000.00 out 9 Nov, back 14 Nov with
21,500.00; A3 8,000,000.00 out 16 Nov), written out; the full reconciliation names a day that differs from the legs."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import LedgerDay
from loanfund.services.books import ledger
from loanfund.services.books.reconcile import reconcile
from tests.factories import city_fund_id
from tests.flows import november_2026

pytestmark = pytest.mark.both_databases

M = Money.parse


def test_each_posting_adds_to_its_days_line_and_kind(people, traveller):
    november_2026(traveller)
    rows = {
        (r.day, r.line, r.kind): (r.debit, r.credit, r.entries)
        for r in db.session.scalars(
            select(LedgerDay).where(
                LedgerDay.fund_id == city_fund_id(),
                LedgerDay.day >= date(2026, 11, 1),
                LedgerDay.day <= date(2026, 11, 30),
            )
        )
    }
    assert rows == {
        (date(2026, 11, 2), "cash", "disbursement"): (M("0.00"), M("30,000,000.00"), 1),
        (date(2026, 11, 2), "receivable", "disbursement"): (M("30,000,000.00"), M("0.00"), 1),
        (date(2026, 11, 5), "cash", "return"): (M("30,037,500.00"), M("0.00"), 1),
        (date(2026, 11, 5), "receivable", "return"): (M("0.00"), M("30,000,000.00"), 1),
        (date(2026, 11, 5), "fee_income", "return"): (M("0.00"), M("37,500.00"), 1),
        (date(2026, 11, 9), "cash", "disbursement"): (M("0.00"), M("10,000,000.00"), 1),
        (date(2026, 11, 9), "receivable", "disbursement"): (M("10,000,000.00"), M("0.00"), 1),
        (date(2026, 11, 14), "cash", "return"): (M("10,021,500.00"), M("0.00"), 1),
        (date(2026, 11, 14), "receivable", "return"): (M("0.00"), M("10,000,000.00"), 1),
        (date(2026, 11, 14), "fee_income", "return"): (M("0.00"), M("21,500.00"), 1),
        (date(2026, 11, 16), "cash", "disbursement"): (M("0.00"), M("8,000,000.00"), 1),
        (date(2026, 11, 16), "receivable", "disbursement"): (M("8,000,000.00"), M("0.00"), 1),
    }
    assert ledger.day_differences(city_fund_id()) == []


def test_a_day_that_differs_from_the_legs_is_named_by_the_full_reconciliation(people, traveller):
    november_2026(traveller)
    db.session.execute(
        update(LedgerDay)
        .where(LedgerDay.day == date(2026, 11, 5), LedgerDay.line == "fee_income")
        .values(credit=M("37,400.00"))
    )
    db.session.commit()
    [check] = [c for c in reconcile(city_fund_id()).checks if c.name.startswith("每日科目发生额")]
    assert (check.expected, check.actual, check.detail) == (0, 1, "2026-11-05 fee_income return")


def test_the_reservations_are_kept_by_the_day_they_are_made_and_given_back(people, traveller):
    """A5's 2,000,000.00 approved 25 Nov is reserved until it goes out on 1 Dec; A1, A2 and A3 went out the day they
    were approved. The report's days read those kept rows; a kept day that differs from the record is named."""
    from loanfund.models import ReservedDay
    from loanfund.services.books import reserved
    from loanfund.services.reports import reporting

    november_2026(traveller)
    fund_id = city_fund_id()
    assert reserved.moves(fund_id, date(2026, 11, 1), date(2026, 11, 30)) == {
        None: 0,
        date(2026, 11, 2): 0,
        date(2026, 11, 9): 0,
        date(2026, 11, 16): 0,
        date(2026, 11, 25): 200_000_000,
    }
    days = {d.day: d.reserved for d in reporting.daily(fund_id, date(2026, 11, 24), date(2026, 12, 1))}
    assert days[date(2026, 11, 24)] == M("0.00")
    assert days[date(2026, 11, 25)] == days[date(2026, 11, 30)] == M("2,000,000.00")
    assert days[date(2026, 12, 1)] == M("0.00")
    assert reserved.differences(fund_id) == []
    db.session.execute(
        update(ReservedDay).where(ReservedDay.day == date(2026, 11, 25)).values(reserved=ReservedDay.reserved + 1)
    )
    db.session.commit()
    assert reserved.differences(fund_id) == ["2026-11-25", "合计 ≠ 资金头寸"]

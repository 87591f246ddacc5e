"""The report's kept totals by cohort (issue 28): what every step keeps is what the record says (the applications
and their events), the November breakdown read from them is the month as it stood at its end, and the full
reconciliation names a row that differs. The month is ``flows.november_2026``: submitted in November A1, A2, A3
(all disbursed in November), A4 (rejected 20 Nov) and A5 (approved 25 Nov, disbursed 1 Dec); A6 on 1 Dec."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from loanfund.extensions import db
from loanfund.models import Application, CohortDay
from loanfund.services.books.reconcile import reconcile
from loanfund.services.reports import cohorts
from tests.factories import city_fund_id
from tests.flows import november_2026

pytestmark = pytest.mark.both_databases


def test_the_kept_totals_are_the_records(people, traveller):
    november_2026(traveller)
    assert cohorts.differences(city_fund_id()) == []
    states = {
        key: n
        for (dimension, key), (n, _) in cohorts.totals(
            city_fund_id(), cohorts.SUBMITTED, date(2026, 11, 1), date(2026, 11, 30)
        ).items()
        if dimension == "state"
    }
    # at the end of November: A1 archived, A2 repaid, A3 in recovery, A4 rejected, A5 approved
    assert states == {"archived": 1, "repaid": 1, "recovery": 1, "rejected": 1, "approved": 1}
    out = cohorts.totals(city_fund_id(), cohorts.DISBURSED, date(2026, 11, 1), date(2026, 11, 30))
    assert {k: v for (d, k), v in out.items() if d == "state"} == {
        "archived": (1, 3_000_000_000),
        "repaid": (1, 1_000_000_000),
        "recovery": (1, 800_000_000),
    }
    # the same cohorts a day later: A5 went out on 1 Dec (December's cohort), its November state is now 已放款
    later = cohorts.totals(city_fund_id(), cohorts.SUBMITTED, date(2026, 11, 1), date(2026, 12, 1))
    assert later[("state", "disbursed")] == (1, 200_000_000)


def test_a_row_that_differs_from_the_record_is_named_by_the_full_reconciliation(people, traveller):
    november_2026(traveller)
    db.session.execute(
        update(CohortDay)
        .where(CohortDay.cohort == "submitted", CohortDay.dimension == "size", CohortDay.day == date(2026, 11, 2))
        .values(count=CohortDay.count + 1)
    )
    db.session.commit()
    [check] = [c for c in reconcile(city_fund_id()).checks if c.name.startswith("报表分类累计")]
    assert check.actual == 1 and check.detail.startswith("submitted 2026-11-02 2026-11-02 size=")


def test_the_bridges_back_are_kept_by_the_day_and_their_days_used(people, traveller):
    """A period's 周转天数 from the kept rows (R2): A0 out 12 Oct, back 15 Oct (3 days); A1 out 2 Nov, back 5 Nov (3);
    A2 out 9 Nov, back 14 Nov (5); A3 not back."""
    made = november_2026(traveller)
    fund = city_fund_id()
    kept = {
        (r.day, r.key): (r.count, r.amount)
        for r in db.session.scalars(db.select(CohortDay).where(CohortDay.cohort == "closed"))
    }
    assert kept == {
        (date(2026, 10, 15), "3"): (1, 3),
        (date(2026, 11, 5), "3"): (1, 3),
        (date(2026, 11, 14), "5"): (1, 5),
    }
    assert cohorts.closed_days(fund, date(2026, 11, 1), date(2026, 11, 30)) == (2, 8, 5)
    assert cohorts.closed_days(fund, date(2026, 10, 1), date(2026, 11, 30)) == (3, 11, 5)
    assert cohorts.closed_days(fund, date(2026, 10, 1), date(2026, 10, 31)) == (1, 3, 3)
    assert cohorts.closed_days(fund, date(2026, 11, 15), date(2026, 11, 30)) == (0, 0, 0)

    # a day it came back on moves (a receipt dated earlier): taken off the old day, counted on the new one
    a2 = db.session.get(Application, made["A2"])
    a2.received_on, was = date(2026, 11, 13), a2.received_on
    cohorts.closed(a2, was)
    db.session.commit()
    assert cohorts.closed_days(fund, date(2026, 11, 1), date(2026, 11, 30)) == (2, 7, 4)
    assert cohorts.closed_days(fund, date(2026, 11, 14), date(2026, 11, 14)) == (0, 0, 0)
    assert cohorts.differences(fund) == []  # the record says the same

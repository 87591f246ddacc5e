"""The bridges out as indexed facts (issue 28): each step keeps its bridge's row; the pages' counts in SQL are the
domain's own answers; the sweep looks at a bridge only on its days; the full reconciliation names a row that differs
from the record.

The month is ``flows.november_2026`` (2018 policy: due 10 days after the value date, the bank renews within 2): A3
ent2/ICBC 8,000,000.00 out 16 Nov for 3 days, renewed 17 Nov, due 26 Nov, in recovery from 27 Nov; A5 ent3/ICBC
2,000,000.00 out 1 Dec for 3 days, not renewed (deadline 3 Dec), due 11 Dec. A0, A1 and A2 are back."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select, update

from bench.generate import MIX, generate
from loanfund.domain.money import Money
from loanfund.domain.warning import Risk, bridge_warnings
from loanfund.extensions import db
from loanfund.models import Application, BridgeOut, User
from loanfund.services import lifecycle
from loanfund.services.books.reconcile import at_a_glance, reconcile
from loanfund.services.lifecycle import application_policy, bridges
from loanfund.services.oversight import risk, settings
from loanfund.services.oversight.sweep import sweep
from tests.factories import city_fund_id
from tests.flows import november_2026

pytestmark = pytest.mark.both_databases

M = Money.parse


def facts_of(application_id: int) -> dict[str, object] | None:
    row = db.session.get(BridgeOut, application_id)
    if row is None:
        return None
    db.session.refresh(row)
    return {
        "state": row.state,
        "value_date": row.value_date,
        "planned_on": row.planned_on,
        "due_on": row.due_on,
        "renewal_due_on": row.renewal_due_on,
        "renewed": row.renewed,
        "principal_out": row.principal_out,
        "returns": row.returns,
        "shortfall": row.shortfall,
        "back_on": row.back_on,
    }


def test_each_step_keeps_its_bridges_row(people, traveller):
    month = november_2026(traveller)
    assert facts_of(month["A3"]) == {
        "state": "recovery",
        "value_date": date(2026, 11, 16),
        "planned_on": date(2026, 11, 19),
        "due_on": date(2026, 11, 26),
        "renewal_due_on": date(2026, 11, 18),
        "renewed": True,
        "principal_out": M("8,000,000.00"),
        "returns": 0,
        "shortfall": False,
        "back_on": None,
    }
    assert facts_of(month["A5"]) == {
        "state": "disbursed",
        "value_date": date(2026, 12, 1),
        "planned_on": date(2026, 12, 4),
        "due_on": date(2026, 12, 11),
        "renewal_due_on": date(2026, 12, 3),
        "renewed": False,
        "principal_out": M("2,000,000.00"),
        "returns": 0,
        "shortfall": False,
        "back_on": None,
    }
    for back in ("A0", "A1", "A2", "A4", "A6"):  # back, rejected or not yet out: no row
        assert facts_of(month[back]) is None, back

    bank1 = db.session.scalars(select(User).where(User.username == "bank1")).one()
    lifecycle.confirm_return(bank1, month["A3"], date(2026, 12, 1), M("3,000,000.00"), M("0.00"), "HS-A3-1")
    assert facts_of(month["A3"]) == {
        "state": "recovery",
        "value_date": date(2026, 11, 16),
        "planned_on": date(2026, 11, 19),
        "due_on": date(2026, 11, 26),
        "renewal_due_on": date(2026, 11, 18),
        "renewed": True,
        "principal_out": M("5,000,000.00"),
        "returns": 1,
        "shortfall": True,
        "back_on": None,
    }
    assert bridges.differences(city_fund_id()) == []


def test_the_sweep_looks_at_a_bridge_on_its_days_only(people, traveller):
    """After its first look, A3 (renewed, overdue since 27 Nov) has nothing new until its default is 30 days long
    (26 Dec); A5 has its renewal deadline on 3 Dec and is late on 4 Dec, then is due on 11 Dec."""
    november_2026(traveller)
    looked = {}
    for day in ("2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05", "2026-12-10", "2026-12-11"):
        traveller.move_to(f"{day} 06:00:00+08:00")
        report = sweep()
        looked[day] = (report.bridges, sorted(found.finding.value for _, found in report.recorded))
    assert looked == {
        "2026-12-01": (2, ["overdue"]),  # both stepped on since the last sweep; A3 overdue since 27 Nov
        "2026-12-02": (0, []),
        "2026-12-03": (1, ["renewal-due"]),
        "2026-12-04": (1, ["renewal-late"]),
        "2026-12-05": (0, []),
        "2026-12-10": (1, ["due-tomorrow"]),
        "2026-12-11": (1, ["due-today"]),
    }


def test_a_row_that_differs_from_the_record_is_named_by_the_full_reconciliation(people, traveller):
    month = november_2026(traveller)
    db.session.execute(
        update(BridgeOut).where(BridgeOut.application_id == month["A5"]).values(principal_out=M("1,000,000.00"))
    )
    db.session.commit()
    glance = at_a_glance(city_fund_id())
    assert [(line.application_id, line.expected, line.booked) for line in glance.receivables] == [
        (month["A5"], M("1,000,000.00"), M("2,000,000.00"))
    ]
    full = reconcile(city_fund_id())
    [check] = [c for c in full.checks if c.name.startswith("在外转贷台账")]
    assert (check.expected, check.actual, check.detail) == (0, 1, f"#{month['A5']} principal_out")


@pytest.mark.parametrize("day", ["2026-11-30", "2026-12-02", "2026-12-08", "2026-12-31"])
def test_the_risk_counts_in_sql_are_the_domains_answers(people, traveller, day):
    """Over a generated fund with every ending (partial returns, bank claims, recovery, late renewals), on its last day
    and the weeks after: each kind's count on the page equals what the domain's ``bridge_warnings`` finds, bridge by
    bridge — the SQL conditions on the kept facts and the rules they stand for never part."""
    every_end = tuple((state, 1) for state, _ in MIX)
    traveller.move_to("2026-11-30 18:00:00+08:00")
    generate(400, end=date(2026, 11, 30), days=120, mix=every_end)
    fund_id = city_fund_id()
    for application in db.session.scalars(  # some money back, not all: 收回不足
        select(Application)
        .where(Application.fund_id == fund_id, Application.state.in_(["disbursed", "renewed"]))
        .order_by(Application.id)
        .limit(3)
    ).all():
        bank_user = db.session.scalars(select(User).where(User.bank_id == application.bank_id)).first()
        assert bank_user is not None and application.approved_amount is not None
        half = Money(application.approved_amount.fen // 2)
        lifecycle.confirm_return(
            bank_user, application.id, date(2026, 11, 30), half, M("0.00"), f"HALF-{application.id}"
        )
    traveller.move_to(f"{day} 10:00:00+08:00")
    today = date.fromisoformat(day)
    limits = settings.thresholds(fund_id)
    expected: Counter[Risk] = Counter()
    for application in db.session.scalars(
        select(Application).where(Application.fund_id == fund_id, Application.state.in_(bridges.OUT_VALUES))
    ):
        policy = application_policy(application)
        for w in bridge_warnings(
            policy, bridges.facts(application, today), application.requested_days, today, limits, "", application.id
        ):
            expected[w.risk] += 1
    assert expected[Risk.RETURN_SHORTFALL] == 3 and expected[Risk.OVERDUE] > 0
    found = risk.report(fund_id, today)
    per_bridge = {r: n for r, n in found.counts.items() if r in expected or r in risk._per_bridge(today, limits)}
    assert per_bridge == dict(expected)

"""Income is distributed once (R13, 第二十五条; issue 23): a distribution takes the fee income the journal holds not
yet distributed, so two runs — dated either side of midnight, or at the same moment from two processes — never pay
the same income twice; and the reports keep income earned and income distributed on lines of their own, so neither
is negative after a distribution.

The fund: ent1's 30,000,000.00 bridge out on 1 Nov 2026 and back the same day with its fee for one day,
30,000,000 × 0.40‰ = 12,000.00 (R1–R3). A run at 6 % tax pays 720.00 of tax and 11,280.00 to the one contributor.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import func, select

from loanfund import clock
from loanfund.domain.errors import LoanFundError
from loanfund.domain.ledger import FEE_INCOME
from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Distribution
from loanfund.services.books import ledger
from loanfund.services.books.capital import run_distribution
from loanfund.services.books.reconcile import reconcile
from loanfund.services.record import audit
from loanfund.services.reports import reporting
from tests.factories import city_fund, city_fund_id
from tests.flows import Flows

M = Money.parse


@pytest.mark.both_databases
def test_a_run_dated_after_midnight_finds_nothing_left_to_distribute(app, people, traveller):
    Flows(traveller).to(State.REPAID)
    traveller.move_to("2026-11-01 23:59:50+08:00")
    first = run_distribution(city_fund_id(), clock.today(), Decimal("0.06"))
    assert (first.income, first.tax, [s for _, s in first.shares]) == (M("12,000.00"), M("720.00"), [M("11,280.00")])
    traveller.move_to("2026-11-02 00:00:10+08:00")
    with pytest.raises(LoanFundError) as refused:
        run_distribution(city_fund_id(), clock.today(), Decimal("0.06"))
    assert refused.value.errors == {"income": ["暂无可分配的用款费用收入"]}  # type: ignore[attr-defined]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Distribution)) == 1
    assert ledger.balance(city_fund_id(), FEE_INCOME) == Money.zero()
    assert reconcile(city_fund_id()).ok


@pytest.mark.both_databases
@pytest.mark.migrated  # SQLite as a file: each run has a connection of its own
def test_two_runs_at_the_same_moment_dated_either_side_of_midnight_distribute_the_income_once(
    app: Flask, people, traveller
):
    Flows(traveller).to(State.REPAID)
    db.session.remove()  # the test's own transaction would hold SQLite's write lock
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run(day: date) -> None:
        with app.app_context():
            barrier.wait(timeout=30)
            try:
                result = run_distribution(city_fund_id(), day, Decimal("0.06"))
                outcomes.append(f"paid {result.income.format()}")
            except LoanFundError as exc:
                outcomes.append(exc.code)
            finally:
                db.session.remove()

    rounds = 5
    for n in range(rounds):
        if n:  # the next round's income: another bridge of 30,000,000.00 out and back in a day
            Flows(traveller).to(State.REPAID)
            db.session.remove()
        night = date(2026, 11, 1) + timedelta(days=2 * n)
        threads = [threading.Thread(target=run, args=(day,)) for day in (night, night + timedelta(days=1))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert sorted(outcomes) == sorted(["paid 12,000.00", "invalid_input"] * rounds), outcomes
    assert db.session.scalar(select(func.count()).select_from(Distribution)) == rounds
    assert ledger.balance(city_fund_id(), FEE_INCOME) == Money.zero()
    assert reconcile(city_fund_id()).ok
    assert audit.verify().ok


def test_reconcile_finds_income_distributed_twice(app, people, traveller):
    """What the two runs did before the fix, written into the books by hand: the income's balance below nothing."""
    from loanfund.domain.ledger import distribution_posting

    Flows(traveller).to(State.REPAID)
    run_distribution(city_fund_id(), clock.today(), Decimal("0"))
    people_ids = [c for c in ledger.line_balances(city_fund_id(), "capital")]
    ledger.post(
        distribution_posting(
            "distribution:2026-11-02", M("12,000.00"), Money.zero(), [(people_ids[0], M("12,000.00"))]
        ),
        date(2026, 11, 2),
        fund_id=city_fund_id(),
        bank_ref=None,
    )
    db.session.commit()
    found = {c.name: (c.expected, c.actual) for c in reconcile(city_fund_id()).checks}
    assert found["收益分配未超过已实现的费用收入（未分配收入不为负）"] == (Money.zero(), M("-12,000.00"))


@pytest.mark.both_databases
def test_the_report_shows_income_earned_and_income_distributed_on_lines_of_their_own(app, people, traveller):
    Flows(traveller).to(State.REPAID)  # 12,000.00 earned on 1 Nov
    traveller.move_to("2026-11-20 10:00:00+08:00")
    run_distribution(city_fund_id(), clock.today(), Decimal("0.06"))
    traveller.move_to("2026-12-02 10:00:00+08:00")
    november = reporting.report(city_fund(), date(2026, 11, 1), date(2026, 11, 30)).summary
    assert (november.fee_income, november.fee_distributed) == (M("12,000.00"), M("12,000.00"))
    december = reporting.report(city_fund(), date(2026, 12, 1), date(2026, 12, 31)).summary
    assert (december.fee_income, december.fee_distributed) == (Money.zero(), Money.zero())


def test_the_workbench_shows_the_income_earned_this_month_after_a_distribution(client, auth, people, traveller):
    """The operator's workbench read −12,000.00 of 费用收入 the day income was distributed."""
    Flows(traveller).to(State.REPAID)  # 12,000.00 earned on 1 Nov
    run_distribution(city_fund_id(), clock.today(), Decimal("0.06"))
    auth.login("operator")
    html = client.get("/home").get_data(as_text=True)
    assert '<span class="lf-muted">费用收入</span> 12,000.00 元' in html
    assert "-12,000.00" not in html

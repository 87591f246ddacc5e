"""The benchmark data generator (bench/generate.py) makes a fund the books agree with: the reconciliation passes on
what it writes, on both databases, and every state of the mix is there."""

from __future__ import annotations

from datetime import date

import pytest

from bench.generate import MIX, generate
from loanfund.services.books.reconcile import reconcile
from tests.factories import city_fund_id


@pytest.mark.both_databases
def test_what_the_generator_makes_reconciles(people):
    every_end = tuple((state, 1) for state, _ in MIX)  # as many bad bridges as good ones: every path is written
    made = generate(300, end=date(2026, 11, 30), days=120, mix=every_end)
    assert made.applications == 300
    assert {"archived", "repaid", "rejected", "recovery", "written_off", "renewed"} <= set(made.by_state)
    result = reconcile(city_fund_id())
    failed = [(c.name, c.expected, c.actual) for c in result.checks if not c.ok]
    assert failed == []
    assert [line for line in result.receivables if not line.ok] == []


def test_nothing_generated_happens_after_the_last_day(client, auth, people):
    """Every page reads what the generator makes: no value date, renewal or return after ``end`` (today here)."""
    from loanfund import clock

    generate(400, end=clock.today(), days=60)
    auth.login("operator")
    for path in ("/home", "/applications", "/applications?state=renewed", "/fund/risk", "/fund/reconciliation"):
        assert client.get(path).status_code == 200, path


def test_on_the_demo_platform_it_lends_through_the_city_funds_own_banks(app):
    """``make bench`` generates on the demo platform, where ICBC also cooperates with the county's fund: the city's
    bridges go through the city's banks only (the database refuses another fund's bank)."""
    from sqlalchemy import select

    from loanfund.extensions import db
    from loanfund.models import Application, Bank

    app.config["DEMO_ALLOWED"] = True
    made = generate(40, end=date(2026, 11, 30), days=30)
    assert made.applications == 40
    used = set(db.session.scalars(select(Bank.code).join(Application, Application.bank_id == Bank.id)))
    assert used <= {"ICBC-LYG", "JSB-LYG"} and used
    assert reconcile(city_fund_id()).ok

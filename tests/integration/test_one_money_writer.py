"""One money writer: cash moves only by posting a journal entry, whose cash legs update the special account's
running position in the same transaction (issue 9). Followed statement by statement."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from loanfund import clock
from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.services import lifecycle
from loanfund.services.books import fund
from loanfund.services.books.reconcile import reconcile
from tests.factories import city_fund_id
from tests.flows import Flows
from tests.statements import flat, sent

pytestmark = pytest.mark.both_databases

M = Money.parse
ROOT = Path(__file__).resolve().parents[2] / "loanfund"


def cash_writes(seen: list[str]) -> list[str]:
    return [s for s in seen if s.startswith("update fund_balance")]


def test_a_disbursement_writes_cash_once(app, people, traveller):
    flows = Flows(traveller)
    application = flows.to(State.APPROVED)
    lifecycle.prepare_disbursement(flows.user("operator"), application.id, clock.today(), "HK-1")
    before = fund.position(city_fund_id())
    with sent(flat) as seen:
        lifecycle.authorise_disbursement(flows.user("operator2"), application.id)
    assert len(cash_writes(seen)) == 1
    after = fund.position(city_fund_id())
    assert (before.cash - after.cash, before.reserved - after.reserved) == (M("30,000,000.00"), M("30,000,000.00"))
    assert reconcile(city_fund_id()).ok


def test_a_return_writes_cash_once_and_loads_the_application_once(app, people, traveller):
    flows = Flows(traveller)
    application = flows.to(State.RENEWED)
    before = fund.position(city_fund_id()).cash
    with sent(flat) as seen:
        lifecycle.confirm_return(
            flows.bank_user(application), application.id, clock.today(), M("30,000,000.00"), M("12,000.00"), "HS-1"
        )
    assert len(cash_writes(seen)) == 1
    locked_reads = [
        s for s in seen if s.startswith("select") and "from applications" in s and re.search(r"for (no key )?update", s)
    ]
    assert len(locked_reads) in (0, 1)  # SQLite has no FOR UPDATE: its BEGIN IMMEDIATE is the lock
    assert len([s for s in seen if re.match(r"select .* from applications\b", s)]) == 1
    assert fund.position(city_fund_id()).cash - before == M("30,012,000.00")
    assert reconcile(city_fund_id()).ok


def test_nothing_but_the_posting_moves_cash():
    """The position's cash is written in one function, and only the ledger's posting calls it."""
    writers = [p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*.py") if "update(FundBalance" in p.read_text()]
    assert writers == ["services/books/fund.py"]
    callers = [p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*.py") if "move_cash(" in p.read_text()]
    assert sorted(callers) == ["services/books/fund.py", "services/books/ledger.py"]


def first(seen: list[str], prefix: str) -> int:
    return next(i for i, s in enumerate(seen) if s.startswith(prefix))


def test_every_cash_movement_queues_on_the_audit_head_before_it_takes_the_position(app, people, traveller):
    """One order for the two shared rows in every transaction — the head, then the position — or a disbursement and
    a return at the same moment deadlock on PostgreSQL (the race itself: test_money_races)."""
    flows = Flows(traveller)
    out, back = flows.to(State.APPROVED), flows.to(State.RENEWED)
    lifecycle.prepare_disbursement(flows.user("operator"), out.id, clock.today(), "HK-1")
    with sent(flat) as seen:
        lifecycle.authorise_disbursement(flows.user("operator2"), out.id)
    assert first(seen, "update audit_head") < first(seen, "update fund_balance")
    with sent(flat) as seen:
        lifecycle.confirm_return(
            flows.bank_user(back), back.id, clock.today(), M("30,000,000.00"), M("12,000.00"), "HS-1"
        )
    assert first(seen, "update audit_head") < first(seen, "update fund_balance")

"""R10 and R11 are checked when the enterprise applies, and again when the platform accepts and when the operator
approves: a listing or an expired bank agreement in between stops the application there (issue 9)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from loanfund.domain.errors import RuleViolation
from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, Bank, BlacklistEntry
from loanfund.services import lifecycle
from loanfund.services.books import fund
from tests.factories import city_fund_id
from tests.flows import Flows, credit_ok

pytestmark = pytest.mark.both_databases

M = Money.parse
LISTED = "该企业因“虚报材料骗取资金”于 2026-11-01 列入黑名单，限制期至 2029-11-01（含），期间不得申请应急转贷资金"


def blacklist_ent1() -> None:
    db.session.add(
        BlacklistEntry(
            fund_id=city_fund_id(),
            credit_code="91320706MA1Q8RXL4A",
            enterprise_name="连云港海润机械制造有限公司",
            reason="虚报材料骗取资金",
            listed_on=date(2026, 11, 1),
            ends_on=date(2029, 11, 1),
            state="confirmed",
        )
    )
    db.session.commit()


def end_icbc_agreement(on: date) -> None:
    bank = db.session.scalar(select(Bank).where(Bank.code == "ICBC-LYG"))
    bank.agreement_end = on
    db.session.commit()


def refused(step) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with pytest.raises(RuleViolation) as caught:
        step()
    db.session.rollback()
    return [(v.rule, v.message) for v in caught.value.violations]


def test_an_application_submitted_before_the_listing_is_not_accepted(app, people, traveller):
    flows = Flows(traveller)
    application = flows.to(State.SUBMITTED)
    blacklist_ent1()
    reviewer = flows.user("reviewer")
    assert refused(lambda: lifecycle.accept(reviewer, application.id, **credit_ok())) == [("R11", LISTED)]
    assert db.session.get(Application, application.id).state == State.SUBMITTED.value


def test_an_application_committed_before_the_listing_is_not_approved(app, people, traveller):
    flows = Flows(traveller)
    application = flows.to(State.BANK_COMMITTED)
    blacklist_ent1()
    approve = lambda: lifecycle.approve(  # noqa: E731
        flows.user("operator"), application.id, M("30,000,000.00"), M("10,000,000.00")
    )
    assert refused(approve) == [("R11", LISTED)]
    assert db.session.get(Application, application.id).state == State.BANK_COMMITTED.value
    assert fund.position(city_fund_id()).reserved == Money.zero()


def test_an_application_at_a_bank_whose_agreement_has_since_ended_is_not_approved(app, people, traveller):
    flows = Flows(traveller)
    application = flows.to(State.BANK_COMMITTED)
    end_icbc_agreement(date(2026, 10, 31))
    approve = lambda: lifecycle.approve(  # noqa: E731
        flows.user("operator"), application.id, M("30,000,000.00"), M("10,000,000.00")
    )
    start = db.session.scalar(select(Bank.agreement_start).where(Bank.code == "ICBC-LYG"))
    assert refused(approve) == [
        ("R10", f"中国工商银行连云港分行的合作协议不在有效期内（{start.isoformat()} 至 2026-10-31）")
    ]
    assert db.session.get(Application, application.id).state == State.BANK_COMMITTED.value


def test_the_last_day_of_the_agreement_still_counts(app, people, traveller):
    flows = Flows(traveller)
    application = flows.to(State.BANK_COMMITTED)
    end_icbc_agreement(date(2026, 11, 1))  # today
    lifecycle.approve(flows.user("operator"), application.id, M("30,000,000.00"), M("10,000,000.00"))
    assert db.session.get(Application, application.id).state == State.APPROVED.value


def test_every_refusal_is_listed_at_once(app, people, traveller):
    flows = Flows(traveller)
    application = flows.to(State.BANK_COMMITTED)
    blacklist_ent1()
    end_icbc_agreement(date(2026, 10, 31))
    approve = lambda: lifecycle.approve(  # noqa: E731
        flows.user("operator"), application.id, M("32,000,000.01"), M("10,000,000.00")
    )
    assert [rule for rule, _ in refused(approve)] == ["R11", "R10", "R5"]

"""Controls when money moves (issue 23; DESIGN R11, §2).

- R10 and R11 are checked again at prepare and at authorise: a bar the leading group confirmed after the approval, or a
  bank agreement that ended since, stops the payment, named with the entry and its end date — on the confirmation's
  first press, before anyone presses 确认.
- Three persons: whoever approved the amount may prepare the payment but never authorise it; the maker never either.
  The database holds it too.
- The bank is told when its designated account changes.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from loanfund import clock
from loanfund.domain.errors import NotAllowed, RuleViolation
from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import Application, ApplicationEvent, Bank, JournalEntry, Message, User
from loanfund.services import lifecycle
from loanfund.services.books import bank_accounts, fund
from loanfund.services.oversight import blacklist
from tests.conftest import form_tokens
from tests.factories import city_fund_id
from tests.flows import Flows

BARRED = "该企业因“骗取”于 2026-11-01 列入黑名单，限制期至 2029-11-01（含），期间不得申请应急转贷资金"


def user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def bar_ent1() -> None:
    """The group confirms a bar on ent1 (海润机械) after its application was approved."""
    enterprise = user("ent1").enterprise
    assert enterprise is not None
    entry = blacklist.submit_proposal(user("operator"), enterprise, "fraud", "虚构贸易背景", clock.today())
    blacklist.decide(user("group"), entry.id, True)


def entries() -> int:
    return db.session.scalar(select(func.count()).select_from(JournalEntry)) or 0


@pytest.mark.both_databases
def test_a_bar_confirmed_after_the_approval_stops_the_preparation(flows, traveller):
    application = flows.to(State.APPROVED)
    bar_ent1()
    with pytest.raises(RuleViolation) as refused:
        lifecycle.prepare_disbursement(user("operator"), application.id, clock.today(), "HK-001")
    assert [(v.rule, v.code, v.message) for v in refused.value.violations] == [("R11", "blacklisted", BARRED)]
    db.session.rollback()
    assert db.session.get(Application, application.id).prepared_by_id is None  # type: ignore[union-attr]


@pytest.mark.both_databases
def test_a_bar_confirmed_after_the_preparation_stops_the_authorisation_and_no_money_moves(flows, traveller):
    application = flows.to(State.APPROVED)
    flows.step(application, "prepare")
    bar_ent1()
    before, cash = entries(), fund.position(city_fund_id()).cash
    with pytest.raises(RuleViolation) as refused:
        lifecycle.authorise_disbursement(user("operator2"), application.id)
    assert [v.message for v in refused.value.violations] == [BARRED]
    db.session.rollback()
    assert (entries(), fund.position(city_fund_id()).cash) == (before, cash)
    assert db.session.get(Application, application.id).state == "approved"  # type: ignore[union-attr]


def test_a_bank_agreement_ended_since_the_approval_stops_the_payment(flows, traveller):
    application = flows.to(State.APPROVED)
    flows.step(application, "prepare")
    icbc = db.session.scalars(select(Bank).where(Bank.code == "ICBC-LYG")).one()
    icbc.agreement_end = date(2026, 10, 31)
    db.session.commit()
    with pytest.raises(RuleViolation) as refused:
        lifecycle.authorise_disbursement(user("operator2"), application.id)
    assert [v.code for v in refused.value.violations] == ["bank_agreement_not_in_force"]


def test_the_confirmation_page_names_the_bar_before_anyone_presses_confirm(client, auth, flows, traveller):
    application = flows.to(State.APPROVED)
    flows.step(application, "prepare")
    bar_ent1()
    events = db.session.scalar(select(func.count()).select_from(ApplicationEvent))
    auth.login("operator2")
    page = f"/applications/{application.id}"
    url = f"{page}/authorise-disbursement"
    answer = client.post(url, data=form_tokens(client.get(page).get_data(as_text=True), url))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert BARRED in html
    assert "请确认" not in html
    assert db.session.scalar(select(func.count()).select_from(ApplicationEvent)) == events


@pytest.mark.both_databases
def test_the_operator_who_approved_the_amount_may_prepare_but_never_authorise(flows, traveller):
    application = flows.submit()
    for step in ("accept", "commit"):
        flows.step(application, step)
    lifecycle.approve(user("operator2"), application.id, application.requested_amount, application.own_funds_planned)
    lifecycle.prepare_disbursement(user("operator2"), application.id, clock.today(), "HK-001")  # the approver prepares
    lifecycle.return_preparation(user("operator"), application.id, "凭证号有误")
    lifecycle.prepare_disbursement(user("operator"), application.id, clock.today(), "HK-002")
    with pytest.raises(NotAllowed) as refused:
        lifecycle.authorise_disbursement(user("operator2"), application.id)  # the approver, not the maker
    assert (refused.value.code, refused.value.message) == (
        "maker_checker",
        "批准金额的人不能复核放款：复核须由批准人、制单人以外的第三人办理",
    )
    db.session.rollback()
    third = User(
        username="operator3", display_name="平台运营三", role="operator", email="", fund_id=user("operator").fund_id
    )
    third.password_hash = user("operator").password_hash
    db.session.add(third)
    db.session.commit()
    lifecycle.authorise_disbursement(user("operator3"), application.id)
    assert db.session.get(Application, application.id).state == "disbursed"  # type: ignore[union-attr]


def test_the_approver_is_not_offered_the_authorisation(client, auth, flows, traveller):
    application = flows.to(State.APPROVED)  # approved by operator
    lifecycle.prepare_disbursement(user("operator2"), application.id, clock.today(), "HK-001")
    auth.login("operator")  # neither maker nor… but the approver
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert 'id="action-authorise-disbursement"' not in page


@pytest.mark.both_databases
@pytest.mark.migrated  # the database built by the migrations holds it too (a trigger on SQLite, a CHECK on PostgreSQL)
def test_the_database_refuses_an_approver_who_authorises(app, people, traveller):
    application = Flows(traveller).to(State.APPROVED)
    approver = db.session.get(Application, application.id).approved_by_id  # type: ignore[union-attr]
    with pytest.raises((IntegrityError, DBAPIError)) as refused:
        db.session.execute(
            text("UPDATE applications SET authorised_by_id = :who WHERE id = :id"),
            {"who": approver, "id": application.id},
        )
        db.session.commit()
    db.session.rollback()
    assert "approver_not_checker" in str(refused.value)


def test_the_bank_is_told_when_its_designated_account_changes(people):
    icbc = db.session.scalars(select(Bank).where(Bank.code == "ICBC-LYG")).one()
    new = {"account_name": icbc.account_name, "account_no": "6222 0000 9999 0001", "account_bank": icbc.account_bank}
    change = bank_accounts.propose(icbc, new, user("admin"))
    db.session.commit()
    bank_accounts.decide(user("operator"), change.id, True)
    (told,) = db.session.scalars(select(Message).where(Message.user_id == user("bank1").id)).all()
    assert told.subject == "本行指定账户已变更"
    assert "6222 0000 9999 0001" in told.body and "此后应急转贷资金划入新账户" in told.body
    assert not db.session.scalars(select(Message).where(Message.user_id == user("bank2").id)).all()

"""The fund's 专人 for each cooperating bank (第十二条; issue 24): the administrator names an operator for a bank; the
专人 hears what the platform tells the bank, and the operators' notices about that bank's bridges go to the 专人 (to
every operator while nobody is named). ent1 applies through ICBC (bank1); operator2 is named for ICBC."""

from __future__ import annotations

import re

from sqlalchemy import select

from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import Bank, BankLiaison, Message, User
from tests.web.test_forms import post_form


def user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def icbc() -> Bank:
    return db.session.scalars(select(Bank).where(Bank.code == "ICBC-LYG")).one()


def bank_form(bank: Bank, **changes: object) -> dict[str, object]:
    return {
        "code": bank.code,
        "name": bank.name,
        "agreement_no": bank.agreement_no,
        "agreement_start": bank.agreement_start.isoformat(),
        "agreement_end": bank.agreement_end.isoformat(),
        "account_name": bank.account_name,
        "account_no": bank.account_no,
        "account_bank": bank.account_bank,
        "officer_name": bank.officer_name,
        "officer_phone": bank.officer_phone,
    } | changes


def told(kind: str) -> list[str]:
    return [m.user.username for m in db.session.scalars(select(Message).where(Message.kind == kind))]


def test_the_administrator_names_an_operator_for_a_bank_and_the_notices_follow(client, auth, flows, traveller):
    bank = icbc()
    auth.login("admin")
    refused = post_form(client, f"/admin/banks/{bank.id}", bank_form(bank, liaison_id=str(user("reviewer").id)))
    assert "专人须为本资金在职的平台运营人员" in refused.get_data(as_text=True)
    assert db.session.scalars(select(BankLiaison)).all() == []
    saved = post_form(client, f"/admin/banks/{bank.id}", bank_form(bank, liaison_id=str(user("operator2").id)))
    assert saved.status_code == 302
    listing = " ".join(re.sub(r"<[^>]+>", " ", client.get("/admin/banks").get_data(as_text=True)).split())
    (liaison,) = db.session.scalars(select(BankLiaison)).all()
    assert (liaison.bank_id, liaison.user_id) == (bank.id, user("operator2").id)
    assert f"平台：{user('operator2').display_name}" in listing

    auth.login("bank1")  # the bank reads who its 专人 at the platform is; the other bank has none named
    home = " ".join(re.sub(r"<[^>]+>", " ", client.get("/home").get_data(as_text=True)).split())
    assert "资金管理平台对接本行的专人（第十二条）：赵复核" in home
    auth.login("bank2")
    assert "对接本行的专人" not in client.get("/home").get_data(as_text=True)

    flows.to(State.DISBURSED)  # committed (operators told), then the disbursement notice to the bank
    assert told("to_approve") == ["operator2"]  # the 专人, not every operator
    assert sorted(told("disbursed")) == ["bank1", "ent1", "operator2"]  # the 专人 hears what the bank is told

    auth.login("admin")
    post_form(client, f"/admin/banks/{bank.id}", bank_form(bank, liaison_id="0"))
    assert db.session.scalars(select(BankLiaison)).all() == []


def test_without_a_liaison_every_operator_hears(flows, traveller):
    flows.to(State.BANK_COMMITTED)
    assert sorted(told("to_approve")) == ["operator", "operator2"]

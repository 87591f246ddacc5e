"""A bank's designated receiving account changes only by maker–checker, and every change is kept (issue 9)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loanfund import clock
from loanfund.domain.errors import InvalidInput, NotAllowed, NotFound
from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import Bank, BankAccountChange
from loanfund.services import admin, lifecycle
from loanfund.services.books import bank_accounts
from tests.flows import Flows

pytestmark = pytest.mark.both_databases

OLD_NO = "1107 0201 0900 0123 456"
NEW = {
    "account_name": "中国工商银行连云港分行转贷专户",
    "account_no": "1107 0201 0900 9999 000",
    "account_bank": "工行新浦支行",
}


def icbc() -> Bank:
    return db.session.scalar(select(Bank).where(Bank.code == "ICBC-LYG"))  # type: ignore[return-value]


def edit_account(actor_name: str, flows: Flows, **account: str) -> admin.SavedBank:
    bank = icbc()
    data = admin.BankInput(
        code=bank.code,
        name=bank.name,
        agreement_no=bank.agreement_no,
        agreement_start=bank.agreement_start,
        agreement_end=bank.agreement_end,
        account_name=account.get("account_name", bank.account_name),
        account_no=account.get("account_no", bank.account_no),
        account_bank=account.get("account_bank", bank.account_bank),
        officer_name="新专人",
        officer_phone=bank.officer_phone,
    )
    return admin.save_bank(data, bank, flows.user(actor_name))


def test_an_administrators_change_waits_for_another_person(app, people, traveller):
    flows = Flows(traveller)
    saved = edit_account("admin", flows, **NEW)
    assert saved.proposed is not None
    bank = icbc()
    assert bank.account_no == OLD_NO  # not yet
    assert bank.officer_name == "新专人"  # everything else is saved at once
    change = saved.proposed
    assert (change.old_account_no, change.new_account_no, change.decision) == (OLD_NO, NEW["account_no"], "pending")
    assert change.requested_by_id == flows.user("admin").id


def test_a_disbursement_before_confirmation_goes_to_the_old_account(app, people, traveller):
    flows = Flows(traveller)
    application = flows.to(State.APPROVED)
    edit_account("admin", flows, **NEW)
    lifecycle.prepare_disbursement(flows.user("operator"), application.id, clock.today(), "HK-1")
    assert lifecycle.get(flows.user("operator"), application.id).destination_account_no == OLD_NO


def test_the_proposer_cannot_confirm_their_own_change(app, people, traveller):
    flows = Flows(traveller)
    change = edit_account("admin", flows, **NEW).proposed
    with pytest.raises(NotAllowed) as refused:
        bank_accounts.decide(flows.user("admin"), change.id, confirm=True)
    assert refused.value.message == "提出变更的人不能确认自己的变更，须由另一名管理员或运营人员确认"
    db.session.rollback()
    assert icbc().account_no == OLD_NO


def test_an_operator_confirms_and_the_record_keeps_who_and_when(app, people, traveller):
    flows = Flows(traveller)
    change_id = edit_account("admin", flows, **NEW).proposed.id
    bank_accounts.decide(flows.user("operator"), change_id, confirm=True, note="已与银行核实")
    bank = icbc()
    assert (bank.account_name, bank.account_no, bank.account_bank) == tuple(NEW.values())
    change = db.session.get(BankAccountChange, change_id)
    assert (change.decision, change.decided_by_id, change.note) == (
        "confirmed",
        flows.user("operator").id,
        "已与银行核实",
    )
    assert change.decided_at == clock.utcnow()
    with pytest.raises(NotAllowed):  # decided once
        bank_accounts.decide(flows.user("operator2"), change_id, confirm=False)


def test_a_change_sent_back_leaves_the_account_as_it_was(app, people, traveller):
    flows = Flows(traveller)
    change_id = edit_account("admin", flows, **NEW).proposed.id
    bank_accounts.decide(flows.user("operator"), change_id, confirm=False, note="账号与协议不符")
    assert icbc().account_no == OLD_NO
    assert db.session.get(BankAccountChange, change_id).decision == "rejected"
    assert edit_account("admin", flows, **NEW).proposed is not None  # a new proposal may follow


def test_one_change_waits_at_a_time_and_saving_the_same_account_proposes_nothing(app, people, traveller):
    flows = Flows(traveller)
    edit_account("admin", flows, **NEW)
    assert edit_account("admin", flows).proposed is None  # the form sent back the account in force
    with pytest.raises(InvalidInput) as refused:
        edit_account("admin", flows, account_no="6222 0000 0000 0000")
    assert refused.value.errors == {"account_no": ["该银行已有待确认的指定账户变更，请先由他人确认或退回后再修改"]}


@pytest.mark.parametrize("role_user", ["reviewer", "group", "bank1", "ent1"])
def test_only_administrators_and_operators_confirm(app, people, traveller, role_user):
    flows = Flows(traveller)
    change_id = edit_account("admin", flows, **NEW).proposed.id
    with pytest.raises(NotFound):
        bank_accounts.decide(flows.user(role_user), change_id, confirm=True)

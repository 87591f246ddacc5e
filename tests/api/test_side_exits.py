"""Every side exit of DESIGN §3 over the API: the state, the event, and the reservation released."""

from datetime import timedelta

import pytest

from loanfund.domain.lifecycle import State
from loanfund.services.books.fund import position
from tests.factories import city_fund_id

pytestmark = pytest.mark.both_databases


def last_event(body):
    e = body["events"][-1]
    return e["action"], e["from_state"], e["to_state"], e["actor_role"], e["note"]


def test_reviewer_rejects_with_a_reason(api, flows):
    a = flows.to(State.SUBMITTED)
    assert api.act("reviewer", a.id, "reject", {"note": ""}).get_json()["errors"] == {"note": ["请填写不予受理的理由"]}
    body = api.act("reviewer", a.id, "reject", {"note": "非连云港市注册企业"}).get_json()
    assert body["state"] == "rejected"
    assert last_event(body) == ("reject", "submitted", "rejected", "reviewer", "非连云港市注册企业")


def test_bank_declines(api, flows):
    a = flows.to(State.ACCEPTED)
    body = api.act("bank1", a.id, "decline", {"opinion": "企业经营恶化，不同意续贷"}).get_json()
    assert last_event(body) == ("decline", "accepted", "bank_declined", "bank", "企业经营恶化，不同意续贷")


def test_group_rejects_and_the_reservation_is_released(api, flows):
    a = flows.to(State.GROUP_REVIEW)
    assert position(city_fund_id()).reserved.plain() == "45000000.00"
    body = api.act("group", a.id, "group-reject", {"minutes_ref": "纪要〔2026〕5号", "note": "风险过高"}).get_json()
    assert last_event(body) == ("group-reject", "group_review", "group_rejected", "group", "风险过高")
    assert position(city_fund_id()).reserved.plain() == "0.00"


def test_enterprise_withdraws_before_approval(api, flows):
    a = flows.to(State.BANK_COMMITTED)
    body = api.act("ent1", a.id, "withdraw", {"reason": "已自筹资金"}).get_json()
    assert last_event(body) == ("withdraw", "bank_committed", "withdrawn", "enterprise", "已自筹资金")


def test_operator_withdraws_an_approved_application_and_the_reservation_is_released(api, flows):
    a = flows.to(State.APPROVED)
    assert position(city_fund_id()).reserved.plain() == "30000000.00"
    body = api.act("operator", a.id, "withdraw", {"reason": "企业电话申请撤回"}).get_json()
    assert body["state"] == "withdrawn"
    assert position(city_fund_id()).reserved.plain() == "0.00"


def test_enterprise_cannot_withdraw_after_disbursement(api, flows):
    a = flows.to(State.DISBURSED)
    response = api.act("ent1", a.id, "withdraw", {"reason": "x"})
    assert response.status_code == 409
    assert response.get_json()["detail"] == "当前状态“已放款”下不能执行“撤回”"


def test_operator_cancels_an_approved_application(api, flows):
    a = flows.to(State.APPROVED)
    body = api.act("operator", a.id, "cancel", {"reason": "银行未能按期放款"}).get_json()
    assert last_event(body) == ("cancel", "approved", "cancelled", "operator", "银行未能按期放款")
    assert position(city_fund_id()).reserved.plain() == "0.00"
    assert position(city_fund_id()).cash.plain() == "200000000.00"


def test_recovery_cannot_open_before_the_bridge_is_overdue(api, flows):
    a = flows.to(State.DISBURSED)
    response = api.act("operator", a.id, "open-recovery", {"plan": "催收"})
    assert response.status_code == 409
    assert response.get_json()["detail"] == "尚未逾期，不能启动追偿"


def test_overdue_bridge_goes_to_recovery_and_is_repaid_late(api, flows, traveller):
    a = flows.to(State.RECOVERY)  # disbursed 1 Nov, recovery opened 12 Nov
    body = api.get("operator", f"/applications/{a.id}").get_json()
    assert (body["state"], body["overdue"], body["days_used"]) == ("recovery", True, 11)
    body = api.act(
        "bank1",
        a.id,
        "confirm-return",
        {"received_on": "2026-11-12", "principal": "30000000.00", "fee": "145500.00", "transfer_ref": "ZC-1"},
    ).get_json()
    assert (body["state"], body["overdue"], body["expected_fee"]) == ("repaid", False, "145500.00")


def test_the_group_writes_off_what_could_not_be_recovered(api, flows):
    a = flows.to(State.RECOVERY)
    body = api.act("group", a.id, "write-off", {"minutes_ref": "纪要〔2026〕12号", "note": "企业破产清算"}).get_json()
    assert last_event(body) == ("write-off", "recovery", "written_off", "group", "企业破产清算")
    assert body["events"][-1]["payload"]["principal_outstanding"] == "30000000.00"


def test_a_return_before_renewal_is_recorded(api, flows, traveller):
    a = flows.to(State.DISBURSED)
    traveller.shift(timedelta(days=1))
    body = api.act(
        "operator",
        a.id,
        "confirm-return",
        {"received_on": "2026-11-02", "principal": "30000000.00", "fee": "12000.00", "transfer_ref": "HS"},
    ).get_json()
    assert (body["state"], body["days_used"]) == ("repaid", 1)


def test_same_day_return_counts_one_day(api, flows):
    a = flows.to(State.DISBURSED)
    body = api.act(
        "bank1",
        a.id,
        "confirm-return",
        {"received_on": "2026-11-01", "principal": "30000000.00", "fee": "12000.00", "transfer_ref": "HS"},
    ).get_json()
    assert (body["state"], body["days_used"], body["expected_fee"]) == ("repaid", 1, "12000.00")

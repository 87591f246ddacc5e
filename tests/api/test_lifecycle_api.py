"""One application through every step of DESIGN §3 over the API, each step by its role; then each side exit."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from loanfund.extensions import db
from loanfund.models import ApplicationEvent, Receipt
from loanfund.services.books.fund import position
from tests.api.conftest import upload
from tests.factories import city_fund_id

pytestmark = pytest.mark.both_databases

APPLY = {
    "bank_id": None,
    "loan_contract_no": "工银借字2025第0318号",
    "loan_amount_due": "35,000,000.00",
    "loan_due_date": "2026-11-01",
    "loan_overdue": False,
    "requested_amount": "30000000.00",
    "requested_days": 3,
    "own_funds": "5000000.00",
    "purpose": "归还到期流动资金贷款",
}


def bank_id(api, code="ICBC-LYG"):
    banks = api.get("ent1", "/banks").get_json()["items"]
    return next(b["id"] for b in banks if b["code"] == code)


def events(body):
    return [(e["action"], e["from_state"], e["to_state"], e["actor_role"]) for e in body["events"]]


def test_thirty_million_out_on_1_nov_back_on_4_nov(api, traveller):
    """The worked example end to end: 3 days, fee 37,500.00, every step by the right role, recorded."""
    response = api.post("ent1", "/applications", APPLY | {"bank_id": bank_id(api)})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    app_id = body["id"]
    assert body["state"] == "submitted"
    assert body["expected_fee"] == "37500.00"  # estimate for the requested 3 days
    assert body["needs_group_approval"] is False
    assert events(body) == [("submit", None, "submitted", "enterprise")]
    refused = api.act("reviewer", app_id, "accept", {"note": "材料齐全"})
    assert refused.status_code == 422  # the checklist: nothing on file yet; and no credit check (第八、十五条)
    assert refused.get_json()["errors"] == {
        "credit_report_date": ["请填写征信报告日期"],
        "credit_adverse": ["请选择不良信用记录情况"],
        "credit_industry": ["请选择是否符合产业政策"],
        "credit_operating": ["请选择运营状况"],
        "credit_check_note": ["请填写审查结论"],
        "missing_materials_reason": [
            "尚缺必需材料：营业执照、到期贷款合同、最近一期财务报表、企业征信报告。"
            "请补齐后再办理；如确需先行办理，请填写理由"
        ],
    }
    uploaded = upload(api, "ent1", app_id, "licence", ("营业执照.pdf",))
    assert uploaded.status_code == 201
    assert [m["filename"] for m in uploaded.get_json()["items"]] == ["营业执照.pdf"]
    assert upload(api, "ent1", app_id, "loan_contract", ("借款合同-1.pdf", "借款合同-2.pdf")).status_code == 201
    assert upload(api, "ent1", app_id, "financials").status_code == 201

    assert upload(api, "reviewer", app_id, "credit_report", ("征信报告.pdf",)).status_code == 201
    findings = {
        "credit_report_date": "2026-10-30",
        "credit_adverse": "none",
        "credit_industry": "fits",
        "credit_operating": "good",
        "credit_check_note": "征信正常",
    }
    body = api.act("reviewer", app_id, "accept", {"note": "材料齐全"} | findings).get_json()
    assert body["state"] == "accepted"

    assert upload(api, "bank1", app_id, "commitment", ("承诺函.pdf",)).status_code == 201
    body = api.act("bank1", app_id, "commit", {"committed_amount": "37500000.00", "opinion": "同意续贷"}).get_json()
    assert (body["state"], body["committed_amount"]) == ("bank_committed", "37500000.00")

    body = api.act("operator", app_id, "approve", {"amount": "30000000.00", "own_funds_confirmed": "5000000.00"})
    body = body.get_json()
    assert (body["state"], body["approved_amount"], body["policy"]) == (
        "approved",
        "30000000.00",
        "连政办发〔2018〕162号",
    )
    assert position(city_fund_id()).reserved.plain() == "30000000.00"

    body = api.act(
        "operator", app_id, "prepare-disbursement", {"value_date": "2026-11-01", "transfer_ref": "HK20261101-01"}
    ).get_json()
    assert body["state"] == "approved"
    assert body["disbursement_prepared"] is True
    assert body["destination_account"] == {
        "destination_name": "中国工商银行连云港分行转贷资金过渡户",
        "destination_no": "1107 0201 0900 0123 456",
        "destination_bank": "中国工商银行连云港海州支行",
    }

    body = api.act("operator2", app_id, "authorise-disbursement").get_json()
    assert (body["state"], body["value_date"], body["due_date"]) == ("disbursed", "2026-11-01", "2026-11-11")
    assert body["expected_fee"] == "12000.00"  # 1 day so far
    assert (position(city_fund_id()).cash.plain(), position(city_fund_id()).reserved.plain()) == (
        "170000000.00",
        "0.00",
    )

    traveller.shift(timedelta(days=2))  # 3 Nov
    body = api.act(
        "bank1",
        app_id,
        "confirm-renewal",
        {"new_loan_contract_no": "工银借字2026第1103号", "new_loan_amount": "35000000.00", "renewed_on": "2026-11-03"},
    ).get_json()
    assert (body["state"], body["renewal_late"]) == ("renewed", False)

    traveller.shift(timedelta(days=1))  # 4 Nov
    assert api.get("operator", f"/applications/{app_id}").get_json()["expected_fee"] == "37500.00"
    body = api.act(
        "bank1",
        app_id,
        "confirm-return",
        {"received_on": "2026-11-04", "principal": "30000000.00", "fee": "37500.00", "transfer_ref": "HS-1104"},
    ).get_json()
    assert (body["state"], body["days_used"], body["expected_fee"], body["outstanding"]) == (
        "repaid",
        3,
        "37500.00",
        "0.00",
    )
    assert position(city_fund_id()).cash.plain() == "200037500.00"

    body = api.act("operator", app_id, "archive", {"note": "立卷归档"}).get_json()
    assert body["state"] == "archived"
    assert events(body) == [
        ("submit", None, "submitted", "enterprise"),
        ("accept", "submitted", "accepted", "reviewer"),
        ("commit", "accepted", "bank_committed", "bank"),
        ("approve", "bank_committed", "approved", "operator"),
        ("prepare-disbursement", "approved", "approved", "operator"),
        ("authorise-disbursement", "approved", "disbursed", "operator"),
        ("confirm-renewal", "disbursed", "renewed", "bank"),
        ("confirm-return", "renewed", "repaid", "bank"),
        ("archive", "repaid", "archived", "operator"),
    ]
    assert body["events"][5]["actor"].startswith("赵复核")  # the checker, not the maker


def test_forty_five_million_goes_to_the_leading_group(api, flows):
    application = flows.submit(amount="45,000,000.00", loan_due="50,000,000.00", own_funds="5,000,000.00")
    flows.step(application, "accept")
    flows.step(application, "commit")
    body = api.act(
        "operator", application.id, "approve", {"amount": "45000000.00", "own_funds_confirmed": "5000000.00"}
    ).get_json()
    assert body["state"] == "group_review"
    assert body["group_reasons"] == ["金额超过 4,000.00 万元"]
    assert position(city_fund_id()).reserved.plain() == "45000000.00"  # reserved while the group decides
    body = api.act("group", application.id, "group-approve", {"minutes_ref": "领导小组纪要〔2026〕3号"}).get_json()
    assert (body["state"], body["group_minutes_ref"]) == ("approved", "领导小组纪要〔2026〕3号")


def test_a_loan_overdue_at_the_bank_goes_to_the_group_even_at_one_million(api, flows):
    application = flows.submit(amount="1,000,000.00", loan_due="1,000,000.00", own_funds="0.00", overdue=True)
    assert api.get("operator", f"/applications/{application.id}").get_json()["group_reasons"] == [
        "到期贷款已在银行逾期"
    ]
    flows.step(application, "accept")
    flows.step(application, "commit")
    body = api.act(
        "operator", application.id, "approve", {"amount": "1000000.00", "own_funds_confirmed": "0.00"}
    ).get_json()
    assert body["state"] == "group_review"


def test_forty_million_exactly_does_not_go_to_the_group(api, flows):
    application = flows.submit(amount="40,000,000.00", loan_due="40,000,000.00", own_funds="0.00")
    flows.step(application, "accept")
    flows.step(application, "commit")
    body = api.act("operator", application.id, "approve", {"amount": "40000000.00", "own_funds_confirmed": "0.00"})
    assert body.get_json()["state"] == "approved"


def test_a_return_one_fen_short_stays_open_as_a_shortfall(api, flows, traveller):
    application = flows.to(flows_state("disbursed"))
    traveller.shift(timedelta(days=3))
    response = api.act(
        "bank1",
        application.id,
        "confirm-return",
        {"received_on": "2026-11-04", "principal": "30000000.00", "fee": "37499.99", "transfer_ref": "HS-1"},
    )
    body = response.get_json()
    assert response.status_code == 200
    assert (body["state"], body["outstanding"], body["fee_received"]) == ("disbursed", "0.01", "37499.99")
    assert body["events"][-1]["note"] == "收回不足，差额待补"
    body = api.act(
        "bank1",
        application.id,
        "confirm-return",
        {"received_on": "2026-11-04", "principal": "0.00", "fee": "0.01", "transfer_ref": "HS-2"},
    ).get_json()
    assert (body["state"], body["outstanding"]) == ("repaid", "0.00")


def test_more_than_is_owed_is_refused(api, flows, traveller):
    application = flows.to(flows_state("disbursed"))
    traveller.shift(timedelta(days=3))
    response = api.act(
        "bank1",
        application.id,
        "confirm-return",
        {"received_on": "2026-11-04", "principal": "30000000.00", "fee": "37500.01", "transfer_ref": "HS-1"},
    )
    assert response.status_code == 422
    assert (
        response.get_json()["violations"][0]["message"]
        == "收取费用 37,500.01 元超过应收费用余额 37,500.00 元（按实际使用 3 天计）"
    )
    assert db.session.scalar(select(func.count()).select_from(Receipt)) == 0


def test_the_same_confirm_return_twice_with_one_key_posts_once(api, flows, traveller):
    application = flows.to(flows_state("renewed"))
    traveller.shift(timedelta(days=3))
    body = {"received_on": "2026-11-04", "principal": "30000000.00", "fee": "37500.00", "transfer_ref": "HS-1"}
    first = api.act("bank1", application.id, "confirm-return", body, key="return-0001")
    second = api.act("bank1", application.id, "confirm-return", body, key="return-0001")
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(select(func.count()).select_from(Receipt)) == 1
    assert position(city_fund_id()).cash.plain() == "200037500.00"


def test_the_same_key_with_another_body_is_422(api, flows, traveller):
    application = flows.to(flows_state("renewed"))
    traveller.shift(timedelta(days=3))
    body = {"received_on": "2026-11-04", "principal": "1000.00", "fee": "0.00", "transfer_ref": "HS-1"}
    assert api.act("bank1", application.id, "confirm-return", body, key="k1").status_code == 200
    response = api.act("bank1", application.id, "confirm-return", body | {"principal": "2000.00"}, key="k1")
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"Idempotency-Key": ["该幂等键已用于内容不同的请求"]}
    assert db.session.scalar(select(func.count()).select_from(Receipt)) == 1


def test_money_moving_posts_need_an_idempotency_key(api, flows):
    application = flows.to(flows_state("bank_committed"))
    response = api.post(
        "operator",
        f"/applications/{application.id}/approve",
        {"amount": "30000000.00", "own_funds_confirmed": "10000000.00"},
    )
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"Idempotency-Key": ["此请求必须提供 Idempotency-Key"]}
    assert api.get("operator", f"/applications/{application.id}").get_json()["state"] == "bank_committed"


def test_maker_cannot_authorise_own_disbursement(api, flows):
    application = flows.to(flows_state("approved"))
    api.act("operator", application.id, "prepare-disbursement", {"value_date": "2026-11-01", "transfer_ref": "H1"})
    response = api.act("operator", application.id, "authorise-disbursement")
    assert response.status_code == 403
    assert response.get_json()["detail"] == "制单人与复核人不能为同一人"
    assert api.get("operator", f"/applications/{application.id}").get_json()["state"] == "approved"


def test_value_date_in_the_future_is_refused(api, flows):
    application = flows.to(flows_state("approved"))
    response = api.act(
        "operator", application.id, "prepare-disbursement", {"value_date": "2026-11-02", "transfer_ref": "H1"}
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"value_date": ["起息日不能晚于今天（2026-11-01）"]}


def test_renewal_three_days_after_disbursement_is_flagged_late(api, flows, traveller):
    application = flows.to(flows_state("disbursed"))
    traveller.shift(timedelta(days=3))
    body = api.act(
        "bank1",
        application.id,
        "confirm-renewal",
        {"new_loan_contract_no": "X", "new_loan_amount": "40000000.00", "renewed_on": "2026-11-04"},
    )
    assert body.get_json()["renewal_late"] is True


def test_renewal_before_the_value_date_is_refused(api, flows):
    application = flows.to(flows_state("disbursed"))
    response = api.act(
        "bank1",
        application.id,
        "confirm-renewal",
        {"new_loan_contract_no": "X", "new_loan_amount": "1.00", "renewed_on": "2026-10-31"},
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"renewed_on": ["续贷日期不能早于起息日（2026-11-01）"]}


def test_overdue_is_shown_after_the_tenth_day(api, flows, traveller):
    application = flows.to(flows_state("disbursed"))
    traveller.shift(timedelta(days=10))
    assert api.get("operator", f"/applications/{application.id}").get_json()["overdue"] is False
    traveller.shift(timedelta(days=1))
    body = api.get("operator", f"/applications/{application.id}").get_json()
    assert body["overdue"] is True
    assert body["days_used"] == 11
    assert body["expected_fee"] == "145500.00"  # 30,000,000 × (2 × 0.40‰ + 9 × 0.45‰ = 4.85‰)


def flows_state(name):
    from loanfund.domain.lifecycle import State

    return State(name)


def test_a_refused_approval_lists_every_violation_and_changes_nothing(api, flows):
    application = flows.to(flows_state("bank_committed"))
    count = db.session.scalar(select(func.count()).select_from(ApplicationEvent))
    response = api.act("operator", application.id, "approve", {"amount": "39000000.00", "own_funds_confirmed": "0.00"})
    assert response.status_code == 422
    problem = response.get_json()
    assert [v["code"] for v in problem["violations"]] == ["exceeds_commitment_cap", "own_funds_insufficient"]
    assert problem["violations"][0]["message"] == "申请金额 3,900.00 万元超过银行承诺续贷额度的80%（3,200.00 万元）"
    assert db.session.scalar(select(func.count()).select_from(ApplicationEvent)) == count
    assert position(city_fund_id()).reserved.plain() == "0.00"


def test_a_retry_while_the_first_request_holds_the_key_is_409(api, flows, traveller):
    from loanfund.models import IdempotencyKey

    application = flows.to(flows_state("renewed"))
    body = {"received_on": "2026-11-01", "principal": "1000.00", "fee": "0.00", "transfer_ref": "HS-1"}
    first = api.act("bank1", application.id, "confirm-return", body, key="k-in-flight")
    assert first.status_code == 200
    # The first request's claim without its answer: what a second request sees while the first has not finished.
    row = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "k-in-flight"))
    row.response_status = None
    db.session.commit()
    second = api.act("bank1", application.id, "confirm-return", body, key="k-in-flight")
    assert second.status_code == 409
    assert second.get_json()["title"] == "相同请求正在处理中"
    assert db.session.scalar(select(func.count()).select_from(Receipt)) == 1

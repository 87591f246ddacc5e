"""Tokens, bearer authentication, listing with filters and pages, creating applications."""

import base64

import pytest

from loanfund.domain.lifecycle import State
from tests.conftest import DEMO_PASSWORD
from tests.factories import city_fund_id

pytestmark = pytest.mark.both_databases


def basic(username, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def test_token_for_username_and_password(client, people):
    response = client.post("/api/v1/tokens", headers=basic("operator", DEMO_PASSWORD))
    assert response.status_code == 201
    body = response.get_json()
    assert len(body["token"]) > 30
    assert body["expires_at"].endswith("+00:00")


def test_wrong_password_gets_no_token(client, people):
    response = client.post("/api/v1/tokens", headers=basic("operator", "nope"))
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert (
        response.get_json()["detail"]
        == "用户名或密码不正确。同一账户在同一地址连续失败 5 次后须等待 15 分钟，或请系统管理员解除限制"
    )


def test_no_credentials_gets_401(client, people):
    assert client.post("/api/v1/tokens").status_code == 401


def test_calls_without_a_token_are_401(client, people):
    response = client.get("/api/v1/applications")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="loanfund"'


def test_a_made_up_token_is_401(client, people):
    response = client.get("/api/v1/banks", headers={"Authorization": "Bearer made-up"})
    assert response.status_code == 401
    assert response.get_json()["detail"] == "令牌无效、已过期或已吊销，请重新获取"


def test_only_enterprises_apply(api):
    response = api.post("operator", "/applications", {})
    assert response.status_code == 403


def test_apply_with_bad_fields_names_each(api):
    response = api.post(
        "ent1",
        "/applications",
        {"bank_id": "1", "loan_amount_due": "abc", "requested_days": 11, "loan_due_date": "29/11/2026"},
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert errors["bank_id"] == ["须为整数"]
    assert errors["loan_amount_due"] == ["金额格式不正确，请填写数字，如 12,345.67"]
    assert errors["loan_due_date"] == ["日期格式应为 YYYY-MM-DD"]
    assert errors["loan_contract_no"] == ["此项为必填项"]


def test_apply_breaking_rules_lists_every_violation(api, traveller):
    banks = api.get("ent1", "/banks").get_json()["items"]
    response = api.post(
        "ent1",
        "/applications",
        {
            "bank_id": banks[0]["id"],
            "loan_contract_no": "X",
            "loan_amount_due": "1000000.00",
            "loan_due_date": "2026-10-01",
            "loan_overdue": False,
            "requested_amount": "1200000.00",
            "requested_days": 11,
            "own_funds": "0.00",
        },
    )
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["errors"] == {  # all three at once (issue 12): days, R7, a due date already passed
        "requested_days": ["用款天数不得超过 10 天"],
        "requested_amount": ["申请金额 120.00 万元超过到期贷款本息 100.00 万元"],
        "loan_due_date": ["贷款到期日 2026-10-01 已过；如贷款已在银行逾期，请如实勾选“贷款已逾期”"],
    }
    response = api.post(
        "ent1",
        "/applications",
        {
            "bank_id": banks[0]["id"],
            "loan_contract_no": "X",
            "loan_amount_due": "1000000.00",
            "loan_due_date": "2026-10-01",
            "loan_overdue": False,
            "requested_amount": "1200000.00",
            "requested_days": 10,
            "own_funds": "0.00",
        },
    )
    assert [v["code"] for v in response.get_json()["violations"]] == ["exceeds_loan_due", "loan_due_date_passed"]


def test_an_unknown_bank_is_a_field_error(api, traveller):
    response = api.post(
        "ent1",
        "/applications",
        {
            "bank_id": 999,
            "loan_contract_no": "X",
            "loan_amount_due": "1000000.00",
            "loan_due_date": "2026-11-03",
            "loan_overdue": False,
            "requested_amount": "800000.00",
            "requested_days": 3,
            "own_funds": "200000.00",
        },
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"bank_id": ["请选择合作银行"]}


def test_a_blacklisted_enterprise_is_refused_with_the_end_date(api, traveller):
    from datetime import date

    from loanfund.extensions import db
    from loanfund.models import BlacklistEntry

    db.session.add(
        BlacklistEntry(
            fund_id=city_fund_id(),
            credit_code="91320706MA1Q8RXL4A",
            enterprise_name="海润",
            reason="逾期不归还应急转贷资金",
            listed_on=date(2025, 3, 1),
            ends_on=date(2028, 3, 1),
            state="confirmed",
        )
    )
    db.session.commit()
    banks = api.get("ent1", "/banks").get_json()["items"]
    response = api.post(
        "ent1",
        "/applications",
        {
            "bank_id": banks[0]["id"],
            "loan_contract_no": "X",
            "loan_amount_due": "1000000.00",
            "loan_due_date": "2026-11-03",
            "loan_overdue": False,
            "requested_amount": "800000.00",
            "requested_days": 3,
            "own_funds": "200000.00",
        },
    )
    assert response.status_code == 422
    assert response.get_json()["violations"][0]["message"] == (
        "该企业因“逾期不归还应急转贷资金”于 2025-03-01 列入黑名单，限制期至 2028-03-01（含），期间不得申请应急转贷资金"
    )


def test_listing_filters_by_state_and_pages(api, flows):
    for _ in range(3):
        flows.to(State.SUBMITTED)
    flows.to(State.ACCEPTED)
    body = api.get("reviewer", "/applications?state=submitted&per_page=2").get_json()
    assert (body["total"], len(body["items"]), body["page"]) == (3, 2, 1)
    assert (
        api.get("reviewer", "/applications?state=submitted&per_page=2&page=2").get_json()["items"][0]["state"]
        == "submitted"
    )
    assert api.get("reviewer", "/applications?state=nonsense").get_json()["errors"] == {"state": ["未知状态：nonsense"]}
    assert api.get("reviewer", "/applications?page=0").status_code == 422
    assert api.get("reviewer", "/applications?per_page=1000").status_code == 422


def test_the_list_pages_by_cursor_as_deep_as_it_goes_and_by_page_only_so_far(api, flows):
    made = sorted((flows.to(State.SUBMITTED).id for _ in range(5)), reverse=True)  # newest first
    seen, cursor, pages = [], None, 0
    while True:
        path = "/applications?per_page=2" + (f"&cursor={cursor}" if cursor else "")
        body = api.get("reviewer", path).get_json()
        seen += [item["id"] for item in body["items"]]
        cursor, pages = body["next_cursor"], pages + 1
        assert body["page"] == (1 if pages == 1 else None)
        if cursor is None:
            break
    assert (seen, pages) == (made, 3)  # 2 + 2 + 1, each once, in order
    deep = api.get("reviewer", "/applications?per_page=100&page=102")  # row 10,100: beyond what a page reaches
    assert deep.get_json()["errors"] == {
        "page": ["按页码最多翻到第 10,000 条；更深处请用 cursor（上一页返回的 next_cursor）继续"]
    }
    assert api.get("reviewer", "/applications?per_page=100&page=101").status_code == 200  # row 10,000: still there
    both = api.get("reviewer", f"/applications?page=2&cursor={made[1]}").get_json()["errors"]
    assert both == {"cursor": ["cursor 与 page 不能同时使用"]}
    for bad in ("0", "abc", "²", "99999999999"):
        assert api.get("reviewer", f"/applications?cursor={bad}").get_json()["errors"] == {
            "cursor": ["须为上一页返回的 next_cursor"]
        }


def test_detail_carries_events(api, flows):
    application = flows.to(State.ACCEPTED)
    body = api.get("ent1", f"/applications/{application.id}").get_json()
    assert [e["action"] for e in body["events"]] == ["submit", "accept"]
    assert body["reference"] == f"ZD2026{application.id:05d}"


def test_unknown_action_is_404(api, flows):
    application = flows.to(State.SUBMITTED)
    assert api.post("reviewer", f"/applications/{application.id}/teleport", {}).status_code == 404


def test_openapi_document_lists_every_action(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for action in ("accept", "approve", "confirm-return", "archive", "write-off"):
        assert f"/applications/{{application_id}}/{action}" in spec["paths"]
    assert spec["components"]["schemas"]["QuoteRequest"]["required"] == ["amount", "days"]


def test_an_id_beyond_the_database_integer_is_a_field_error_not_a_crash(api, traveller):
    response = api.post(
        "ent1",
        "/applications",
        {
            "bank_id": 10**20,
            "loan_contract_no": "X",
            "loan_amount_due": "1000000.00",
            "loan_due_date": "2026-11-03",
            "loan_overdue": False,
            "requested_amount": "800000.00",
            "requested_days": 3,
            "own_funds": "200000.00",
        },
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"bank_id": ["数值超出允许范围"]}
    assert api.get("operator", f"/applications/{10**20}").status_code == 404


def test_a_nul_in_the_username_is_a_plain_401(client, people):
    response = client.post("/api/v1/tokens", headers=basic("oper\x00ator", DEMO_PASSWORD))
    assert response.status_code == 401
    assert (
        response.get_json()["detail"]
        == "用户名或密码不正确。同一账户在同一地址连续失败 5 次后须等待 15 分钟，或请系统管理员解除限制"
    )

"""A fund set up through the API alone (issue 27, DESIGN §7): the platform administrator creates Donghai's fund with a
policy of four bands and its administrator; the administrator its staff, its bank officer and its capital; then a
Donghai firm's bridge is quoted, goes out and comes back over the API, and the fund reconciles — while the city
fund's figures do not move."""

from __future__ import annotations

from datetime import date

import pytest

from loanfund.domain.money import Money
from loanfund.services.books.capital import contributor_named, record_contribution
from loanfund.services.books.fund import position
from tests.api.conftest import upload
from tests.conftest import DEMO_PASSWORD
from tests.factories import COUNTY_POLICY, UserFactory, city_fund_id, county_fund

pytestmark = pytest.mark.both_databases

# the county's policy (tests.factories) with four bands instead of one, written out: ≤ 500万 0.30/0.40‰,
# < 1000万 0.25/0.35‰, < 2000万 0.20/0.30‰, beyond 0.15/0.25‰
POLICY = COUNTY_POLICY | {
    "bands": [
        {
            "upper_bound": "5000000.00",
            "upper_inclusive": True,
            "base_rate_permille": "0.30",
            "extended_rate_permille": "0.40",
        },
        {
            "upper_bound": "10000000.00",
            "upper_inclusive": False,
            "base_rate_permille": "0.25",
            "extended_rate_permille": "0.35",
        },
        {
            "upper_bound": "20000000.00",
            "upper_inclusive": False,
            "base_rate_permille": "0.20",
            "extended_rate_permille": "0.30",
        },
        {"upper_bound": None, "base_rate_permille": "0.15", "extended_rate_permille": "0.25"},
    ],
}
FUND = {
    "code": "DH",
    "name": "东海县中小微企业应急转贷资金",
    "short_name": "县应急转贷资金",
    "regulation": "东海县中小微企业应急转贷资金管理办法",
    "regulation_number": "东政规发〔2025〕5号",
    "districts": ["donghai"],
    "bodies": {
        "authority": "东海县工业和信息化局",
        "group_office": "东海县中小微企业应急转贷资金领导小组办公室",
        "reviewing_body": "县中小企业服务中心",
        "operating_body": "县财政投资公司",
    },
    "special_account": {
        "bank": "中国工商银行东海支行",
        "account_name": "东海县应急转贷资金专户",
        "account_no": "1107 0000 0001",
    },
    "policy": POLICY,
}
# ICBC's Donghai branch cooperating with the county's fund: its own agreement and designated account
AGREEMENT = {
    "bank": "中国工商银行东海县支行",
    "code": "ICBC-DH",
    "agreement_no": "DH-ZD-2026-001",
    "agreement_from": "2026-01-01",
    "agreement_to": "2028-12-31",
    "account_name": "中国工商银行东海县支行转贷资金过渡户",
    "account_no": "1107 0230 0900 0456 789",
    "account_bank": "中国工商银行东海县支行",
}


@pytest.fixture
def platform_admin(people):  # type: ignore[no-untyped-def]
    return UserFactory(username="platform", role="platform", display_name="平台管理员")


def test_a_fund_created_through_the_api_lends_and_reconciles_apart_from_the_city(
    api, platform_admin, traveller, runner
):
    city_before = position(city_fund_id())
    created = api.post("platform", "/funds", FUND)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["code"] == "DH" and created.get_json()["region_code"] == "320722"
    assert (
        api.post(
            "platform", "/funds/DH/users", {"username": "dh_admin", "password": DEMO_PASSWORD, "role": "admin"}
        ).status_code
        == 201
    )
    # ICBC's Donghai branch cooperates with the county's fund on its own agreement and designated account
    agreement = AGREEMENT
    made = api.post("dh_admin", "/funds/DH/banks", agreement)
    assert made.status_code == 201, made.get_json()
    icbc = made.get_json()["id"]
    assert [(b["fund"], b["code"]) for b in api.get("ent2", "/banks?fund=DH").get_json()["items"]] == [
        ("DH", "ICBC-DH")
    ]
    for username, role in (("dh_reviewer", "reviewer"), ("dh_operator", "operator"), ("dh_operator2", "operator")):
        assert (
            api.post(
                "dh_admin", "/funds/DH/users", {"username": username, "password": DEMO_PASSWORD, "role": role}
            ).status_code
            == 201
        )
    officer = {"username": "dh_bank1", "password": DEMO_PASSWORD, "role": "bank", "bank_id": icbc}
    assert api.post("dh_admin", "/funds/DH/users", officer).status_code == 201
    capital = {
        "contributor": "东海县财政局",
        "kind": "county",
        "amount": "20000000.00",
        "contributed_on": "2026-10-30",
        "reference": "CZ20261030001",
    }
    assert api.post("dh_admin", "/funds/DH/contributions", capital).status_code == 201

    # 8,000,000.00 is in the second band: 8,000,000 × (5 × 0.25‰ + 1 × 0.35‰) = 12,800.00 for 6 days
    quote = api.client.post("/api/v1/quotes", json={"amount": "8000000.00", "days": 6, "fund": "DH"}).get_json()
    assert (quote["fund"], quote["band"], quote["fee"]) == ("DH", 2, "12800.00")

    apply = {
        "fund": "DH",
        "bank_id": icbc,
        "loan_contract_no": "工银东借字2026第0001号",
        "loan_amount_due": "10000000.00",
        "loan_due_date": "2026-11-02",
        "loan_overdue": False,
        "requested_amount": "8000000.00",
        "requested_days": 6,
        "own_funds": "2000000.00",
        "purpose": "归还到期流动资金贷款",
    }
    applied = api.post("ent2", "/applications", apply)
    assert applied.status_code == 201, applied.get_json()
    app_id = applied.get_json()["id"]
    assert applied.get_json()["expected_fee"] == "12800.00"
    for category in ("licence", "loan_contract", "financials"):
        assert upload(api, "ent2", app_id, category).status_code == 201
    assert upload(api, "dh_reviewer", app_id, "credit_report").status_code == 201
    findings = {
        "credit_report_date": "2026-10-30",
        "credit_adverse": "none",
        "credit_industry": "fits",
        "credit_operating": "good",
        "credit_check_note": "征信正常",
        "note": "材料齐全",
    }
    steps = [
        ("dh_reviewer", "accept", findings, "accepted"),
        ("dh_bank1", "commit", {"committed_amount": "10000000.00", "opinion": "同意续贷"}, "bank_committed"),
        ("dh_operator", "approve", {"amount": "8000000.00", "own_funds_confirmed": "2000000.00"}, "approved"),
        ("dh_operator", "prepare-disbursement", {"value_date": "2026-11-01", "transfer_ref": "DH-HK-1"}, "approved"),
        ("dh_operator2", "authorise-disbursement", {}, "disbursed"),
    ]
    for username, action, body, state in steps:
        if action == "commit":
            assert upload(api, "dh_bank1", app_id, "commitment").status_code == 201
        answer = api.act(username, app_id, action, body)
        assert (answer.status_code, answer.get_json()["state"]) == (200, state), answer.get_json()
    assert position(city_fund_id()) == city_before
    # nobody of the city sees the county's bridge
    for username in ("reviewer", "operator", "group", "bank1", "admin"):
        assert api.get(username, f"/applications/{app_id}").status_code == 404
    traveller.move_to("2026-11-07 09:00:00+08:00")
    renewal = {
        "new_loan_contract_no": "工银东借字2026第0002号",
        "new_loan_amount": "10000000.00",
        "renewed_on": "2026-11-02",
    }
    assert api.act("dh_bank1", app_id, "confirm-renewal", renewal).get_json()["state"] == "renewed"
    back = {"received_on": "2026-11-07", "principal": "8000000.00", "fee": "12800.00", "transfer_ref": "DH-HS-1"}
    answer = api.act("dh_bank1", app_id, "confirm-return", back).get_json()
    assert (answer["state"], answer["days_used"], answer["outstanding"]) == ("repaid", 6, "0.00")

    result = runner.invoke(args=["loanfund", "reconcile", "--fund", "DH"])
    assert result.exit_code == 0, result.output
    assert "对账一致。" in result.output
    assert position(city_fund_id()) == city_before
    city = runner.invoke(args=["loanfund", "reconcile", "--fund", "LYG"])
    assert city.exit_code == 0 and "专用账户资金：账簿 = 资金头寸：应为 200,000,000.00" in city.output


def test_only_the_platform_administrator_creates_funds_and_another_funds_paths_answer_404(api, platform_admin):
    assert api.post("admin", "/funds", FUND).status_code == 403
    assert api.post("platform", "/funds", FUND).status_code == 201
    # the city's administrator cannot reach the county's users, policies or capital
    assert (
        api.post(
            "admin", "/funds/DH/users", {"username": "x1", "password": DEMO_PASSWORD, "role": "operator"}
        ).status_code
        == 404
    )
    assert api.get("admin", "/funds/DH/policies").status_code == 404
    assert api.get("admin", "/funds/LYG/policies").status_code == 200
    # the platform administrator sets up a fund's administrator, not its operators
    refused = api.post("platform", "/funds/DH/users", {"username": "x2", "password": DEMO_PASSWORD, "role": "operator"})
    assert refused.status_code == 403


def test_a_fund_with_bad_fields_is_refused_with_every_one_named(api, platform_admin):
    bad = FUND | {
        "code": "dh-1",
        "districts": ["donghai", "nanjing"],
        "policy": POLICY
        | {
            "cap_ratio": "abc",
            "bands": [{"upper_bound": None, "base_rate_permille": "9", "extended_rate_permille": "0.4"}],
        },
    }
    answer = api.post("platform", "/funds", bad)
    assert answer.status_code == 422
    assert answer.get_json()["errors"] == {
        "code": ["代码须为 2–16 位大写字母或数字，以字母开头，如 DH"],
        "districts": ["未知县区：nanjing"],
        "policy.bands.0.base_rate_permille": ["日费率不能超过 5‰"],
        "policy.cap_ratio": ["须为数字"],
    }
    assert api.get("platform", "/funds").get_json()["items"][-1]["code"] == "LYG"  # nothing was created


def test_the_overseer_reads_every_fund_side_by_side_and_acts_on_none(api, platform_admin):
    UserFactory(username="overseer", role="overseer", display_name="市工业和信息化局")
    county = county_fund()
    record_contribution(
        contributor_named(county.id, "东海县财政局", "county"),
        Money.parse("20,000,000.00"),
        date(2026, 10, 30),
        "CZ20261030001",
    )
    answer = api.get("overseer", "/overview").get_json()
    assert [(i["fund"], i["cash"], i["reserved"], i["out"]) for i in answer["items"]] == [
        ("LYG", "200000000.00", "0.00", "0.00"),
        ("DH", "20000000.00", "0.00", "0.00"),
    ]
    assert (answer["total"]["name"], answer["total"]["cash"]) == ("合计", "220000000.00")
    assert api.post("overseer", "/funds", FUND).status_code == 403
    assert api.get("overseer", "/applications").status_code == 403
    assert api.post("overseer", "/funds/DH/contributions", {}).status_code == 403
    assert api.get("admin", "/overview").status_code == 403


def test_a_funds_administrator_keeps_its_checklist_over_the_api(api, platform_admin):
    assert api.post("platform", "/funds", FUND).status_code == 201
    admin = {"username": "dh_admin", "password": DEMO_PASSWORD, "role": "admin"}
    assert api.post("platform", "/funds/DH/users", admin).status_code == 201
    defaults = api.get("dh_admin", "/funds/DH/checklist").get_json()["items"]
    assert [i["code"] for i in defaults][:3] == ["licence", "loan_contract", "financials"]  # the default list
    tax = {
        "code": "tax_proof",
        "label": "完税证明",
        "provided_by": "enterprise",
        "needed_for": "accept",
        "required": True,
    }
    made = api.post("dh_admin", "/funds/DH/checklist", tax)
    assert made.status_code == 201, made.get_json()
    item = made.get_json()["id"]
    assert "tax_proof" not in [i["code"] for i in api.get("admin", "/funds/LYG/checklist").get_json()["items"]]
    retired = api.client.put(
        f"/api/v1/funds/DH/checklist/{item}", json=tax | {"active": False}, headers=api.headers("dh_admin")
    )
    assert (retired.status_code, retired.get_json()["active"]) == (200, False)
    theirs = api.client.put(f"/api/v1/funds/LYG/checklist/{item}", json=tax, headers=api.headers("admin"))
    assert theirs.status_code == 404
    bad = api.post("dh_admin", "/funds/DH/checklist", tax | {"code": "x", "provided_by": "nobody"})
    assert bad.get_json()["errors"] == {
        "code": ["代码用小写英文字母、数字和下划线，以字母开头，2–32 位"],
        "provided_by": ["请选择提供方"],
    }


def test_a_funds_administrator_sets_its_warning_thresholds_over_the_api(api, platform_admin):
    assert api.post("platform", "/funds", FUND).status_code == 201
    admin = {"username": "dh_admin", "password": DEMO_PASSWORD, "role": "admin"}
    assert api.post("platform", "/funds/DH/users", admin).status_code == 201
    defaults = {
        "due_within_days": "3",
        "concentration_percent": "30",
        "utilisation_percent": "80",
        "statement_days": "2",
    }
    limits = {  # 办理时限 (issue 30): the defaults, in working days
        "limit_acceptance": "1",
        "limit_commitment": "2",
        "limit_approval": "1",
        "limit_group": "3",
        "limit_disbursement": "1",
        "limit_whole": "5",
    }
    defaults |= limits
    assert api.get("dh_admin", "/funds/DH/settings").get_json() == defaults
    wanted = {"due_within_days": "5", "concentration_percent": "40.5", "utilisation_percent": "90"}
    saved = api.client.put("/api/v1/funds/DH/settings", json=wanted, headers=api.headers("dh_admin"))
    assert (saved.status_code, saved.get_json()) == (200, wanted | {"statement_days": "2"} | limits)  # left out: kept
    assert api.get("admin", "/funds/LYG/settings").get_json() == defaults  # the city's did not move
    theirs = api.client.put("/api/v1/funds/LYG/settings", json=wanted, headers=api.headers("dh_admin"))
    assert theirs.status_code == 404
    bad = api.client.put(
        "/api/v1/funds/DH/settings",
        json={"due_within_days": "31", "concentration_percent": "0", "utilisation_percent": "80.25"},
        headers=api.headers("dh_admin"),
    )
    assert (bad.status_code, bad.content_type) == (422, "application/problem+json")
    assert bad.get_json()["errors"] == {
        "due_within_days": ["请填写 0 至 30 之间的整数天数"],
        "concentration_percent": ["请填写 0 至 100 之间的百分比，如 30"],
        "utilisation_percent": ["百分比最多保留 1 位小数"],
    }
    kept = wanted | {"statement_days": "2"} | limits
    assert api.get("dh_admin", "/funds/DH/settings").get_json() == kept  # nothing changed
    days = api.client.put(
        "/api/v1/funds/DH/settings", json=wanted | {"statement_days": "31"}, headers=api.headers("dh_admin")
    )
    assert days.get_json()["errors"] == {"statement_days": ["请填写 0 至 30 之间的整数天数"]}
    days = api.client.put(
        "/api/v1/funds/DH/settings", json=wanted | {"statement_days": "0"}, headers=api.headers("dh_admin")
    )
    assert days.get_json() == wanted | {"statement_days": "0"} | limits


def test_a_funds_banks_are_kept_over_the_api_with_the_account_changed_by_two(api, platform_admin):
    """One bank cooperating with two funds: ICBC's Donghai branch signs with the county on its own agreement and
    account; a new account is proposed by one and in force when another confirms it (第十七条); the city's banks and
    changes are not the county's to see or decide (404)."""
    assert api.post("platform", "/funds", FUND).status_code == 201
    for username, role in (("dh_admin", "admin"), ("dh_operator", "operator")):
        user = {"username": username, "password": DEMO_PASSWORD, "role": role}
        assert api.post("platform" if role == "admin" else "dh_admin", "/funds/DH/users", user).status_code == 201
    agreement = AGREEMENT
    bad = api.post("dh_admin", "/funds/DH/banks", agreement | {"agreement_to": "2025-12-31", "code": ""})
    assert (bad.status_code, bad.get_json()["errors"]) == (
        422,
        {"code": ["此项为必填项"], "agreement_to": ["协议结束日不能早于开始日"]},
    )
    made = api.post("dh_admin", "/funds/DH/banks", agreement)
    assert made.status_code == 201, made.get_json()
    bank = made.get_json()
    assert (bank["fund"], bank["bank"], bank["proposed"]) == ("DH", "中国工商银行东海县支行", None)
    again = api.post("dh_admin", "/funds/DH/banks", agreement)
    assert again.get_json()["errors"] == {
        "code": ["已有同名或同代码的合作银行"],
        "bank": ["已有同名或同代码的合作银行"],
    }
    # the city's ICBC has the same name in its own fund: no clash across funds
    assert (
        api.post(
            "dh_admin", "/funds/DH/banks", agreement | {"code": "ICBC-LYG", "bank": "中国工商银行连云港分行"}
        ).status_code
        == 201
    )

    moved = agreement | {"account_no": "1107 0230 0900 0999 999"}
    changed = api.client.put(f"/api/v1/funds/DH/banks/{bank['id']}", json=moved, headers=api.headers("dh_admin"))
    assert changed.status_code == 200
    proposed = changed.get_json()["proposed"]
    assert (changed.get_json()["account_no"], proposed["new_account_no"], proposed["decision"]) == (
        "1107 0230 0900 0456 789",  # still the old one until another confirms
        "1107 0230 0900 0999 999",
        "pending",
    )
    path = f"/funds/DH/bank-account-changes/{proposed['id']}/decision"
    own = api.post("dh_admin", path, {"confirm": True})
    assert (own.status_code, own.get_json()["code"]) == (403, "maker_checker")
    assert api.post("operator", path.replace("/DH/", "/LYG/"), {"confirm": True}).status_code == 404
    confirmed = api.post("dh_operator", path, {"confirm": True, "note": "已电话核实"})
    assert (confirmed.status_code, confirmed.get_json()["decision"]) == (200, "confirmed")
    listed = api.get("dh_admin", "/funds/DH/banks").get_json()["items"]
    assert [(b["code"], b["account_no"]) for b in listed] == [
        ("ICBC-DH", "1107 0230 0900 0999 999"),
        ("ICBC-LYG", "1107 0230 0900 0456 789"),
    ]
    assert api.post("dh_operator", path, {"confirm": False}).status_code == 409  # decided already
    assert api.get("admin", "/funds/DH/banks").status_code == 404
    assert (
        api.client.put(f"/api/v1/funds/LYG/banks/{bank['id']}", json=moved, headers=api.headers("admin")).status_code
        == 404
    )

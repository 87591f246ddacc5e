"""A fund is data (issue 27, DESIGN §7): with one fund the platform looks as that fund; with two, each page says whose
it is, a quote names its fund, and an enterprise applies to a fund whose region covers it — choosing when two do."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from loanfund.extensions import db
from loanfund.models import Application
from tests.api.conftest import Api
from tests.factories import city_fund, county_fund

pytestmark = pytest.mark.both_databases

APPLY = {
    "loan_contract_no": "东农商借字2026第0042号",
    "loan_amount_due": "12,000,000.00",
    "loan_due_date": "2026-11-25",
    "loan_overdue": False,
    "requested_amount": "10000000.00",
    "requested_days": 6,
    "own_funds": "2000000.00",
    "purpose": "归还到期流动资金贷款",
}


@pytest.fixture
def api(client, people) -> Api:  # type: ignore[no-untyped-def]
    return Api(client)


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()  # type: ignore[union-attr]


def footer(html: str) -> str:
    return re.sub(r"\s+", " ", re.search(r"<footer[^>]*>(.*?)</footer>", html, re.S).group(1)).strip()  # type: ignore[union-attr]


def test_with_one_fund_the_platform_is_that_fund(client, people):
    page = client.get("/guide").get_data(as_text=True)
    assert title(page) == "办事指南 · 连云港市中小企业应急转贷资金管理系统"
    assert footer(page) == (
        "连云港市中小企业应急转贷资金 · 资金管理平台（市中小企业发展中心、市工业投资集团） · 依据连政办发〔2018〕162号"
    )
    assert "在连云港市市域内依法设立" in page
    assert 'aria-label="转贷资金"' not in page  # no choice of funds to offer


def test_the_funds_names_are_its_rows_not_the_codes(client, people):
    fund = city_fund()
    fund.name, fund.reviewing_body = "某市中小企业应急转贷资金", "市企业服务中心"
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert title(page) == "用款费用测算 · 某市中小企业应急转贷资金管理系统"
    assert footer(page).startswith("某市中小企业应急转贷资金 · 资金管理平台（市企业服务中心、市工业投资集团）")


def test_with_two_funds_the_public_pages_offer_each_and_staff_see_their_own(client, auth, people):
    county_fund()
    public = client.get("/guide").get_data(as_text=True)
    assert title(public) == "办事指南 · 中小企业应急转贷资金管理平台"
    assert footer(public) == "中小企业应急转贷资金管理平台"
    assert (
        '<a class="nav-link active" aria-current="page"\n       href="/guide?fund=LYG">连云港市中小企业应急转贷资金</a>'
        in public
    )
    county = client.get("/guide?fund=DH").get_data(as_text=True)
    assert "东海县中小微企业应急转贷资金 · 依据东政规发〔2025〕5号" in county
    assert "在东海县县域内依法设立" in county
    assert client.get("/guide?fund=XX").status_code == 404
    auth.login("operator")
    staff = client.get("/").get_data(as_text=True)
    assert title(staff) == "用款费用测算 · 连云港市中小企业应急转贷资金管理系统"


def test_a_quote_names_its_fund_and_is_priced_by_its_policy(client, people):
    county_fund()
    city = client.post("/api/v1/quotes", json={"amount": "30000000.00", "days": 6, "fund": "LYG"}).get_json()
    county = client.post("/api/v1/quotes", json={"amount": "30000000.00", "days": 6, "fund": "dh"}).get_json()
    # the city (2018): 30,000,000 × (2 × 0.40‰ + 4 × 0.45‰) = 78,000.00; the county: × (5 × 0.2‰ + 1 × 0.4‰) = 42,000.00
    assert (city["fund"], city["fee"], city["policy"]) == ("LYG", "78000.00", "连政办发〔2018〕162号")
    assert (county["fund"], county["fund_name"], county["fee"], county["policy"]) == (
        "DH",
        "东海县中小微企业应急转贷资金",
        "42000.00",
        "东政规发〔2025〕5号",
    )
    unnamed = client.post("/api/v1/quotes", json={"amount": "30000000.00", "days": 6})
    assert unnamed.status_code == 422
    assert unnamed.get_json()["errors"] == {"fund": ["平台有多个转贷资金，请填写转贷资金代码"]}
    assert client.post("/api/v1/quotes", json={"amount": "1.00", "days": 1, "fund": "XX"}).status_code == 404


def test_a_donghai_firm_chooses_its_fund_and_a_haizhou_firm_has_one(api, people, traveller):
    traveller.move_to("2026-11-20 10:00:00+08:00")
    county_fund()
    banks = {(b["fund"], b["code"]): b["id"] for b in api.get("ent2", "/banks").get_json()["items"]}
    icbc, icbc_dh = banks["LYG", "ICBC-LYG"], banks["DH", "ICBC-DH"]  # ICBC cooperates with each fund
    unchosen = api.post("ent2", "/applications", APPLY | {"bank_id": icbc})
    assert unchosen.status_code == 422
    assert unchosen.get_json()["errors"] == {"fund": ["贵企业所在县区有多个转贷资金，请选择申请哪一个"]}
    through_the_other = api.post("ent2", "/applications", APPLY | {"bank_id": icbc, "fund": "DH"})
    assert through_the_other.get_json()["errors"] == {"bank_id": ["所选合作银行不在申请的转贷资金之列，请重新选择"]}
    to_county = api.post("ent2", "/applications", APPLY | {"bank_id": icbc_dh, "fund": "DH"})
    assert to_county.status_code == 201, to_county.get_json()
    assert to_county.get_json()["fund"] == "DH"
    outside = api.post("ent1", "/applications", APPLY | {"bank_id": icbc, "fund": "DH", "loan_contract_no": "X-1"})
    assert outside.get_json()["errors"] == {"fund": ["所选转贷资金不服务贵企业所在县区，请另选"]}
    to_city = api.post("ent1", "/applications", APPLY | {"bank_id": icbc, "loan_contract_no": "X-2"})
    assert to_city.status_code == 201 and to_city.get_json()["fund"] == "LYG"
    funds = dict(db.session.execute(select(Application.loan_contract_no, Application.fund_id)).all())
    assert funds == {"东农商借字2026第0042号": county_fund_id(), "X-2": city_fund().id}


def county_fund_id() -> int:
    from loanfund.models import Fund

    return db.session.scalars(select(Fund.id).where(Fund.code == "DH")).one()


def test_the_application_form_asks_for_the_fund_only_where_two_cover_the_firm(client, auth, people):
    county_fund()
    auth.login("ent2")
    donghai = client.get("/applications/new").get_data(as_text=True)
    assert '<option value="LYG">连云港市中小企业应急转贷资金</option>' in donghai
    assert '<option value="DH">东海县中小微企业应急转贷资金</option>' in donghai
    auth.login("ent1")
    haizhou = client.get("/applications/new").get_data(as_text=True)
    assert "申请的转贷资金" not in haizhou
    # the one fund covering it rides along, so the live estimate asks that fund's policy
    assert '<input type="hidden" name="fund" value="LYG">' in haizhou
    calculator = client.get("/?fund=DH").get_data(as_text=True)
    assert '<input type="hidden" name="fund" value="DH">' in calculator

"""The list of applications filters, searches and pages (issue 11), within what the user may see.

Three applications: ent1's 30,000,000.00 with ICBC (海州, medium, industry) on 1 Nov 2026; ent2's 4,000,000.00 with
JSB (东海, small) and ent3's 800,000.00 with ICBC (赣榆, micro, wholesale) on 3 Nov. Newest first."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

import loanfund.web.applications as web_applications
from loanfund.extensions import db
from loanfund.models import Application, Bank, Enterprise
from loanfund.services.applications import listing
from tests.api.test_query_counts import api_token

pytestmark = pytest.mark.both_databases


@pytest.fixture
def three(flows, traveller):  # type: ignore[no-untyped-def]
    first = flows.submit()
    traveller.shift(timedelta(days=2))
    second = flows.submit(
        enterprise="ent2", bank_code="JSB-LYG", amount="4,000,000.00", loan_due="5,000,000.00", own_funds="1,000,000.00"
    )
    third = flows.submit(enterprise="ent3", amount="800,000.00", loan_due="1,000,000.00", own_funds="200,000.00")
    return first.reference, second.reference, third.reference


def listed(client, **args: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get("/applications", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return re.findall(r">(ZD\d{9})</a>", response.get_data(as_text=True))


def test_each_filter_narrows_the_list(client, auth, three):
    first, second, third = three
    icbc = db.session.scalars(select(Bank.id).where(Bank.code == "ICBC-LYG")).one()
    auth.login("operator")
    assert listed(client) == [third, second, first]
    assert listed(client, bank_id=str(icbc)) == [third, first]
    assert listed(client, district="donghai") == [second]
    assert listed(client, size="micro") == [third]
    assert listed(client, industry="wholesale") == [third]
    assert listed(client, state="submitted") == [third, second, first]
    assert listed(client, state="accepted") == []
    assert listed(client, submitted_from="2026-11-03") == [third, second]
    assert listed(client, submitted_to="2026-11-01") == [first]  # 09:00 in Lianyungang is 01:00 UTC the same day
    assert listed(client, amount_min="1,000,000.00", amount_max="4,000,000.00") == [second]
    assert listed(client, amount_min="4,000,000.00", bank_id=str(icbc)) == [first]


def test_search_by_number_credit_code_or_part_of_the_name(client, auth, three):
    first, second, third = three
    auth.login("reviewer")
    assert listed(client, q=first) == [first]
    assert listed(client, q=first.lower()) == [first]
    assert listed(client, q="91320707ma20c7kd8a") == [third]  # 海丰水产's code, typed in lower case
    assert listed(client, q="晶华") == [second]
    assert listed(client, q="%") == []  # a wildcard is a character, not a pattern
    assert listed(client, q="_") == []


def test_a_name_of_three_characters_or_more_is_found_by_its_index_and_after_a_rename(client, auth, three):
    """SQLite looks a text of three characters or more up in its FTS5 trigram table (issue 28), kept by triggers."""
    _, second, third = three
    auth.login("reviewer")
    assert listed(client, q="晶华硅") == [second]
    assert listed(client, q="晶华硅材料有限公司") == [second]
    assert listed(client, q="海丰水") == [third]
    assert listed(client, q="晶华硅%") == []  # a wildcard in a longer text is still a character
    enterprise = db.session.scalars(select(Enterprise).where(Enterprise.name.like("%晶华硅%"))).one()
    enterprise.name = "东海县新晶科技有限公司"
    db.session.commit()
    assert listed(client, q="晶华硅") == []
    assert listed(client, q="新晶科技") == [second]


def test_the_enterprise_searches_only_its_own(client, auth, three):
    first, second, _ = three
    auth.login("ent1")
    assert listed(client) == [first]
    assert listed(client, q="晶华") == []
    assert listed(client, q=second) == []


def test_bad_filters_are_named_next_to_their_fields_and_list_nothing(client, auth, three):
    auth.login("operator")
    response = client.get(
        "/applications",
        query_string={
            "submitted_from": "2026-11-05",
            "submitted_to": "2026-11-01",
            "amount_min": "abc",
            "page": "0",
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for message in ("结束日期不能早于开始日期", "金额格式不正确，请填写数字，如 12,345.67", "页码不正确"):
        assert re.search(rf'class="invalid-feedback( d-block)?">{message}<', html), message
    assert re.findall(r">(ZD\d{9})</a>", html) == []


def test_pages_keep_the_filters(client, auth, three, monkeypatch):
    first, second, third = three
    monkeypatch.setattr(web_applications, "PER_PAGE", 2)
    auth.login("group")
    html = client.get("/applications", query_string={"q": "有限公司"}).get_data(as_text=True)
    assert re.findall(r">(ZD\d{9})</a>", html) == [third, second]
    assert "第 1 / 2 页" in html
    assert listed(client, q="有限公司", page="2") == [first]
    assert listed(client, q="有限公司", page="9") == [first]  # past the end: the last page
    assert 'href="/applications?q=%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8&amp;page=2"' in html


def test_a_bank_sees_only_what_was_routed_to_it_whatever_it_asks(client, auth, flows, three):
    first, _, third = three
    jsb = db.session.scalars(select(Bank.id).where(Bank.code == "JSB-LYG")).one()
    auth.login("bank1")
    assert listed(client) == []  # nothing is the bank's before the platform accepts it
    for application in db.session.scalars(select(Application).order_by(Application.id)):
        flows.step(application, "accept")
    assert listed(client) == [third, first]
    assert listed(client, bank_id=str(jsb)) == []
    assert listed(client, q="晶华") == []


def exported(client, **args: str):  # type: ignore[no-untyped-def]
    import io

    import openpyxl

    response = client.get("/applications/export.xlsx", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(response.data))["申请清单"]


def test_the_list_exports_what_it_shows_as_xlsx(client, auth, three):
    first, second, third = three
    auth.login("operator")
    assert "导出 Excel（按当前筛选，共 2 笔）" in client.get("/applications?bank_id=1&page=1").get_data(as_text=True)
    sheet = exported(client, size="micro")
    assert sheet["A2"].value == "筛选条件：企业规模：微型；共 1 笔"
    assert sheet.freeze_panes == "A5"
    assert [c.value for c in sheet[4]][:9] == [
        "编号",
        "企业",
        "统一社会信用代码",
        "县区",
        "规模",
        "行业",
        "合作银行",
        "贷款种类",
        "申请金额",
    ]
    row = [c.value for c in sheet[5]]
    assert row[:7] == [
        third,
        "赣榆区海丰水产贸易有限公司",
        "91320707MA20C7KD8A",
        "赣榆区",
        "微型",
        "批发业",
        "中国工商银行连云港分行",
    ]
    assert row[7] == "流动资金贷款"
    assert row[8] == 800000 and sheet["I5"].number_format == '#,##0.00"元"'
    assert sheet.max_row == 5
    everything = exported(client)
    assert [everything.cell(row=r, column=1).value for r in range(5, 8)] == [third, second, first]


def test_an_export_holds_only_what_the_user_may_see(client, auth, three):
    third = three[2]
    auth.login("bank2")  # JSB: none is routed to a bank before the reviewer accepts it
    sheet = exported(client)
    assert sheet.max_row == 4 and sheet["A2"].value == "筛选条件：全部；共 0 笔"
    auth.login("ent3")
    sheet = exported(client)
    assert sheet.max_row == 5 and sheet["A5"].value == third


def test_a_bad_filter_exports_nothing(client, auth, three):
    auth.login("operator")
    response = client.get("/applications/export.xlsx", query_string={"amount_min": "abc"})
    assert response.status_code == 422 and response.mimetype == "text/html"


def test_an_export_beyond_its_limit_says_how_many_more(client, auth, three, monkeypatch):
    monkeypatch.setattr(web_applications, "EXPORT_LIMIT", 2)
    auth.login("operator")
    sheet = exported(client)
    assert sheet["A2"].value == "筛选条件：全部；共 3 笔（本文件列出最新的 2 笔，请缩小筛选范围导出其余 1 笔）"
    assert sheet.max_row == 6


def test_a_list_beyond_its_count_cap_says_more_than_and_still_pages(client, auth, three, monkeypatch):
    """The count stops at the cap (10,000 in the fund; 2 here, over three applications): it reads no more rows than
    that, whatever the years hold — the page says 超过, the API total_capped."""
    monkeypatch.setattr(listing, "COUNT_CAP", 2)
    monkeypatch.setattr(web_applications, "PER_PAGE", 1)
    auth.login("operator")
    html = client.get("/applications").get_data(as_text=True)
    assert '<span class="small lf-muted fw-normal" id="list-count">超过 2 笔</span>' in html
    assert "导出 Excel（按当前筛选，超过 2 笔）" in html
    assert "第 1 / 2+ 页" in html
    token = {"Authorization": f"Bearer {api_token(client, 'operator')}"}
    body = client.get("/api/v1/applications?per_page=1", headers=token).get_json()
    assert (body["total"], body["total_capped"], len(body["items"])) == (2, True, 1)
    body = client.get("/api/v1/applications?bank_id=1", headers=token).get_json()  # ICBC's two: not beyond the cap
    assert (body["total"], body["total_capped"], len(body["items"])) == (2, False, 2)
    assert exported(client)["A2"].value == "筛选条件：全部；共 3 笔"  # the file counts exactly

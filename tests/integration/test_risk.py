"""Early warning (第二十条; R15), read on 9 Nov 2026 with the default thresholds (3 days, 30 %, 80 %).

ent1: 30,000,000.00 with ICBC out on 1 Nov for 3 days, not renewed (deadline 3 Nov); ent2: 4,000,000.00 with JSB out
on 1 Nov, renewed. Both are due 11 Nov. Out in all: 34,000,000.00, of which ent1 and ICBC hold 30/34 = 88.2 %; the
fund is 200,000,000.00 (166,000,000.00 cash + 34,000,000.00 out), used 17.0 %. ent3 was blacklisted in 2020 (ended)
and applies again."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from loanfund.domain.lifecycle import State
from loanfund.domain.warning import Thresholds
from loanfund.extensions import db
from loanfund.models import BlacklistEntry, User
from loanfund.services.oversight.settings import thresholds
from loanfund.services.oversight.sweep import sweep
from tests.conftest import form_tokens
from tests.factories import PASSWORD, EnterpriseFactory, UserFactory, city_fund_id, county_fund

pytestmark = pytest.mark.both_databases


def rows(html: str, risk: str) -> list[str]:
    table = re.search(rf'<table[^>]*data-risk="{risk}".*?</table>', html, flags=re.S)
    if table is None:
        return []
    return [" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S)]


@pytest.fixture
def fund_at_work(flows, traveller):  # type: ignore[no-untyped-def]
    ent3 = db.session.scalars(select(User).where(User.username == "ent3")).one().enterprise
    db.session.add(
        BlacklistEntry(
            fund_id=city_fund_id(),
            credit_code=ent3.credit_code,
            enterprise_name=ent3.name,
            reason="逾期不还",
            listed_on=date(2020, 1, 1),
            ends_on=date(2023, 1, 1),
            state="confirmed",
        )
    )
    db.session.commit()
    big = flows.to(State.DISBURSED)
    small = flows.to(
        State.RENEWED,
        enterprise="ent2",
        bank_code="JSB-LYG",
        amount="4,000,000.00",
        loan_due="5,000,000.00",
        own_funds="1,000,000.00",
    )
    flows.submit(enterprise="ent3", amount="800,000.00", loan_due="1,000,000.00", own_funds="200,000.00")
    traveller.move_to("2026-11-04 08:00:00+08:00")
    sweep()  # records ICBC's late renewal
    traveller.move_to("2026-11-09 08:00:00+08:00")
    return big, small


def test_the_risk_page_names_each_warning_with_its_numbers(client, auth, fund_at_work):
    big, small = fund_at_work
    auth.login("operator")
    html = client.get("/fund/risk").get_data(as_text=True)
    assert rows(html, "due-soon") == [
        f"{big.reference} 连云港海润机械制造有限公司 2 天后（2026-11-11）到期，尚未收回本金 30,000,000.00 元",
        f"{small.reference} 东海县晶华硅材料有限公司 2 天后（2026-11-11）到期，尚未收回本金 4,000,000.00 元",
    ]
    assert rows(html, "out-too-long") == [
        f"{big.reference} 连云港海润机械制造有限公司 申请用款 3 天，已用款 8 天",
        f"{small.reference} 东海县晶华硅材料有限公司 申请用款 3 天，已用款 8 天",
    ]
    assert rows(html, "renewal-late") == [
        f"{big.reference} 连云港海润机械制造有限公司 转贷资金于 2026-11-01 放出，银行应于 2026-11-03 前续贷放款，"
        "截至 2026-11-09 已逾期 6 天未确认续贷"
    ]
    assert rows(html, "bank-breaches") == ["中国工商银行连云港分行 2026 年 1 笔未按时续贷"]
    assert rows(html, "enterprise-history") == ["赣榆区海丰水产贸易有限公司 曾于 2020-01-01 因“逾期不还”列入黑名单"]
    assert rows(html, "concentration") == [
        "连云港海润机械制造有限公司 该企业在外资金 30,000,000.00 元，"
        "占全部在外资金 34,000,000.00 元的 88.2%（预警线 30%）",
        "中国工商银行连云港分行 该合作银行在外资金 30,000,000.00 元，"
        "占全部在外资金 34,000,000.00 元的 88.2%（预警线 30%）",
    ]
    assert rows(html, "utilisation") == []  # 17.0 % of the fund


def test_the_administrator_changes_a_threshold_and_the_page_follows(client, auth, fund_at_work):
    auth.login("admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    bad = {"due_within_days": "３", "concentration_percent": "0", "utilisation_percent": "abc"}
    answer = client.post("/admin/settings", data=bad | form_tokens(page, "")).get_data(as_text=True)
    for message in ("请填写 0 至 30 之间的整数天数", "请填写 0 至 100 之间的百分比，如 30"):
        assert re.search(rf'class="invalid-feedback">{message}<', answer), message
    assert answer.count('class="invalid-feedback"') == 3
    page = client.get("/admin/settings").get_data(as_text=True)
    good = {"due_within_days": "1", "concentration_percent": "90", "utilisation_percent": "10"}
    assert client.post("/admin/settings", data=good | form_tokens(page, "")).status_code == 302
    auth.login("group")
    html = client.get("/fund/risk").get_data(as_text=True)
    assert rows(html, "due-soon") == []  # 2 days ahead, the line is 1 now
    assert rows(html, "concentration") == []  # 88.2 % is under 90 %
    assert rows(html, "utilisation") == [
        "专用账户 在外 34,000,000.00 元、已批准待放款 0.00 元，合计占资金总额 200,000,000.00 元的 17.0%（预警线 10%）"
    ]


def test_each_fund_keeps_its_own_thresholds(client, auth, fund_at_work):
    county = county_fund()
    UserFactory(username="dh_admin", role="admin", fund_id=county.id)
    db.session.commit()
    auth.login("dh_admin", PASSWORD)
    page = client.get("/admin/settings").get_data(as_text=True)
    good = {"due_within_days": "7", "concentration_percent": "50", "utilisation_percent": "95"}
    assert client.post("/admin/settings", data=good | form_tokens(page, "")).status_code == 302
    assert (thresholds(county.id).due_within_days, thresholds(county.id).utilisation_percent) == (7, Decimal("95"))
    assert thresholds(city_fund_id()) == Thresholds(3, Decimal("30"), Decimal("80"))  # the city's: the defaults
    auth.login("admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    assert 'value="3"' in page and 'value="7"' not in page


def test_an_enterprise_whose_legal_representative_runs_a_blacklisted_one_is_flagged(client, auth, flows, traveller):
    other = EnterpriseFactory(name="赣榆区海丰冷链物流有限公司", legal_representative="郑海丰")
    db.session.add(
        BlacklistEntry(
            fund_id=city_fund_id(),
            credit_code=other.credit_code,
            enterprise_name=other.name,
            reason="骗取",
            listed_on=date(2025, 6, 1),
            ends_on=date(2028, 6, 1),
            state="confirmed",
        )
    )
    db.session.commit()
    flows.submit(enterprise="ent3", amount="800,000.00", loan_due="1,000,000.00", own_funds="200,000.00")
    auth.login("group")
    assert rows(client.get("/fund/risk").get_data(as_text=True), "enterprise-history") == [
        f"赣榆区海丰水产贸易有限公司 法定代表人郑海丰名下另一企业（{other.credit_code}）曾因“骗取”列入黑名单"
    ]


def test_an_enterprise_with_a_past_is_counted_on_every_page_of_its_lines(people, fund_at_work):
    """The count comes with the page's lines (a window count, issue 28) — and, on a page past the last, by itself."""
    from loanfund.domain.warning import Risk
    from loanfund.services.oversight import risk

    first = risk.report(city_fund_id(), only=Risk.ENTERPRISE_HISTORY)
    assert [w.subject for w in first.warnings] == ["赣榆区海丰水产贸易有限公司"]
    assert first.counts[Risk.ENTERPRISE_HISTORY] == 1
    beyond = risk.report(city_fund_id(), only=Risk.ENTERPRISE_HISTORY, page=2)
    assert (beyond.warnings, beyond.counts[Risk.ENTERPRISE_HISTORY]) == ([], 1)
    assert risk.report(city_fund_id()).counts[Risk.ENTERPRISE_HISTORY] == 1

"""The platform's own people on the web (issue 27, DESIGN §7): the overseer and the platform administrator see every
fund side by side with the totals, and nothing of any fund's applications or set-up."""

from __future__ import annotations

import re
from datetime import date

import pytest

from loanfund.domain.money import Money
from loanfund.services.books.capital import contributor_named, record_contribution
from tests.factories import UserFactory, county_fund

pytestmark = pytest.mark.both_databases


@pytest.fixture
def two_funds(people):  # type: ignore[no-untyped-def]
    UserFactory(username="overseer", role="overseer", display_name="市工业和信息化局")
    UserFactory(username="platform", role="platform", display_name="平台管理员")
    county = county_fund()
    treasury = contributor_named(county.id, "东海县财政局", "county")
    record_contribution(treasury, Money.parse("20,000,000.00"), date(2026, 10, 30), "CZ20261030001")
    return county


def cells(html: str, row: str) -> list[str]:
    found = re.search(rf"<tr[^>]*>\s*<th scope=\"row\"[^>]*>(?:<a [^>]*>)?{row}.*?</tr>", html, re.S)
    assert found, row
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", found.group(0), re.S)]


@pytest.mark.parametrize("username", ["overseer", "platform"])
def test_the_platforms_people_see_every_fund_side_by_side(client, auth, two_funds, username):
    auth.login(username)
    page = client.get("/home").get_data(as_text=True)
    assert "各转贷资金汇总" in page
    assert cells(page, "连云港市中小企业应急转贷资金")[1:5] == ["20,000.00", "0.00", "20,000.00", "0.00"]
    assert cells(page, "东海县中小微企业应急转贷资金")[1:5] == ["2,000.00", "0.00", "2,000.00", "0.00"]
    assert cells(page, "合计")[1:4] == ["22,000.00", "0.00", "22,000.00"]
    for path in ("/applications", "/admin/users", "/fund/reconciliation", "/reports/statistics"):
        assert client.get(path).status_code == 404, path  # acts on none, and no fund's pages


def test_the_overseer_reads_each_funds_monthly_analysis(client, auth, two_funds, traveller):
    traveller.move_to("2026-12-02 09:00:00+08:00")
    auth.login("overseer")
    home = client.get("/home").get_data(as_text=True)
    assert 'href="/reports/monthly?fund=DH"' in home and 'href="/reports/monthly?fund=LYG"' in home
    month = client.get("/reports/monthly?fund=DH", follow_redirects=True)
    page = month.get_data(as_text=True)
    assert month.status_code == 200 and "东海县中小微企业应急转贷资金" in page
    assert "连云港市中小企业应急转贷资金" not in page
    assert 'href="/reports/monthly/2026/10?fund=DH"' in page  # the months around it stay the county's
    assert client.get("/reports/monthly/2026/11").status_code == 404  # two funds, none named
    assert client.get("/reports/monthly/2026/11?fund=XX").status_code == 404
    assert client.get("/reports/monthly/2026/11.xlsx?fund=LYG").status_code == 200
    auth.login("platform")
    assert client.get("/reports/monthly/2026/11?fund=DH").status_code == 404  # sets funds up, reads none
    auth.login("operator")
    assert client.get("/reports/monthly/2026/11?fund=DH").status_code == 404  # the city's operator: its own only

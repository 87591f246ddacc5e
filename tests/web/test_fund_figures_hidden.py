"""The special account's position is the platform's (DESIGN §2): an enterprise or a bank never sees the fund's
balance, its reservations or its available amount — on any page it can reach, or in any API answer (issue 9)."""

from __future__ import annotations

import re
from collections import deque

import pytest

from loanfund.domain.money import Money
from loanfund.services.books import fund
from tests.api.conftest import Api
from tests.factories import city_fund_id

LINK = re.compile(r'href="(/[^"#]*)"')
NOT_PAGES = ("/static/", "/bootstrap/", "/logout", "/materials/")


def fund_figures(own_amounts: set[Money]) -> list[re.Pattern[str]]:
    """Every way a page or an answer could write the fund's cash, reservations and available amount (元 with
    separators, 万元, plain), as whole numbers. A reservation equal to one of the user's own amounts (its own
    approval is the only one reserved) tells it nothing and is left out."""
    position = fund.position(city_fund_id())
    figures: list[re.Pattern[str]] = []
    for amount in (position.cash, position.reserved, position.available):
        if amount == Money.zero() or amount in own_amounts:
            continue
        for text in (amount.format(), amount.format_wan(), amount.format_wan_rounded(), amount.plain()):
            figures.append(re.compile(rf"(?<![0-9,.]){re.escape(text)}(?![0-9])"))
    return figures


def own_amounts(client, username: str) -> set[Money]:  # type: ignore[no-untyped-def]
    items = Api(client).get(username, "/applications?per_page=100").get_json()["items"]
    return {Money.parse(item[key]) for item in items for key in ("requested_amount", "approved_amount") if item[key]}


def reachable_pages(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Every page reachable by links from the workbench and the list, fetched as the logged-in user."""
    pages: dict[str, str] = {}
    queue = deque(["/home", "/applications"])
    while queue and len(pages) < 300:
        url = queue.popleft()
        if url in pages or any(part in url for part in NOT_PAGES):
            continue
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        pages[url] = response.get_data(as_text=True)
        queue.extend(LINK.findall(pages[url]))
    return pages


@pytest.mark.parametrize("username", ["ent1", "bank1"])
def test_no_page_an_enterprise_or_a_bank_reaches_shows_the_funds_position(client, busy, auth, username):
    figures = fund_figures(own_amounts(client, username))
    assert len(figures) >= 6, "the busy fund has cash and an available amount, so there is something to hide"
    auth.login(username)
    pages = reachable_pages(client)
    assert any("/applications/" in url for url in pages), "the crawl reached the applications"
    leaks = {url: [f.pattern for f in figures if f.search(html)] for url, html in pages.items()}
    assert {url: found for url, found in leaks.items() if found} == {}


@pytest.mark.parametrize("username", ["ent1", "bank1"])
def test_no_api_answer_to_an_enterprise_or_a_bank_carries_the_funds_position(client, busy, username):
    figures = fund_figures(own_amounts(client, username))
    api = Api(client)
    answers = [api.get(username, "/banks"), api.get(username, "/applications?per_page=100")]
    if username == "ent1":
        answers.append(api.get(username, "/enterprises/me"))
    items = answers[1].get_json()["items"]
    assert items, "the user has applications to read"
    answers += [api.get(username, f"/applications/{item['id']}") for item in items]
    for answer in answers:
        assert answer.status_code == 200
        text = answer.get_data(as_text=True)
        assert [f.pattern for f in figures if f.search(text)] == [], answer.request.path


def test_platform_staff_do_see_it(client, busy, auth):
    """The check above can fail: the operator's workbench shows the available amount."""
    available = fund.position(city_fund_id()).available
    auth.login("operator")
    home = client.get("/home").get_data(as_text=True)
    assert available.format_wan_rounded() in home and f'title="{available.format()} 元"' in home

"""The navigation asks the routes (issue 26): each role's top bar, written out from DESIGN §2 as the template's
role lists said it, and — for every role — a link shown exactly when its page opens for that user."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.web.test_forms import REGISTER, post_form

EXPECTED = {
    "ent1": ["工作台", "申请"],
    "bank1": ["工作台", "申请", "银行责任"],
    "reviewer": ["工作台", "申请", "月度分析", "黑名单", "领导小组"],
    "operator": ["工作台", "申请", "专用账户", "月度分析", "风险预警", "黑名单", "领导小组", "银行责任", "账户复核"],
    "group": ["工作台", "申请", "专用账户", "月度分析", "风险预警", "黑名单", "领导小组", "银行责任", "审计记录"],
    "admin": ["工作台", "专用账户", "月度分析", "领导小组", "银行责任", "账户复核", "审计记录", "系统管理"],
    "newco": ["工作台"],  # signed up, not yet vetted
}
PAGES = {
    "工作台": "/home",
    "申请": "/applications",
    "专用账户": "/fund/reconciliation",
    "月度分析": "/reports/monthly",
    "风险预警": "/fund/risk",
    "黑名单": "/blacklist",
    "领导小组": "/group",
    "银行责任": "/bank-claims",
    "账户复核": "/bank-accounts",
    "审计记录": "/audit",
    "系统管理": "/admin/users",
}


def top_bar(page: str) -> list[tuple[str, str]]:
    bar = re.search(r'<ul class="navbar-nav me-auto">(.*?)</ul>', page, flags=re.S)
    assert bar, "no navigation"
    return [
        (href, label) for href, label in re.findall(r'<a class="nav-link" href="([^"]+)">([^<]+)</a>', bar.group(1))
    ]


@pytest.mark.parametrize("username", list(EXPECTED))
def test_each_role_sees_the_pages_it_may_open_and_only_those(client, auth, people, username):
    if username == "newco":
        post_form(client, "/register", REGISTER)
        auth.login("newco", REGISTER["password"])
    else:
        auth.login(username)
    shown = [(href, label) for href, label in top_bar(client.get("/home").get_data(as_text=True)) if label in PAGES]
    assert [label for _, label in shown] == EXPECTED[username]
    assert all(PAGES[label] == href.split("?")[0] for href, label in shown)
    for label, address in PAGES.items():  # and the routes agree: a link where the page opens, none where it does not
        opens = client.get(address, follow_redirects=True).status_code == 200
        assert opens == (label in EXPECTED[username]), (username, label)


def test_the_template_holds_no_role_lists():
    base = (Path(__file__).resolve().parents[2] / "templates" / "base.html").read_text(encoding="utf-8")
    assert re.findall(r"current_user\.role(?:_enum)?\s*(?:not in\b|in\b|==|!=)", base) == []

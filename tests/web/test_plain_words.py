"""An enterprise and a bank read the checks that concern them in plain words; staff keep the rule codes (DESIGN §2).

The application is ent1's 30,000,000.00 for 3 days against a 40,000,000.00 loan with 10,000,000.00 of its own, and
ICBC commits 40,000,000.00: 80 % of it is 32,000,000.00 (R5), the longest use is 10 days (R4, 第十三条).
"""

import re

import pytest

from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.services import lifecycle


def rule_rows(html: str) -> list[str]:
    table = re.search(r'<table[^>]*id="rule-checks".*?</table>', html, flags=re.S)
    assert table, "the page has the checks table"
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(0), flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


@pytest.mark.parametrize("username", ["ent1", "bank1"])
def test_the_enterprise_and_its_bank_read_plain_words_without_rule_codes(client, auth, flows, username):
    application = flows.to(State.BANK_COMMITTED)
    auth.login(username)
    html = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "申请条件" in html
    assert rule_rows(html) == [
        "✓ 失信名单 未列入失信名单",
        "✓ 注册地 在本市市域内依法设立（海州区）",
        "✓ 经办银行 中国工商银行连云港分行是本基金的合作银行，合作协议有效至 2028-12-31",
        "✓ 企业规模 中型企业，属于优先支持的中小企业",
        "✓ 使用天数 申请使用 3 天，每次最长可用 10 天",
        "✓ 借款额度 借款 3,000.00 万元，不超过银行承诺续贷金额的80%（3,200.00 万元）",
        "✓ 自筹资金 借款加上自筹资金，足以归还到期贷款本息 4,000.00 万元",
        "✓ 审批层级 由平台审批，无需报领导小组",
    ]


def test_a_broken_rule_is_named_in_plain_words_too(client, auth, flows):
    application = flows.to(State.ACCEPTED, amount="36,000,000.00", own_funds="4,000,000.00")
    lifecycle.commit(flows.user("bank1"), application.id, Money.parse("40,000,000.00"), "同意续贷", "", "原件后补")
    auth.login("ent1")
    rows = rule_rows(client.get(f"/applications/{application.id}").get_data(as_text=True))
    assert "✗ 借款额度 申请金额 3,600.00 万元超过银行承诺续贷额度的80%（3,200.00 万元）" in rows
    assert not any(re.search(r"\bR\d+\b", row) for row in rows)


def test_staff_see_the_rule_codes_and_the_funds_line(client, auth, flows):
    application = flows.to(State.BANK_COMMITTED)
    auth.login("operator")
    html = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "规则检查" in html
    rows = rule_rows(html)
    assert rows[0] == "✓ R11 黑名单 未列入黑名单"
    assert rows[1] == "✓ R10 注册地（市域内） 信用代码登记地 320706，所选海州区"
    assert rows[5] == "✓ R5 承诺额度80%以内 金额 3,000.00 万元不超过承诺续贷额度的80%（3,200.00 万元）"
    assert rows[7] == "✓ R8 资金余额充足 专用账户可用余额 20,000.00 万元"
    assert rows[8] == "✓ R6 领导小组审批 无需领导小组审批"

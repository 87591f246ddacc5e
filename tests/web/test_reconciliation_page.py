"""The reconciliation page: for the administrator, operators and the leading group; red on any difference."""

import pytest
from sqlalchemy import text

from loanfund.extensions import db


@pytest.mark.parametrize("username", ["admin", "operator", "group"])
def test_the_books_agree_on_the_demo_data(client, busy, auth, username):
    auth.login(username)
    html = client.get("/fund/reconciliation").get_data(as_text=True)
    assert "对账一致" in html
    assert "试算平衡表" in html
    assert "176,003,840.00" in html  # 200,000,000.00 − 24,000,000.00 out + 3,840.00 fee (tests.flows.busy_fund)


@pytest.mark.parametrize("username", ["ent1", "bank1", "reviewer"])
def test_other_roles_get_404(client, busy, auth, username):
    auth.login(username)
    assert client.get("/fund/reconciliation").status_code == 404


def test_a_difference_shows_red(client, busy, auth):
    db.session.execute(text("UPDATE fund_balance SET cash = cash + 1"))
    db.session.commit()
    auth.login("operator")
    html = client.get("/fund/reconciliation").get_data(as_text=True)
    assert "发现差异" in html
    assert 'class="table-danger"' in html


def test_the_group_sees_why_each_decision_is_needed(client, busy, auth):
    auth.login("group")
    html = client.get("/home").get_data(as_text=True)
    assert "报领导小组审批的原因" in html
    assert "到期贷款已在银行逾期" in html


def test_the_operator_dashboard_shows_the_funds_position(client, busy, auth):
    auth.login("operator")
    html = client.get("/home").get_data(as_text=True)
    assert "专用账户资金（万元）" in html
    assert "17,600.38" in html and "17,600.384" not in html  # 176,003,840.00 元: two decimals of 万元 on a tile
    assert 'title="176,003,840.00 元"' in html  # the exact amount in its tooltip
    assert "2,400.00" in html  # out with the busy fund's disbursed bridge


def test_a_bank_sees_only_its_own_bridges_not_the_funds_balance(client, busy, auth):
    auth.login("bank2")
    html = client.get("/home").get_data(as_text=True)
    assert "专用账户资金" not in html
    assert "本行在外应急转贷资金（万元）" in html
    assert "2,400.00" in html
    auth.login("bank1")
    assert "0.00" in client.get("/home").get_data(as_text=True)


def test_the_page_shows_the_latest_full_run_or_that_none_has_run(client, busy, auth, runner):
    auth.login("operator")
    html = client.get("/fund/reconciliation").get_data(as_text=True)
    assert "最近一次全面对账" in html and "尚未运行" in html
    assert runner.invoke(args=["loanfund", "reconcile"]).exit_code == 0
    html = client.get("/fund/reconciliation").get_data(as_text=True)
    assert "尚未运行" not in html
    assert '<span class="badge text-bg-success">一致</span>' in html
    assert "逐笔核对应收 2 笔" in html  # the busy fund disbursed two bridges: one archived, one out


def test_a_full_run_that_found_a_difference_lists_it_on_the_page(client, busy, auth, runner):
    db.session.execute(
        text("UPDATE applications SET approved_amount = approved_amount - 100 WHERE state = 'disbursed'")
    )
    db.session.commit()
    assert runner.invoke(args=["loanfund", "reconcile"]).exit_code == 1
    auth.login("group")
    html = client.get("/fund/reconciliation").get_data(as_text=True)
    # the receivable, the bridge's kept facts, the report's kept totals and the day's reservations: each kept from the
    # amount the step approved, each now against an amount no step wrote
    assert "发现 4 处差异" in html
    assert "在外转贷台账 = 申请、收回与清偿记录（不符的笔数）：应为 0，实为 1" in html
    assert "应为 23,999,999.00，账簿 24,000,000.00" in html

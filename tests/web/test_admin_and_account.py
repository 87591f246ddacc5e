"""The administrator's pages and changing one's own password."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Bank, User
from loanfund.services.books import fund
from loanfund.services.people import passwords
from tests.conftest import DEMO_PASSWORD, confirm
from tests.factories import city_fund_id
from tests.web.test_confirmations import text_of
from tests.web.test_forms import feedback, post_form


def test_change_password(client, people, auth):
    auth.login("ent1")
    wrong = post_form(client, "/account/password", {"current_password": "nope", "new_password": "new-pass-123"})
    assert "当前密码不正确" in feedback(wrong.get_data(as_text=True), "current_password")
    short = post_form(client, "/account/password", {"current_password": DEMO_PASSWORD, "new_password": "short"})
    assert "密码至少 8 位" in feedback(short.get_data(as_text=True), "new_password")
    done = post_form(client, "/account/password", {"current_password": DEMO_PASSWORD, "new_password": "new-pass-123"})
    assert done.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "ent1"))
    assert passwords.verify(user.password_hash, "new-pass-123") == (True, None)


def test_the_current_password_is_guessed_no_faster_than_at_the_login(client, people, auth, traveller):
    """Issue 25, finding 10: from a session, /account/password took guesses without limit. Five tries in fifteen
    minutes, then it waits — even for the right password — and a change ends the count."""
    auth.login("ent1")
    for _ in range(5):
        wrong = post_form(client, "/account/password", {"current_password": "guess", "new_password": "new-pass-123"})
        assert feedback(wrong.get_data(as_text=True), "current_password") == ["当前密码不正确"]
    right = {"current_password": DEMO_PASSWORD, "new_password": "new-pass-123"}
    held = post_form(client, "/account/password", right)
    assert feedback(held.get_data(as_text=True), "current_password") == [
        "当前密码错误次数过多，请 15 分钟后再试，或请系统管理员解除限制"
    ]
    user = db.session.scalar(select(User).where(User.username == "ent1"))
    assert passwords.verify(user.password_hash, DEMO_PASSWORD)[0]  # unchanged
    traveller.shift(timedelta(minutes=16))
    auth.login("ent1")
    assert post_form(client, "/account/password", right).status_code == 302


def test_admin_creates_a_bank_user_and_refuses_one_without_a_bank(client, people, auth):
    auth.login("admin")
    bank = db.session.scalar(select(Bank).where(Bank.code == "JSB-LYG"))
    refused = post_form(
        client,
        "/admin/users",
        {
            "username": "jsb2",
            "display_name": "周专员",
            "role": "bank",
            "credit_code": "",
            "bank_id": "0",
            "password": "long-enough-1",
        },
    )
    assert "银行用户须属于一家合作银行" in feedback(refused.get_data(as_text=True), "bank_id")
    created = post_form(
        client,
        "/admin/users",
        {
            "username": "jsb2",
            "display_name": "周专员",
            "role": "bank",
            "credit_code": "",
            "bank_id": str(bank.id),
            "password": "long-enough-1",
        },
    )
    assert created.status_code == 302
    assert db.session.scalar(select(User).where(User.username == "jsb2")).bank_id == bank.id


def test_admin_switches_a_user_off_but_not_themselves(client, people, auth):
    auth.login("admin")
    ent1 = db.session.scalar(select(User).where(User.username == "ent1"))
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    post_form(client, f"/admin/users/{ent1.id}/active", {}, page="/admin/users")
    db.session.refresh(ent1)
    assert ent1.active is False
    response = post_form(client, f"/admin/users/{admin.id}/active", {}, page="/admin/users")
    assert "不能停用自己的账户" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.active is True


def test_bank_agreement_cannot_end_before_it_starts(client, people, auth):
    auth.login("admin")
    bank = db.session.scalar(select(Bank).where(Bank.code == "ICBC-LYG"))
    agreement_end = bank.agreement_end.isoformat()
    data = {
        "code": bank.code,
        "name": bank.name,
        "agreement_no": bank.agreement_no,
        "agreement_start": "2027-01-01",
        "agreement_end": "2026-01-01",
        "account_name": bank.account_name,
        "account_no": bank.account_no,
        "account_bank": bank.account_bank,
    }
    response = post_form(client, f"/admin/banks/{bank.id}", data)
    assert "协议结束日不能早于开始日" in feedback(response.get_data(as_text=True), "agreement_end")
    db.session.refresh(bank)
    assert bank.agreement_end.isoformat() == agreement_end


def test_a_contribution_recorded_by_the_admin_becomes_cash(client, people, auth):
    auth.login("admin")
    before = fund.position(city_fund_id()).cash
    typed = {
        "contributor_name": "东海县财政局",
        "kind": "county",
        "amount": "50,000,000.00",
        "received_on": "2026-11-20",
        "reference": "DH-001",
    }
    shown = text_of(post_form(client, "/admin/contributions", typed).get_data(as_text=True))
    assert "请确认：登记出资" in shown
    assert "出资金额 50,000,000.00 元 人民币伍仟万元整" in shown
    assert "到账日期 2026年11月20日" in shown
    assert "专用账户余额 200,000,000.00 元 → 250,000,000.00 元 （增加 50,000,000.00 元）" in shown
    assert "出资方 东海县财政局 银行凭证号 DH-001" in shown
    assert fund.position(city_fund_id()).cash == before  # not yet
    response = confirm(client, "/admin/contributions", typed, page="/admin/contributions")
    assert response.status_code == 302
    assert fund.position(city_fund_id()).cash == before + Money.parse("50,000,000.00")
    bad = post_form(
        client,
        "/admin/contributions",
        {"contributor_name": "x", "kind": "county", "amount": "0.00", "received_on": "2026-11-20"},
    )
    assert "出资金额必须大于零" in feedback(bad.get_data(as_text=True), "amount")


def test_a_switched_off_user_is_logged_out_at_once(client, people, auth):
    auth.login("ent1")
    assert client.get("/home").status_code == 200
    user = db.session.scalar(select(User).where(User.username == "ent1"))
    user.active = False
    db.session.commit()
    from flask import g

    g.pop("_login_user", None)
    assert client.get("/home").status_code == 302


def test_the_admin_distributes_income_and_sees_the_dissolution_statement(client, busy, auth):
    auth.login("admin")
    html = client.get("/admin/contributions").get_data(as_text=True)
    assert '待分配用款费用收入：<span class="fw-semibold">3,840.00 元</span>' in html
    assert "净资产 200,003,840.00 元" in html
    bad = post_form(client, "/admin/distributions", {"tax_rate": "abc"}, page="/admin/contributions")
    assert "税率格式不正确，如 0.06" in feedback(bad.get_data(as_text=True), "tax_rate")
    shown = text_of(
        post_form(
            client,
            "/admin/distributions",
            {"tax_rate": "0.06", "pay": "y", "bank_ref": "FP1"},
            page="/admin/contributions",
        ).get_data(as_text=True)
    )
    assert "分配的收益 3,840.00 元 人民币叁仟捌佰肆拾元整 税费 230.40 元" in shown
    assert "本次支付 3,840.00 元" in shown
    assert "分配给连云港市工业投资集团有限公司 3,609.60 元 本次支付 3,840.00 元" in shown
    # the busy fund has 24,000,000.00 out and 800,000.00 reserved
    assert "专用账户余额 176,003,840.00 元 → 176,000,000.00 元 （减少 3,840.00 元）" in shown
    assert "可用余额（扣除已预留） 175,203,840.00 元 → 175,200,000.00 元 （减少 3,840.00 元）" in shown
    done = confirm(
        client, "/admin/distributions", {"tax_rate": "0.06", "pay": "y", "bank_ref": "FP1"}, page="/admin/contributions"
    )
    assert done.status_code == 302
    html = client.get("/admin/contributions").get_data(as_text=True)
    assert "已分配 3,840.00 元（税费 230.40 元），已支付 3,840.00 元" in html
    assert "净资产 200,000,000.00 元" in html


def test_what_a_run_left_payable_is_paid_from_the_capital_page(client, busy, auth):
    auth.login("admin")
    done = confirm(client, "/admin/distributions", {"tax_rate": "0.06"}, page="/admin/contributions")
    assert done.status_code == 302
    html = client.get("/admin/contributions").get_data(as_text=True)
    assert "已分配待支付（分配款及税费）：" in html
    assert '<span class="fw-semibold">3,840.00 元</span>（人民币叁仟捌佰肆拾元整）' in html
    cash = fund.position(city_fund_id()).cash
    paid = confirm(client, "/admin/distributions/payment", {"bank_ref": "FP1"}, page="/admin/contributions")
    assert paid.status_code == 302
    html = client.get("/admin/contributions").get_data(as_text=True)
    assert "已从专用账户支付分配款及税费 3,840.00 元" in html
    assert "已分配待支付" not in html
    assert fund.position(city_fund_id()).cash == cash - Money.parse("3,840.00")


def test_admin_creates_an_enterprise_user_by_its_credit_code_and_is_told_of_an_unknown_one(client, people, auth):
    auth.login("admin")
    ent3 = db.session.scalar(select(User).where(User.username == "ent3")).enterprise
    fields = {"username": "ent3b", "display_name": "钱会计", "role": "enterprise", "bank_id": "0"}
    refused = post_form(
        client, "/admin/users", fields | {"credit_code": "91320700MA1XXXXX0X", "password": "long-enough-1"}
    )
    assert "未找到该统一社会信用代码的企业" in feedback(refused.get_data(as_text=True), "credit_code")
    assert db.session.scalar(select(User).where(User.username == "ent3b")) is None
    created = post_form(
        client, "/admin/users", fields | {"credit_code": ent3.credit_code.lower(), "password": "long-enough-1"}
    )
    assert created.status_code == 302
    assert db.session.scalar(select(User).where(User.username == "ent3b")).enterprise_id == ent3.id

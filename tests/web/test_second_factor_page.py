"""两步验证 as its users meet it (issue 30): turning it on from the account (a QR code, the first code, the recovery
codes once), the code asked after the password, the code field beside 确认 before money goes out — a wrong one said
next to it and nothing done —, a user who must enrol sent to do so first, and the administrator's list and reset."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import g
from sqlalchemy import select

from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import Application, User
from tests.conftest import confirmation_values, csrf_token, form_tokens
from tests.integration.test_second_factor import code_now, enrol, prepared
from tests.web.test_confirmations import first_press, text_of
from tests.web.test_forms import feedback

WRONG = "动态验证码不正确或已使用过，请输入验证器应用当前显示的 6 位数字，或一个未用过的恢复码"


def log_in_with_code(client, auth, name: str, code: str):  # type: ignore[no-untyped-def]
    """The password, then the code: as ``Auth.login``, forgetting what the test's app context cached of the last
    session (the code's page signs in a new one)."""
    auth.login(name)
    page = client.get("/login/code").get_data(as_text=True)
    answer = client.post("/login/code", data={"otp": code, "csrf_token": csrf_token(page)})
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    return answer


def _post(client, url: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    page = client.get(url).get_data(as_text=True)
    return client.post(url, data=data | {"csrf_token": csrf_token(page)})


def test_turning_it_on_shows_a_qr_code_then_the_recovery_codes_once(client, auth, people, traveller):
    auth.login("operator")
    page = client.get("/account/second-factor").get_data(as_text=True)
    assert "两步验证未启用" in text_of(page) and 'value="begin"' in page
    assert 'href="/account/second-factor"' in client.get("/account/password").get_data(as_text=True)
    begun = _post(client, "/account/second-factor", {"doing": "begin"})
    assert begun.status_code == 302
    page = client.get("/account/second-factor").get_data(as_text=True)
    assert "<svg" in page and 'class="lf-qr"' in page
    secret = re.search(r'id="totp-secret">([A-Z2-7]{32})<', page)
    assert secret is not None
    wrong = "000000" if code_now(secret.group(1)) != "000000" else "111111"
    refused = _post(client, "/account/second-factor", {"doing": "confirm", "otp": wrong})
    assert refused.status_code == 422
    assert feedback(refused.get_data(as_text=True), "otp") == [
        "动态验证码不正确：请输入验证器应用扫描二维码后显示的 6 位数字"
    ]
    done = _post(client, "/account/second-factor", {"doing": "confirm", "otp": code_now(secret.group(1))})
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and "两步验证已启用" in html
    assert len(re.findall(r"<li><code>[a-z2-9]{5}-[a-z2-9]{5}</code></li>", html)) == 10
    again = client.get("/account/second-factor").get_data(as_text=True)
    assert "未用的恢复码 10 个" in text_of(again) and "<code>" not in again.split('id="main"')[1].split("lf-secret")[0]


def test_the_account_page_is_only_for_those_who_move_money(client, auth, people):
    for name in ("ent1", "bank1", "reviewer"):
        auth.login(name)
        assert client.get("/account/second-factor").status_code == 404
        assert 'href="/account/second-factor"' not in client.get("/account/password").get_data(as_text=True)


def test_the_code_is_asked_after_the_password_within_five_minutes(client, auth, people, traveller):
    secret, codes = enrol("operator")
    traveller.shift(timedelta(seconds=30))
    answer = auth.login("operator")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login/code")
    assert client.get("/home").status_code == 302  # not signed in yet
    page = client.get("/login/code").get_data(as_text=True)
    assert "两步验证 · operator" in page
    wrong = "000000" if code_now(secret) != "000000" else "111111"
    refused = client.post("/login/code", data={"otp": wrong, "csrf_token": csrf_token(page)})
    assert refused.status_code == 200 and feedback(refused.get_data(as_text=True), "otp") == [WRONG]
    taken = client.post("/login/code", data={"otp": code_now(secret), "csrf_token": csrf_token(page)})
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    assert taken.status_code == 302 and client.get("/home").status_code == 200
    # five minutes after the password, the code no longer signs in
    auth.logout()
    auth.login("operator")
    traveller.shift(timedelta(minutes=5, seconds=1))
    page = client.get("/login/code").get_data(as_text=True)
    assert "没有待验证的登录" in text_of(page)
    # a recovery code stands in for a lost phone
    assert log_in_with_code(client, auth, "operator", codes[0]).status_code == 302
    assert client.get("/home").status_code == 200


def test_money_goes_out_only_with_the_code_typed_beside_confirm(client, auth, flows, traveller):
    application = prepared(flows)
    secret, _ = enrol("operator2")
    traveller.shift(timedelta(seconds=30))
    log_in_with_code(client, auth, "operator2", code_now(secret))
    traveller.shift(timedelta(seconds=30))
    url, detail = f"/applications/{application.id}/authorise-disbursement", f"/applications/{application.id}"
    shown = first_press(client, url, {}, detail)
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and 'name="otp"' in html and "动态验证码（两步验证）" in html
    values = confirmation_values(html)
    refused = client.post(url, data=values | {"otp": "12345x"})
    assert refused.status_code == 422
    again = refused.get_data(as_text=True)
    assert WRONG in again and 'aria-invalid="true"' in again and 'name="confirmed"' in again  # the same page, said
    assert db.session.get_one(Application, application.id).state == State.APPROVED.value
    taken = client.post(url, data=confirmation_values(again) | {"otp": code_now(secret)})
    assert taken.status_code == 302
    db.session.expire_all()
    assert db.session.get_one(Application, application.id).state == State.DISBURSED.value


def test_a_checker_without_a_second_factor_sees_no_code_field(client, auth, flows, traveller):
    application = prepared(flows)
    auth.login("operator2")
    url, detail = f"/applications/{application.id}/authorise-disbursement", f"/applications/{application.id}"
    html = first_press(client, url, {}, detail).get_data(as_text=True)
    assert 'name="otp"' not in html and 'name="confirmed"' in html


def test_where_it_is_required_a_user_without_one_enrols_before_anything_else(app, client, auth, people):
    app.config["SECOND_FACTOR_REQUIRED"] = True
    try:
        auth.login("operator")
        home = client.get("/home")
        assert home.status_code == 302 and home.headers["Location"].endswith("/account/second-factor")
        page = client.get("/account/second-factor").get_data(as_text=True)
        assert "启用后方可继续使用" in page
        auth.login("ent1")
        assert client.get("/home").status_code == 200  # an enterprise's account is not asked
    finally:
        app.config["SECOND_FACTOR_REQUIRED"] = False


def test_the_administrator_sees_who_has_one_and_resets_a_lost_phone(client, auth, people, traveller):
    enrol("operator")
    auth.login("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    operator = db.session.scalars(select(User).where(User.username == "operator")).one()
    action = f"/admin/users/{operator.id}/second-factor/reset"
    assert f'action="{action}"' in page and "重置两步验证" in page
    answer = client.post(action, data=form_tokens(page, action), follow_redirects=True)
    assert "已重置 operator 的两步验证；该用户须重新启用" in answer.get_data(as_text=True)
    logins = text_of(client.get("/admin/logins").get_data(as_text=True))
    assert "两步验证记录" in logins and "管理员重置" in logins and "启用" in logins

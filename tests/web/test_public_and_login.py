"""The public calculator, logging in and out, lock-out, and the scoped home page."""

import re

from loanfund.extensions import db
from tests.conftest import DEMO_PASSWORD, csrf_token
from tests.factories import city_fund


def test_calculator_shows_the_fee_for_the_worked_example(client):
    html = client.get("/?amount=30,000,000.00&days=3").get_data(as_text=True)
    assert "37,500.00" in html
    assert "30,037,500.00" in html
    assert "人民币叁万柒仟伍佰元整" in html
    assert "第 1 档" in html
    assert "不需要" in html


def test_calculator_without_input_shows_the_rate_table_and_no_result(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "收费标准（连政办发〔2018〕162号）" in html
    assert "0.40‰" in html and "0.25‰" in html
    assert 'id="quote-result" hidden' in html


def test_calculator_errors_are_in_chinese_next_to_the_field(client):
    html = client.get("/?amount=12.345&days=11").get_data(as_text=True)
    assert '<div class="invalid-feedback">金额最多保留两位小数（精确到分）</div>' in html
    assert '<div class="invalid-feedback">用款天数不得超过 10 天</div>' in html


def test_calculator_days_that_are_not_a_number_get_a_chinese_message(client):
    html = client.get("/?amount=100&days=abc").get_data(as_text=True)
    assert "不是有效的整数" in html


def test_static_assets_are_served_locally(client):
    html = client.get("/").get_data(as_text=True)
    assert "cdn" not in html.lower()
    for path in ("/static/loanfund.css", "/static/calculator.js", "/bootstrap/static/css/bootstrap.min.css"):
        with client.get(path) as response:
            assert response.status_code == 200, path


def test_login_page_renders_with_csrf(client):
    html = client.get("/login").get_data(as_text=True)
    assert "登录" in html
    assert csrf_token(html)


def test_login_and_logout(client, people, auth):
    response = auth.login("ent1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"
    assert "连云港海润机械制造有限公司" in client.get("/home").get_data(as_text=True)
    assert auth.logout().status_code == 302
    assert client.get("/home").status_code == 302  # back to the login page


def test_wrong_password_says_so_in_chinese(client, people, auth):
    html = auth.login("ent1", "wrong-password").get_data(as_text=True)
    assert "用户名或密码不正确" in html


def test_unknown_user_gets_the_same_message(client, people, auth):
    assert "用户名或密码不正确" in auth.login("nobody", "whatever").get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client, people):
    response = client.post("/login", data={"username": "ent1", "password": DEMO_PASSWORD})
    assert response.status_code == 400
    assert "页面已过期或来源无法验证，请刷新页面后重新提交" in response.get_data(as_text=True)
    assert client.get("/home").status_code == 302


def test_next_parameter_cannot_send_users_elsewhere(client, people):
    page = client.get("/login?next=//evil.example/x")
    response = client.post(
        "/login?next=//evil.example/x",
        data={"username": "ent1", "password": DEMO_PASSWORD, "csrf_token": csrf_token(page.get_data(as_text=True))},
    )
    assert response.headers["Location"] == "/home"


def test_session_cookie_is_httponly_and_lax(client, people, auth):
    response = auth.login("ent1")
    cookie = response.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_home_requires_login(client):
    response = client.get("/home")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_unknown_page_is_a_chinese_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "您要找的页面不存在，或您无权查看。" in response.get_data(as_text=True)


def test_admin_pages_show_users_banks_and_policy(client, people, auth):
    auth.login("admin")
    assert "operator2" in client.get("/admin/users").get_data(as_text=True)
    assert "江苏银行连云港分行" in client.get("/admin/banks").get_data(as_text=True)
    assert "连政办发〔2018〕162号" in client.get("/admin/policies").get_data(as_text=True)


def test_the_guide_tells_a_new_user_how_to_apply_from_the_policy_in_force(client, people):
    html = client.get("/guide").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    for line in (
        "中小企业应急转贷资金办事指南",
        "单笔4000万元以下（含4000万元） 0.4‰ 0.45‰",
        "单笔4000万元以上 0.3‰ 0.35‰",
        "单笔1亿元以上 0.2‰ 0.25‰",
        "用款 2 天内日综合费率",
        "最多为承诺续贷额度的 80%",
        "超过 4000万元 的大额申请和逾期贷款的申请报领导小组审批",
        "放款后 2 天内办理续贷",
        "使用时限原则上不超过 10 天",
        "近 3 年内",
        "营业执照",
        "中国工商银行连云港分行",
    ):
        assert line in text, line
    assert "联系方式" not in text  # nothing invented: shown only when the fund has contact lines


def test_the_guide_shows_the_funds_contact_lines(client, people):
    city_fund().contact = "咨询电话：0518-00000000\n\n地址：某路 1 号"
    db.session.commit()
    text = client.get("/guide").get_data(as_text=True)
    assert "<li>咨询电话：0518-00000000</li><li>地址：某路 1 号</li>" in text


def test_an_amount_is_written_out_for_the_forms_echo(client):
    """Issue 12: the amount boxes echo 万元 and 大写 as one types; the words come from Money, on the server."""
    answer = client.get("/money/words?amount=30012000")
    assert answer.status_code == 200
    assert answer.get_json() == {"yuan": "30,012,000.00", "wan": "3,001.20", "capitals": "人民币叁仟零壹万贰仟元整"}
    assert client.get("/money/words?amount=0.13").get_json()["capitals"] == "人民币壹角叁分"
    bad = client.get("/money/words?amount=12.345")
    assert bad.status_code == 422 and bad.get_json() == {"error": "金额最多保留两位小数（精确到分）"}

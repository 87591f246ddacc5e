"""Bad values in every kind of form: the Chinese message next to the field, and nothing changes."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from loanfund import clock
from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import Application, ApplicationEvent, Enterprise, Material, PolicyVersion, User
from tests.conftest import confirm, confirmation_values, csrf_token, form_tokens
from tests.flows import Flows, attach


def count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model))


def feedback(html: str, field: str) -> list[str]:
    """The messages shown under one field: between its control and the next field's wrapper. A step's fields carry
    the step's name before their id (approve-amount), so the ids on a page with several forms stay unique."""
    found = re.search(rf'id="(?:[a-z-]+-)?{re.escape(field)}"', html)
    if found is None:
        return []
    start = found.start()
    end = html.find('<div class="mb-3', start)
    return re.findall(r'<div class="invalid-feedback">([^<]*)</div>', html[start : end if end > 0 else None])


APPLY = {
    "bank_id": "1",
    "loan_contract_no": "借字001",
    "loan_amount_due": "10,000,000.00",
    "loan_due_date": (clock.today() + timedelta(days=30)).isoformat(),
    "requested_amount": "8,000,000.00",
    "requested_days": "3",
    "own_funds": "2,000,000.00",
    "purpose": "转贷",
}


def post_form(client, url: str, data: dict, page: str | None = None, **kwargs):  # type: ignore[no-untyped-def]
    tokens = form_tokens(client.get(page or url).get_data(as_text=True), url)
    return client.post(url, data={**data, **tokens}, **kwargs)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("requested_amount", "", "请填写金额"),
        ("requested_amount", "-5.00", "申请金额必须大于零"),
        ("requested_amount", "100.001", "金额最多保留两位小数（精确到分）"),
        ("requested_days", "11", "用款天数不得超过 10 天"),
        ("requested_days", "", "请填写用款天数"),
        ("loan_amount_due", "abc", "金额格式不正确，请填写数字，如 12,345.67"),
        ("loan_contract_no", "", "此项为必填项"),
        (
            "own_funds",
            "1,000,000.00",
            "自筹资金 100.00 万元与申请金额 800.00 万元合计不足到期贷款本息 1,000.00 万元，尚缺 100.00 万元",
        ),
    ],
)
def test_apply_form_bad_values(client, people, auth, field, value, message):
    auth.login("ent1")
    response = post_form(client, "/applications/new", APPLY | {field: value})
    assert response.status_code == 422  # as every refused form answers
    assert message in feedback(response.get_data(as_text=True), field)
    assert count(Application) == 0


def test_apply_form_accepts_good_values(client, people, auth):
    auth.login("ent1")
    response = post_form(client, "/applications/new", APPLY)
    assert response.status_code == 302
    assert count(Application) == 1


def test_a_post_without_csrf_token_is_refused_and_changes_nothing(client, people, auth):
    auth.login("ent1")
    response = client.post("/applications/new", data=APPLY)
    assert response.status_code == 400
    assert "页面已过期或来源无法验证，请刷新页面后重新提交" in response.get_data(as_text=True)
    assert count(Application) == 0


REGISTER = {
    "name": "连云港新企业有限公司",
    "credit_code": "91320703MA1MB4FT6K",
    "district": "haizhou",
    "industry": "industry",
    "employees": "50",
    "revenue": "5,000,000.00",
    "assets": "3,000,000.00",
    "contact_name": "张三",
    "contact_phone": "13800000000",
    "email": "finance@newco.example",
    "username": "newco",
    "password": "newco-pass-1",
    "confirm": "newco-pass-1",
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("credit_code", "91320703MA1MB4FT6A", "统一社会信用代码校验位不正确，请核对后重新输入"),
        ("revenue", "-1.00", "金额不能为负数"),
        ("employees", "-3", "不能为负数"),
        ("district", "", "企业注册地须在本市市域内（请选择所在县区或功能区）"),
        ("confirm", "other-pass-1", "两次输入的密码不一致"),
        ("email", "not-an-address", "邮箱地址格式不正确，如 name@example.com"),
        ("password", "short", "密码至少 8 位"),
    ],
)
def test_registration_bad_values(client, people, field, value, message):
    response = post_form(
        client, "/register", REGISTER | {field: value} | ({"confirm": value} if field == "password" else {})
    )
    assert response.status_code == 200
    assert message in feedback(response.get_data(as_text=True), field)
    assert count(Enterprise) == 3
    assert count(User) == 10


def test_registration_creates_the_enterprise_with_its_size(client, people):
    response = post_form(client, "/register", REGISTER)
    assert response.status_code == 200
    assert "注册申请已提交" in response.get_data(as_text=True)
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == "91320703MA1MB4FT6K"))
    assert enterprise.size == "small"


def test_editing_the_enterprise_recomputes_its_size(client, people, auth):
    auth.login("ent3")
    ent3 = db.session.scalar(select(User).where(User.username == "ent3")).enterprise
    data = REGISTER | {
        "name": ent3.name,
        "credit_code": ent3.credit_code,
        "district": ent3.district,
        "industry": "wholesale",
        "employees": "25",
        "revenue": "60,000,000.00",
    }
    response = post_form(client, "/enterprise", data)
    assert response.status_code == 302
    db.session.refresh(ent3)
    assert ent3.size == "medium"


def _submitted(traveller):  # type: ignore[no-untyped-def]
    """Submitted with no documents yet."""
    return Flows(traveller).to(State.SUBMITTED, documents=False)


def test_a_50_mb_upload_is_refused_next_to_the_field(client, people, auth, traveller):
    application = _submitted(traveller)
    auth.login("ent1")
    page = f"/applications/{application.id}"
    token = csrf_token(client.get(page).get_data(as_text=True))
    big = io.BytesIO(b"%PDF-" + b"0" * (50 * 1024 * 1024))
    builder = EnvironBuilder(
        path=f"{page}/materials",
        method="POST",
        data={"csrf_token": token, "category": "licence", "file": (big, "大文件.pdf")},
    )
    environ = builder.get_environ()
    try:  # the builder spools the body to a temporary file that nobody else closes
        response = client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()
    assert response.status_code == 413
    assert "文件不能超过 10 MB" in response.get_data(as_text=True)
    assert count(Material) == 0


def test_an_exe_renamed_pdf_is_refused(client, people, auth, traveller):
    application = _submitted(traveller)
    auth.login("ent1")
    page = f"/applications/{application.id}"
    token = csrf_token(client.get(page).get_data(as_text=True))
    exe = io.BytesIO(b"MZ\x90\x00\x03" + b"\x00" * 1000)
    response = client.post(
        f"{page}/materials", data={"csrf_token": token, "category": "licence", "file": (exe, "营业执照.pdf")}
    )
    assert response.status_code == 422
    assert "文件内容与扩展名不符，请上传真实的 PDF、JPG 或 PNG 文件" in feedback(
        response.get_data(as_text=True), "file"
    )
    assert count(Material) == 0


def test_a_real_pdf_is_stored_by_checksum_and_downloadable(client, people, auth, traveller, tmp_path, app):
    app.config["UPLOAD_DIR"] = str(tmp_path)
    application = _submitted(traveller)
    auth.login("ent1")
    page = f"/applications/{application.id}"
    token = csrf_token(client.get(page).get_data(as_text=True))
    response = client.post(
        f"{page}/materials",
        data={"csrf_token": token, "category": "licence", "file": (io.BytesIO(b"%PDF-1.4 test"), "执照.pdf")},
    )
    assert response.status_code == 302
    material = db.session.scalar(select(Material))
    assert (tmp_path / material.sha256).read_bytes() == b"%PDF-1.4 test"
    with client.get(f"{page}/materials/{material.id}") as download:
        assert download.data == b"%PDF-1.4 test"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"amount": "30,000,000.001", "own_funds_confirmed": "10,000,000.00"},
            "amount",
            "金额最多保留两位小数（精确到分）",
        ),
        ({"amount": "-1.00", "own_funds_confirmed": "10,000,000.00"}, "amount", "批准金额必须大于零"),
        ({"amount": "", "own_funds_confirmed": "10,000,000.00"}, "amount", "请填写金额"),
        (
            {"amount": "32,000,000.01", "own_funds_confirmed": "10,000,000.00"},
            "amount",
            "申请金额 3,200.000001 万元超过银行承诺续贷额度的80%（3,200.00 万元）",
        ),
    ],
)
def test_approve_form_bad_values(client, people, auth, traveller, data, field, message):
    application = Flows(traveller).to(State.BANK_COMMITTED)
    events = count(ApplicationEvent)
    auth.login("operator")
    response = post_form(
        client, f"/applications/{application.id}/approve", data, page=f"/applications/{application.id}"
    )
    assert response.status_code == 422
    assert message in feedback(response.get_data(as_text=True), field)
    assert count(ApplicationEvent) == events
    assert db.session.get(Application, application.id).state == State.BANK_COMMITTED.value


def test_a_good_approval_from_the_page(client, people, auth, traveller):
    application = Flows(traveller).to(State.BANK_COMMITTED)
    auth.login("operator")
    response = confirm(
        client,
        f"/applications/{application.id}/approve",
        {"amount": "30,000,000.00", "own_funds_confirmed": "10,000,000.00"},
        page=f"/applications/{application.id}",
    )
    assert response.status_code == 302
    assert db.session.get(Application, application.id).state == State.APPROVED.value


def test_the_return_form_is_prefilled_with_what_is_owed(client, people, auth, traveller):
    application = Flows(traveller).to(State.RENEWED)
    auth.login("bank1")
    html = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert re.search(r'name="principal"[^>]*value="30,000,000.00"', html)  # with separators, as people read it
    assert re.search(r'name="fee"[^>]*value="12,000.00"', html)


def test_a_return_short_of_the_fee_says_what_is_still_owed(client, people, auth, traveller):
    """Issue 12: 100.00 short of the 12,000.00 fee for one day is not "done" — amber, with the amount owed."""
    application = Flows(traveller).to(State.RENEWED)
    auth.login("bank1")
    url = f"/applications/{application.id}/confirm-return"
    body = {
        "received_on": clock.today().isoformat(),
        "principal": "30,000,000.00",
        "fee": "11,900.00",
        "transfer_ref": "HS-1",
    }
    shown = post_form(client, url, body, page=f"/applications/{application.id}").get_data(as_text=True)
    assert "收回后尚欠</dt><dd>本金 0.00 元、用款费用 100.00 元" in shown  # said before it is confirmed, too
    assert "确认后收回款项即记入专用账户，不能撤销。" in shown
    response = client.post(url, data=confirmation_values(shown), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "alert-warning" in html and "已登记收回，但尚未收齐：尚欠本金 0.00 元、用款费用 100.00 元" in html
    assert "已部分收回：尚欠本金 0.00 元、用款费用 100.00 元" in html
    assert "alert-success" not in html
    body = {"received_on": clock.today().isoformat(), "principal": "0.00", "fee": "100.00", "transfer_ref": "HS-2"}
    response = confirm(client, url, body, page=f"/applications/{application.id}", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "已确认收回" in html and "alert-success" in html and "已部分收回" not in html


def test_new_policy_version_bad_values(client, people, auth):
    auth.login("admin")
    data = {
        "name": "",
        "effective_from": "2027-01-01",
        "bands-0-base": "abc",
        "bands-0-extended": "0.45",
        "base_rate_days": "2",
        "max_days": "10",
        "cap_percent": "80",
        "group_threshold": "40,000,000.00",
        "renewal_sla_days": "2",
        "blacklist_years": "3",
        "rate_mode": "marginal",
        "loan_types": "working_capital",
    }
    response = post_form(client, "/admin/policies", data)
    html = response.get_data(as_text=True)
    assert "此项为必填项" in feedback(html, "name")
    assert count(PolicyVersion) == 1


# a policy version the administrator adds from 2 November 2026 (a form as typed)
NEW_POLICY = {
    "name": "连政规发〔2023〕8号（测试）",
    "effective_from": "2026-11-02",
    "bands-0-base": "0.20",
    "bands-0-extended": "0.40",
    "base_rate_days": "5",
    "max_days": "10",
    "cap_percent": "95",
    "group_threshold": "40,000,000.00",
    "group_for_overdue_loan": "y",
    "renewal_sla_days": "2",
    "blacklist_years": "3",
    "rate_mode": "marginal",
    "loan_types": "working_capital",
}


def test_a_new_policy_version_applies_from_its_date_and_past_approvals_keep_theirs(client, people, auth, traveller):
    approved = Flows(traveller).to(State.APPROVED)
    auth.login("admin")
    shown = post_form(client, "/admin/policies", NEW_POLICY)
    assert shown.status_code == 200 and "请确认：新增政策版本" in shown.get_data(as_text=True)
    assert count(PolicyVersion) == 1  # shown, not yet added: a version cannot be withdrawn once added
    response = client.post("/admin/policies", data=confirmation_values(shown.get_data(as_text=True)))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert count(PolicyVersion) == 2
    assert db.session.get(Application, approved.id).policy_version.name == "连政办发〔2018〕162号"


def test_a_nul_character_is_refused_next_to_the_field(client, people, auth):
    auth.login("ent1")
    response = post_form(client, "/applications/new", APPLY | {"loan_contract_no": "借字\x00001"})
    assert "不能包含空字符" in feedback(response.get_data(as_text=True), "loan_contract_no")
    assert count(Application) == 0


def test_the_bank_is_told_what_its_commitment_lets_the_fund_lend(client, people, auth, traveller):
    """Issue 12: committing exactly the amount asked leaves the enterprise 20 % short — the bank is told before and
    after, with the figures."""
    application = Flows(traveller).to(State.ACCEPTED)  # 30,000,000.00 asked against 40,000,000.00 due
    attach(Flows().user("bank1"), application, ("commitment",))
    auth.login("bank1")
    html = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "承诺 40,000,000.00 元，可借 32,000,000.00 元" in html and 'id="note-commit"' in html
    body = {"committed_amount": "30,000,000.00", "opinion": "同意续贷"}
    url = f"/applications/{application.id}/commit"
    html = confirm(client, url, body, page=f"/applications/{application.id}", follow_redirects=True).get_data(
        as_text=True
    )
    assert "alert-warning" in html
    assert (
        "承诺 30,000,000.00 元，可借 24,000,000.00 元；少于企业申请的 30,000,000.00 元，企业还需另筹 6,000,000.00 元"
        in html
    )


def test_an_invalid_field_says_so_to_assistive_technology(client, people, auth):
    """Issue 12: aria-invalid on the field, aria-describedby pointing at its messages."""
    auth.login("ent1")
    html = post_form(client, "/applications/new", APPLY | {"requested_days": "11"}).get_data(as_text=True)
    field = re.search(r'<input[^>]*id="requested_days"[^>]*>', html)
    assert (
        field
        and 'aria-invalid="true"' in field.group(0)
        and 'aria-describedby="requested_days-feedback"' in field.group(0)
    )
    messages = re.search(r'<div id="requested_days-feedback" class="lf-feedback">(.*?)</div></div>', html)
    assert messages and "用款天数不得超过 10 天" in messages.group(1)
    valid = re.search(r'<input[^>]*id="requested_amount"[^>]*>', html)
    assert valid and "aria-invalid" not in valid.group(0)


def test_every_page_has_a_skip_link_and_the_submit_once_script_is_served_locally(client, people, auth):
    html = client.get("/login").get_data(as_text=True)
    assert '<a class="visually-hidden-focusable' in html and 'href="#main">跳到主要内容</a>' in html
    assert 'id="main"' in html and re.search(r'<input autofocus [^>]*id="username"', html)
    assert re.search(r'<script src="/static/forms\.js\?v=[0-9a-f]{12}"></script>', html)
    script = client.get("/static/forms.js")
    try:
        assert script.status_code == 200 and "提交中…" in script.get_data(as_text=True)
    finally:
        script.close()  # a static file is sent from an open file


def test_four_problems_are_named_at_once_with_a_summary_linking_to_each(client, people, auth):
    """Issue 12: a format error does not hide the rules — an empty contract number, too many days, a due date
    already passed and own funds 1,000,000.00 short are all named in one answer, counted at the top."""
    auth.login("ent1")
    passed = (clock.today() - timedelta(days=5)).isoformat()
    bad = {"loan_contract_no": "", "requested_days": "11", "loan_due_date": passed, "own_funds": "1,000,000.00"}
    response = post_form(client, "/applications/new", APPLY | bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert feedback(html, "loan_contract_no") == ["此项为必填项"]
    assert feedback(html, "requested_days") == ["用款天数不得超过 10 天"]
    assert feedback(html, "loan_due_date") == [f"贷款到期日 {passed} 已过；如贷款已在银行逾期，请如实勾选“贷款已逾期”"]
    assert feedback(html, "own_funds") == [
        "自筹资金 100.00 万元与申请金额 800.00 万元合计不足到期贷款本息 1,000.00 万元，尚缺 100.00 万元"
    ]
    summary = re.search(r'<div class="alert alert-danger lf-error-summary[^>]*>(.*?)</ul>', html, flags=re.S)
    assert summary and "共 4 处需修改" in summary.group(1)
    assert re.findall(r'href="#([a-z_]+)"', summary.group(1)) == [
        "loan_contract_no",
        "loan_due_date",
        "requested_days",
        "own_funds",
    ]
    assert count(Application) == 0
    good = post_form(client, "/applications/new", APPLY)  # corrected, it goes through
    assert good.status_code == 302 and count(Application) == 1


def test_a_wrong_check_character_is_named_with_the_other_errors_at_once(client, people):
    """Issue 12: registration named a wrong check character only after another field was fixed."""
    response = post_form(client, "/register", REGISTER | {"credit_code": "91320703MA1MB4FT6X", "employees": "abc"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert feedback(html, "employees") == ["不是有效的整数，请用阿拉伯数字 0–9 填写"]
    assert len(feedback(html, "credit_code")) == 1 and "校验" in feedback(html, "credit_code")[0]
    assert "共 2 处需修改" in html


def test_the_commitment_card_recomputes_the_cover_as_the_bank_types(client, people, auth, traveller):
    """Issue 23: the 80 % hint stayed at the pre-filled amount while the bank typed another; it is asked of the server
    as one types, like the 大写 echo, and the confirmation warns of the shortfall before 确认."""
    application = Flows(traveller).to(State.ACCEPTED)  # 30,000,000.00 asked against 40,000,000.00 due
    auth.login("bank1")
    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    url = f"/applications/{application.id}/commitment-cover"
    assert f'data-cover-url="{url}" data-cover-for="commit-committed_amount"' in page
    short = client.get(f"{url}?amount=30,000,000.00").get_json()
    assert short == {
        "text": "按现行政策，应急转贷资金最多为承诺续贷额度的 80%：承诺 30,000,000.00 元，可借 24,000,000.00 元；"
        "少于企业申请的 30,000,000.00 元，企业还需另筹 6,000,000.00 元",
        "short": True,
        "cap": "24000000.00",
    }
    enough = client.get(f"{url}?amount=37500000").get_json()
    assert (enough["short"], enough["cap"]) == (False, "30000000.00")
    bad = client.get(f"{url}?amount=abc")
    assert bad.status_code == 422 and "error" in bad.get_json()
    attach(Flows().user("bank1"), application, ("commitment",))
    shown = post_form(
        client,
        f"/applications/{application.id}/commit",
        {"committed_amount": "30,000,000.00", "opinion": "同意续贷"},
        page=f"/applications/{application.id}",
    )
    words = " ".join(re.sub(r"<[^>]+>", " ", shown.get_data(as_text=True)).split())
    assert "按此承诺 按现行政策，应急转贷资金最多为承诺续贷额度的 80%" in words
    assert (
        "按此承诺，应急转贷资金不足以覆盖企业的申请：企业还需另筹 6,000,000.00 元（人民币陆佰万元整），企业将收到通知。"
        in words
    )
    auth.login("bank2")
    assert client.get(f"{url}?amount=30,000,000.00").status_code == 404

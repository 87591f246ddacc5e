"""Forms posted twice, and inputs that reached a 500 or were wrongly accepted: each gets a message next to its field,
and nothing changes (issue 8)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import Application, Contribution, Enterprise, Material, PolicyVersion, Receipt
from tests.conftest import confirmation_values, form_tokens
from tests.flows import Flows
from tests.web.test_forms import APPLY, REGISTER, count, feedback, post_form


def test_the_return_form_posted_twice_with_its_token_books_one_receipt(client, people, auth, traveller):
    application = Flows(traveller).to(State.RENEWED)
    auth.login("bank1")
    url = f"/applications/{application.id}/confirm-return"
    data = {
        "received_on": "2026-11-01",
        "principal": "400,000.00",
        "fee": "0.00",
        "transfer_ref": "HS-400",
        "confirmed": "1",  # the confirmation's button (the first press only shows what will be booked)
    } | form_tokens(client.get(f"/applications/{application.id}").get_data(as_text=True), url)
    first = client.post(url, data=data)
    second = client.post(url, data=data)  # a double click, or a refresh after the POST
    assert (first.status_code, second.status_code) == (302, 302)
    [receipt] = db.session.scalars(select(Receipt)).all()
    assert (receipt.principal.format(), receipt.transfer_ref) == ("400,000.00", "HS-400")
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "该表单已经提交并办理，本次重复提交未再办理。" in page


def test_the_same_page_posted_again_with_other_values_is_sent_back_to_reload(client, people, auth, traveller):
    application = Flows(traveller).to(State.RENEWED)
    auth.login("bank1")
    url = f"/applications/{application.id}/confirm-return"
    tokens = form_tokens(client.get(f"/applications/{application.id}").get_data(as_text=True), url)
    data = {"received_on": "2026-11-01", "principal": "400,000.00", "fee": "0.00", "transfer_ref": "HS-400"}
    data |= {"confirmed": "1"}
    assert client.post(url, data=data | tokens).status_code == 302
    again = client.post(url, data=data | tokens | {"principal": "100,000.00", "transfer_ref": "HS-401"})
    assert again.status_code == 302
    assert "此页面上的表单已经提交过，请刷新页面后重新填写。" in client.get(again.headers["Location"]).get_data(
        as_text=True
    )
    assert count(Receipt) == 1


def test_a_step_posted_without_its_one_time_token_is_refused(client, people, auth, traveller):
    application = Flows(traveller).to(State.RENEWED)
    auth.login("bank1")
    url = f"/applications/{application.id}/confirm-return"
    tokens = form_tokens(client.get(f"/applications/{application.id}").get_data(as_text=True), url)
    data = {"received_on": "2026-11-01", "principal": "400,000.00", "fee": "0.00", "transfer_ref": "HS-400"}
    response = client.post(url, data=data | {"csrf_token": tokens["csrf_token"]})
    assert response.status_code == 422
    assert "页面已过期，请刷新页面后重新提交" in response.get_data(as_text=True)
    assert count(Receipt) == 0


def test_a_transfer_reference_booked_before_is_shown_next_to_its_field(client, people, auth, traveller):
    application = Flows(traveller).to(State.RENEWED)
    auth.login("bank1")
    url = f"/applications/{application.id}/confirm-return"
    data = {"received_on": "2026-11-01", "principal": "400,000.00", "fee": "0.00", "transfer_ref": "HS-400"}
    data |= {"confirmed": "1"}
    assert post_form(client, url, data, page=f"/applications/{application.id}").status_code == 302
    again = post_form(client, url, data | {"principal": "100,000.00"}, page=f"/applications/{application.id}")
    assert again.status_code == 422
    assert feedback(again.get_data(as_text=True), "transfer_ref") == [
        "划款凭证号 HS-400 已于 2026-11-01 登记收回（本金 400,000.00 元、费用 0.00 元），同一笔划款不能重复登记"
    ]
    assert count(Receipt) == 1


def test_submitting_the_application_twice_creates_one(client, people, auth):
    auth.login("ent1")
    data = APPLY | form_tokens(client.get("/applications/new").get_data(as_text=True), "/applications/new")
    assert client.post("/applications/new", data=data).status_code == 302
    assert client.post("/applications/new", data=data).status_code == 302
    assert count(Application) == 1


def test_a_contribution_posted_twice_is_recorded_once(client, people, auth):
    auth.login("admin")
    data = {"contributor_name": "东海县财政局", "kind": "county", "amount": "5,000,000.00", "received_on": "2026-11-20"}
    data |= {"reference": "CZ-DH-5", "confirmed": "1"}
    data |= form_tokens(client.get("/admin/contributions").get_data(as_text=True), "")
    before = count(Contribution)
    assert client.post("/admin/contributions", data=data).status_code == 302
    assert client.post("/admin/contributions", data=data).status_code == 302
    assert count(Contribution) == before + 1


@pytest.mark.parametrize("employees", ["2147483648", "99999999999999999999", "10000001"])
def test_an_impossible_head_count_is_a_field_error_on_sign_up(client, people, employees):
    response = post_form(client, "/register", REGISTER | {"employees": employees})
    assert response.status_code == 200
    assert feedback(response.get_data(as_text=True), "employees") == ["从业人员人数须在 0 至 10,000,000 之间"]
    assert count(Enterprise) == 3


def test_an_impossible_head_count_is_a_field_error_on_the_enterprise_page(client, people, auth):
    auth.login("ent3")
    response = post_form(client, "/enterprise", REGISTER | {"employees": "2147483648"})
    assert response.status_code == 200
    assert feedback(response.get_data(as_text=True), "employees") == ["从业人员人数须在 0 至 10,000,000 之间"]
    assert db.session.scalar(select(Enterprise.employees).where(Enterprise.credit_code == "91320707MA20C7KD8A")) < 100


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("requested_amount", "৮,০০০,০০০.০০", "金额格式不正确，请填写数字，如 12,345.67"),
        ("loan_amount_due", "１０,０００,０００.００", "金额格式不正确，请填写数字，如 12,345.67"),
        ("requested_days", "٣", "不是有效的整数，请用阿拉伯数字 0–9 填写"),
        ("loan_due_date", "٢٠٢٦-١٢-٠١", "日期格式应为 YYYY-MM-DD"),
        ("loan_due_date", "9999-12-31", "贷款到期日须在"),
        ("loan_due_date", "0001-01-01", "贷款到期日须在"),
    ],
)
def test_digits_of_other_scripts_and_absurd_dates_are_refused_on_the_application_form(
    client, people, auth, field, value, message
):
    auth.login("ent1")
    response = post_form(client, "/applications/new", APPLY | {field: value})
    assert response.status_code == 422
    [shown] = feedback(response.get_data(as_text=True), field)
    assert shown.startswith(message)
    assert count(Application) == 0


@pytest.mark.parametrize("target", ["/%0D%0Ax", "/%0d%0aSet-Cookie:%20x=1", "/\\evil.example", "/a%09b"])
def test_a_next_address_with_control_characters_goes_home(client, people, target):
    page = client.get(f"/login?next={target}")
    data = {"username": "ent1", "password": "demo-pass-123"} | form_tokens(page.get_data(as_text=True), "")
    response = client.post(f"/login?next={target}", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"


def test_nan_as_the_tax_rate_is_a_field_error(client, people, auth):
    auth.login("admin")
    response = post_form(client, "/admin/distributions", {"tax_rate": "NaN"}, page="/admin/contributions")
    assert response.status_code == 200
    assert feedback(response.get_data(as_text=True), "tax_rate") == ["税率须为有限的数字，如 0.06"]


POLICY = {
    "name": "连政规发〔2023〕8号",
    "effective_from": "2027-01-01",
    "bands-0-base": "0.20",
    "bands-0-extended": "0.40",
    "base_rate_days": "5",
    "max_days": "10",
    "cap_percent": "95",
    "group_threshold": "40,000,000.00",
    "renewal_sla_days": "2",
    "blacklist_years": "3",
    "rate_mode": "marginal",
    "loan_types": "working_capital",
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cap_percent", "NaN", "须为大于 0、不超过 100 的数字"),
        ("cap_percent", "Infinity", "须为大于 0、不超过 100 的数字"),
        ("cap_percent", "100.01", "须为大于 0、不超过 100 的数字"),
        ("bands-0-base", "Infinity", "须为有限的数字"),
        ("bands-0-base", "NaN", "须为有限的数字"),
        ("bands-0-extended", "-Infinity", "须为有限的数字"),
        ("bands-0-extended", "5.01", "日费率不能超过 5‰"),
        ("bands-0-base", "0.12345", "最多保留四位小数"),
    ],
)
def test_policy_numbers_must_be_finite_and_sane(client, people, auth, field, value, message):
    auth.login("admin")
    response = post_form(client, "/admin/policies", POLICY | {field: value})
    assert response.status_code == 200
    assert feedback(response.get_data(as_text=True), field) == [message]
    assert count(PolicyVersion) == 1


def test_a_sane_policy_is_still_accepted(client, people, auth):
    auth.login("admin")
    shown = post_form(client, "/admin/policies", POLICY | {"bands-0-extended": "5"})
    assert shown.status_code == 200 and "请确认：新增政策版本" in shown.get_data(as_text=True)
    response = client.post("/admin/policies", data=confirmation_values(shown.get_data(as_text=True)))
    assert response.status_code == 302
    assert count(PolicyVersion) == 2


def test_a_file_name_with_a_nul_is_refused_before_anything_is_written(client, people, auth, traveller, tmp_path, app):
    app.config["UPLOAD_DIR"] = str(tmp_path)
    application = Flows(traveller).to(State.SUBMITTED, documents=False)
    auth.login("ent1")
    page = f"/applications/{application.id}"
    tokens = form_tokens(client.get(page).get_data(as_text=True), f"{page}/materials")
    response = client.post(
        f"{page}/materials",
        data=tokens | {"category": "licence", "file": (io.BytesIO(b"%PDF-1.4 test"), "a\x00.pdf")},
    )
    assert response.status_code == 422
    assert feedback(response.get_data(as_text=True), "file") == ["文件名含有控制字符，请重命名后再上传"]
    assert count(Material) == 0
    assert list(tmp_path.iterdir()) == []

"""The in-app inbox (站内信): every notice lands there, with the unread count in the header; each user reads and
marks only their own. E-mail settings, and the administrator's view of the e-mail queue."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import MailDelivery, Message, User
from tests.conftest import form_tokens


def unread_badge(html: str) -> str | None:
    match = re.search(r'id="inbox-link">站内信\s*<span[^>]*>(\d+)</span>', html)
    return match.group(1) if match else None


def test_the_enterprise_reads_that_its_application_was_accepted_and_marks_it_read(client, auth, flows):
    application = flows.to(State.ACCEPTED)
    auth.login("ent1")
    assert unread_badge(client.get("/home").get_data(as_text=True)) == "1"
    page = client.get("/inbox").get_data(as_text=True)
    assert f"申请 {application.reference} 已受理" in page
    assert "已受理，已转中国工商银行连云港分行出具是否续贷的承诺" in page
    message = db.session.scalars(select(Message).where(Message.user_id == flows.user("ent1").id)).one()
    client.post(f"/inbox/{message.id}/read", data=form_tokens(page, f"/inbox/{message.id}/read"))
    assert unread_badge(client.get("/home").get_data(as_text=True)) is None


def test_the_bank_is_asked_for_its_commitment(client, auth, flows):
    application = flows.to(State.ACCEPTED)
    auth.login("bank1")
    page = client.get("/inbox").get_data(as_text=True)
    assert f"待出具转贷承诺：{application.reference}" in page
    assert "到期贷款合同 借字2026第001号，本息 40,000,000.00 元" in page


def test_another_users_message_cannot_be_marked_read(client, auth, flows):
    flows.to(State.ACCEPTED)
    theirs = db.session.scalars(select(Message).where(Message.user_id == flows.user("ent1").id)).one()
    auth.login("bank1")
    page = client.get("/inbox").get_data(as_text=True)
    client.post(f"/inbox/{theirs.id}/read", data=form_tokens(page, "/inbox/read"))
    client.post("/inbox/read", data=form_tokens(page, "/inbox/read"))
    db.session.expire_all()
    assert db.session.get(Message, theirs.id).read_at is None
    assert "借字2026第001号" not in client.get("/inbox").get_data(as_text=True).split("申请")[0]


@pytest.mark.parametrize(
    ("email", "by_email", "message"),
    [
        ("not an address", "y", "邮箱地址格式不正确，如 name@example.com"),
        ("", "y", "接收邮件通知须填写邮箱地址"),
        ("ent1@example.test", "y", "接收短信通知须填写手机号码"),
        ("ent1@example.test", "y", "手机号码应为 11 位数字，以 1 开头，如 13800000000"),
    ],
)
def test_bad_notice_settings_are_refused_next_to_the_field(client, auth, people, email, by_email, message):
    auth.login("ent1")
    page = client.get("/account/notices").get_data(as_text=True)
    texting = {"by_sms": "y"} if "短信" in message else {"mobile": "0518-1234"} if "手机号码应为" in message else {}
    answer = client.post(
        "/account/notices", data={"email": email, "by_email": by_email} | texting | form_tokens(page, "")
    ).get_data(as_text=True)
    assert re.search(rf'class="invalid-feedback">{message}<', answer)
    db.session.expire_all()
    ent1 = db.session.scalars(select(User).where(User.username == "ent1")).one()
    assert (ent1.email, ent1.email_notices) == ("ent1@example.test", True)


def test_e_mail_can_be_turned_off_and_the_inbox_stays(client, auth, flows):
    auth.login("bank1")
    page = client.get("/account/notices").get_data(as_text=True)
    client.post("/account/notices", data={"email": "xindai@icbc.example"} | form_tokens(page, ""))
    flows.to(State.APPROVED)
    bank1 = flows.user("bank1")
    assert (bank1.email, bank1.email_notices) == ("xindai@icbc.example", False)
    approved = db.session.scalars(select(Message).where(Message.user_id == bank1.id, Message.kind == "approved")).one()
    assert approved.delivery is None
    assert "人民币叁仟万元整" in approved.body


def test_the_administrator_sees_the_queue_without_a_mail_server_and_requeues_a_failed_one(client, auth, flows):
    flows.to(State.ACCEPTED)
    delivery = db.session.scalars(select(MailDelivery).join(Message).where(Message.kind == "to_commit")).one()
    delivery.state, delivery.attempts = "failed", 8
    db.session.commit()
    auth.login("admin")
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "尚未配置邮件服务器" in page
    assert "bank1@example.test" in page and "发送失败" in page
    client.post(f"/admin/mail/{delivery.id}/requeue", data=form_tokens(page, f"/admin/mail/{delivery.id}/requeue"))
    db.session.expire_all()
    assert db.session.get(MailDelivery, delivery.id).state == "queued"


def test_a_mobile_number_and_sms_are_set_beside_the_address(client, auth, people):
    auth.login("ent1")
    page = client.get("/account/notices").get_data(as_text=True)
    assert 'id="mobile"' in page and "放款、到期前一日、逾期和归还不足时同时发送短信" in page
    data = {"email": "ent1@example.test", "by_email": "y", "mobile": "138 0000 0001", "by_sms": "y"}
    assert client.post("/account/notices", data=data | form_tokens(page, "")).status_code == 302
    db.session.expire_all()
    ent1 = db.session.scalars(select(User).where(User.username == "ent1")).one()
    assert (ent1.mobile, ent1.sms_notices) == ("13800000001", True)
    assert 'value="13800000001"' in client.get("/account/notices").get_data(as_text=True)

"""忘记密码 as a visitor meets it (issue 30): the link from the login page, one answer for a name that exists and one
that does not, the link's page with every problem next to its field, the new password working, the browser signed in
before signed out, and a link used again saying so (410)."""

from __future__ import annotations

from sqlalchemy import select

from loanfund.extensions import db
from loanfund.models import Message, User
from tests.conftest import csrf_token
from tests.integration.test_password_reset import NEW
from tests.web.test_confirmations import text_of
from tests.web.test_forms import feedback

ANSWER = (
    "如该用户名或邮箱已在系统中登记，重置密码的链接将在几分钟内发送到账户登记的邮箱，30 分钟内有效，只能使用一次。"
    "未登记邮箱的用户请联系系统管理员重置密码。"
)


def _ask(client, identifier: str):  # type: ignore[no-untyped-def]
    page = client.get("/password/forgot").get_data(as_text=True)
    return client.post(
        "/password/forgot", data={"identifier": identifier, "csrf_token": csrf_token(page)}, follow_redirects=True
    )


def _link(username: str) -> str:
    user = db.session.scalars(select(User).where(User.username == username)).one()
    message = db.session.scalars(
        select(Message).where(Message.user_id == user.id, Message.kind == "password_reset").order_by(Message.id.desc())
    ).first()
    assert message is not None
    return "/password/reset/" + message.body.split("/password/reset/")[1].split()[0]


def test_one_answer_whatever_is_named(client, people):
    login = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in login and "忘记密码？" in login
    known, unknown = _ask(client, "ent1"), _ask(client, "no-such-user")
    assert known.status_code == unknown.status_code == 200
    assert ANSWER in text_of(known.get_data(as_text=True)) and ANSWER in text_of(unknown.get_data(as_text=True))
    page = client.get("/password/forgot").get_data(as_text=True)
    empty = client.post("/password/forgot", data={"identifier": "", "csrf_token": csrf_token(page)})
    assert feedback(empty.get_data(as_text=True), "identifier") == ["请填写用户名或邮箱"]


def test_the_link_sets_a_new_password_and_signs_the_old_browser_out(client, auth, people, traveller):
    auth.login("ent1")
    assert client.get("/home").status_code == 200
    _ask(client, "ent1")
    link = _link("ent1")
    page = client.get(link)
    assert page.status_code == 200 and "设置新密码 · ent1" in page.get_data(as_text=True)
    token = csrf_token(page.get_data(as_text=True))
    weak = client.post(link, data={"new_password": "12345678", "new_password_again": "1234567", "csrf_token": token})
    html = weak.get_data(as_text=True)
    assert weak.status_code == 200 and feedback(html, "new_password") != []  # too weak, said next to it
    assert feedback(html, "new_password_again") == ["两次输入的新密码不一致"]
    done = client.post(link, data={"new_password": NEW, "new_password_again": NEW, "csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    assert client.get("/home").status_code == 302  # this browser was signed in as ent1: now it is not
    assert auth.login("ent1", NEW).status_code == 302
    again = client.get(link)
    assert again.status_code == 410 and "该重置链接无效、已使用或已过期" in again.get_data(as_text=True)


def test_the_administrator_reads_the_requests_beside_the_logins(client, auth, people, traveller):
    _ask(client, "ent1")
    _ask(client, "nobody-here")
    auth.login("admin")
    words = text_of(client.get("/admin/logins").get_data(as_text=True))
    assert "最近 1 次“忘记密码”申请" in words  # the name nobody has is the platform's, not the fund's
    assert "ent1 " in words and "已发送链接 有效至 2026-11-01 09:30" in words

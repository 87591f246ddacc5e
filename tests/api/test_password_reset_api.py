"""忘记密码 over the API (issue 30): anonymous, one answer whatever is named (202), the link's token and the new
password twice (204); a token used again, 410 as problem+json; a weak password, 422 with its field."""

from __future__ import annotations

from sqlalchemy import select

from loanfund.extensions import db
from loanfund.models import Message
from tests.integration.test_password_reset import NEW


def test_ask_and_reset_without_signing_in(api, traveller):
    client = api.client
    known = client.post("/api/v1/password/forgot", json={"identifier": "bank1"})
    unknown = client.post("/api/v1/password/forgot", json={"identifier": "someone-else"})
    assert known.status_code == unknown.status_code == 202 and known.get_json() == unknown.get_json()
    assert "重置密码的链接将在几分钟内发送" in known.get_json()["message"]
    assert client.post("/api/v1/password/forgot", json={}).get_json()["errors"] == {"identifier": ["此项为必填项"]}
    body = db.session.scalars(select(Message.body).where(Message.kind == "password_reset")).one()
    token = body.split("/password/reset/")[1].split()[0]
    weak = client.post("/api/v1/password/reset", json={"token": token, "new_password": "1", "new_password_again": "1"})
    assert weak.status_code == 422 and "new_password" in weak.get_json()["errors"]
    done = client.post("/api/v1/password/reset", json={"token": token, "new_password": NEW, "new_password_again": NEW})
    assert done.status_code == 204
    again = client.post("/api/v1/password/reset", json={"token": token, "new_password": NEW, "new_password_again": NEW})
    assert again.status_code == 410 and again.headers["Content-Type"] == "application/problem+json"
    assert again.get_json()["detail"] == "该重置链接无效、已使用或已过期，请重新申请“忘记密码”"
    signed = client.post("/api/v1/tokens", auth=("bank1", NEW))
    assert signed.status_code in (200, 201)

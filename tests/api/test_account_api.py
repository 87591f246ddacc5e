"""What the pages do for one's own account, an enterprise's details, signing up and vetting, over the API (issue
27): an SME signs up, uploads its licence and is vetted without a browser; a password change ends every token."""

from __future__ import annotations

import base64
import io

import pytest
from sqlalchemy import select

from loanfund.extensions import db
from loanfund.models import Enterprise, User

pytestmark = pytest.mark.both_databases

SIGN_UP = {
    "username": "newco",
    "password": "newco-pass-1",
    "email": "finance@newco.example",
    "name": "连云港新企业有限公司",
    "credit_code": "91320703MA1MB4FT6K",
    "district": "haizhou",
    "industry": "industry",
    "employees": 50,
    "revenue": "5000000.00",
    "assets": "3000000.00",
    "contact_name": "张三",
}


def token(client, username: str, password: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    basic = base64.b64encode(f"{username}:{password}".encode()).decode()
    answer = client.post("/api/v1/tokens", headers={"Authorization": f"Basic {basic}"})
    assert answer.status_code == 201, answer.get_json()
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


def test_an_sme_signs_up_and_is_vetted_over_the_api(client, api):
    bad = client.post("/api/v1/sign-ups", json=SIGN_UP | {"credit_code": "91320703MA1MB4FT6A", "revenue": "-1.00"})
    assert (bad.status_code, bad.content_type) == (422, "application/problem+json")
    assert set(bad.get_json()["errors"]) == {"credit_code", "revenue"}
    assert db.session.scalar(select(User.id).where(User.username == "newco")) is None  # nothing written
    answer = client.post("/api/v1/sign-ups", json=SIGN_UP)
    assert answer.status_code == 202
    newco = token(client, "newco", "newco-pass-1")
    assert client.get("/api/v1/applications", headers=newco).status_code == 403  # not vetted yet
    assert client.get("/api/v1/sign-ups/me", headers=newco).get_json()["state"] == "pending"
    sent = client.post(
        "/api/v1/sign-ups/me/licence",
        data={"file": (io.BytesIO(b"%PDF-1.4\n%licence\n"), "营业执照.pdf")},
        headers=newco,
        content_type="multipart/form-data",
    )
    assert sent.status_code == 200 and sent.get_json()["licence_name"] == "营业执照.pdf"

    [pending] = api.get("reviewer", "/sign-ups").get_json()["items"]
    assert (pending["username"], pending["submitted"]["name"]) == ("newco", "连云港新企业有限公司")
    licence = api.client.get(pending["licence"], headers=api.headers("reviewer"))
    assert licence.data == b"%PDF-1.4\n%licence\n"
    licence.close()
    path = f"/sign-ups/{pending['id']}/decision"
    returned = api.post("reviewer", path, {"approve": False})
    assert returned.status_code == 422  # returned without a reason
    approved = api.post("reviewer", path, {"approve": True, "note": "与执照一致"})
    assert (approved.status_code, approved.get_json()["state"]) == (200, "vetted")
    assert client.get("/api/v1/applications", headers=newco).status_code == 200  # vetted: the same token works

    details = {k: SIGN_UP[k] for k in ("name", "credit_code", "district", "industry")} | {
        "employees": 80,
        "revenue": "9000000.00",
        "assets": "4000000.00",
        "address": "海州区朝阳东路 1 号",
    }
    changed = client.put("/api/v1/enterprises/me", json=details, headers=newco)
    assert (changed.status_code, changed.get_json()["employees"], changed.get_json()["size"]) == (200, 80, "small")
    renamed = client.put("/api/v1/enterprises/me", json=details | {"name": "别的名字有限公司"}, headers=newco)
    assert renamed.status_code == 422 and list(renamed.get_json()["errors"]) == ["name"]
    assert db.session.scalars(
        select(Enterprise.name).where(Enterprise.credit_code == SIGN_UP["credit_code"])
    ).one() == ("连云港新企业有限公司")


def test_a_password_changed_over_the_api_ends_every_token(client, api):
    headers = api.headers("ent1")
    wrong = client.put(
        "/api/v1/account/password", json={"current_password": "nope", "new_password": "x"}, headers=headers
    )
    assert wrong.status_code == 422
    notices = client.put(
        "/api/v1/account/notices", json={"email": "cfo@ent1.example", "by_email": True}, headers=headers
    )
    assert notices.get_json() == {"email": "cfo@ent1.example", "by_email": True, "mobile": "", "by_sms": False}
    texted = client.put(
        "/api/v1/account/notices",
        json={"email": "cfo@ent1.example", "by_email": True, "mobile": "13800000001", "by_sms": True},
        headers=headers,
    )
    assert texted.get_json() == {"email": "cfo@ent1.example", "by_email": True, "mobile": "13800000001", "by_sms": True}
    refused = client.put("/api/v1/account/notices", json={"mobile": "", "by_sms": True}, headers=headers)
    assert (refused.status_code, refused.get_json()["errors"]) == (422, {"mobile": ["接收短信通知须填写手机号码"]})
    assert client.post("/api/v1/messages/read", headers=headers).status_code == 204
    assert client.get("/api/v1/account/sessions", headers=headers).get_json() == {"items": []}
    assert client.delete("/api/v1/account/sessions/999999", headers=headers).status_code == 404
    changed = client.put(
        "/api/v1/account/password",
        json={"current_password": "demo-pass-123", "new_password": "a-new-pass-2026"},
        headers=headers,
    )
    assert changed.status_code == 204
    assert client.get("/api/v1/tokens", headers=headers).status_code == 401  # this token ended too
    assert client.get("/api/v1/tokens", headers=token(client, "ent1", "a-new-pass-2026")).status_code == 200

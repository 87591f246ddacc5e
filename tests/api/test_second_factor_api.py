"""两步验证 over the API (issue 30): enrolment (a secret, a first code, the recovery codes), a token only with the code
in ``X-OTP`` once it is on, the money step refused without it (422 naming the header, nothing done) and a retry of
the same Idempotency-Key answered from the store without a new code; off again with a code; the administrator's
reset."""

from __future__ import annotations

import base64
from datetime import timedelta

from sqlalchemy import select

from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import Application, User
from tests.conftest import DEMO_PASSWORD
from tests.integration.test_second_factor import code_now, prepared

MISSING = "请输入动态验证码"


def basic(name: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{DEMO_PASSWORD}".encode()).decode()}


def test_enrolment_then_a_token_needs_the_code(api, traveller):
    client = api.client
    assert api.get("operator2", "/account/second-factor").get_json() == {
        "state": "off",
        "confirmed_at": None,
        "unused_recovery_codes": 0,
        "required": False,
    }
    begun = api.post("operator2", "/account/second-factor")
    assert begun.status_code == 201
    secret = begun.get_json()["secret"]
    assert begun.get_json()["uri"].startswith("otpauth://totp/") and len(secret) == 32
    assert api.get("operator2", "/account/second-factor").get_json()["state"] == "pending"
    wrong = api.post("operator2", "/account/second-factor/confirm", {"otp": "00000a"})
    assert wrong.status_code == 422 and list(wrong.get_json()["errors"]) == ["otp"]
    done = api.post("operator2", "/account/second-factor/confirm", {"otp": code_now(secret)})
    assert done.status_code == 200 and len(done.get_json()["recovery_codes"]) == 10
    state = api.get("operator2", "/account/second-factor").get_json()
    assert state["state"] == "on" and state["unused_recovery_codes"] == 10
    assert api.post("operator2", "/account/second-factor").status_code == 409  # on already
    traveller.shift(timedelta(seconds=30))
    without = client.post("/api/v1/tokens", headers=basic("operator2"))
    assert without.status_code == 401 and without.headers["Content-Type"] == "application/problem+json"
    assert without.get_json()["detail"] == MISSING + "（请在 X-OTP 请求头中提供）"
    with_code = client.post("/api/v1/tokens", headers=basic("operator2") | {"X-OTP": code_now(secret)})
    assert with_code.status_code == 201
    assert api.get("ent1", "/account/second-factor").status_code == 403  # an enterprise's account is not asked


def test_money_goes_out_over_the_api_only_with_the_code_in_its_header(api, flows, traveller):
    application = prepared(flows)
    api.token("operator2")  # before the factor is on
    secret = api.post("operator2", "/account/second-factor").get_json()["secret"]
    api.post("operator2", "/account/second-factor/confirm", {"otp": code_now(secret)})
    traveller.shift(timedelta(seconds=30))
    path = f"/api/v1/applications/{application.id}/authorise-disbursement"
    headers = api.headers("operator2", "authorise-1")
    refused = api.client.post(path, json={}, headers=headers)
    assert refused.status_code == 422 and refused.get_json()["errors"] == {"X-OTP": [MISSING]}
    assert db.session.get_one(Application, application.id).state == State.APPROVED.value
    taken = api.client.post(path, json={}, headers=headers | {"X-OTP": code_now(secret)})
    assert taken.status_code == 200 and taken.get_json()["state"] == State.DISBURSED.value
    replayed = api.client.post(path, json={}, headers=headers)  # the same key: the first answer, no code needed
    assert replayed.status_code == 200 and replayed.headers["Idempotent-Replayed"] == "true"


def test_renewing_the_codes_and_turning_it_off_take_a_code(api, traveller):
    secret = api.post("group", "/account/second-factor").get_json()["secret"]
    first = api.post("group", "/account/second-factor/confirm", {"otp": code_now(secret)}).get_json()
    traveller.shift(timedelta(seconds=30))
    headers = api.headers("group")
    refused = api.client.post("/api/v1/account/second-factor/recovery-codes", headers=headers)
    assert refused.status_code == 422 and refused.get_json()["errors"] == {"X-OTP": [MISSING]}
    renewed = api.client.post(
        "/api/v1/account/second-factor/recovery-codes", headers=headers | {"X-OTP": first["recovery_codes"][0]}
    )
    assert renewed.status_code == 200 and set(renewed.get_json()["recovery_codes"]).isdisjoint(first["recovery_codes"])
    off = api.client.delete("/api/v1/account/second-factor", headers=headers | {"X-OTP": code_now(secret)})
    assert off.status_code == 204
    assert api.get("group", "/account/second-factor").get_json()["state"] == "off"


def test_the_administrator_resets_a_users_second_factor(api, traveller):
    secret = api.post("operator", "/account/second-factor").get_json()["secret"]
    api.post("operator", "/account/second-factor/confirm", {"otp": code_now(secret)})
    operator = db.session.scalars(select(User).where(User.username == "operator")).one()
    reset = api.client.delete(f"/api/v1/funds/LYG/users/{operator.id}/second-factor", headers=api.headers("admin"))
    assert reset.status_code == 204
    assert api.client.get("/api/v1/account/second-factor", headers=api.headers("operator")).status_code == 401
    api.tokens.pop("operator")  # its tokens ended with the reset
    assert api.get("operator", "/account/second-factor").get_json()["state"] == "off"
    other = api.client.delete("/api/v1/funds/LYG/users/999999/second-factor", headers=api.headers("admin"))
    assert other.status_code == 404

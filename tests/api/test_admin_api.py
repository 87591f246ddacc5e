"""The administrator's remaining work over the API (issue 27): income distributed and paid, a user switched off and
on, login limits lifted, a failed e-mail sent again — the same services, amounts and refusals as the pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import MailDelivery, Message, User
from loanfund.services.books import fund
from tests.factories import city_fund_id

pytestmark = pytest.mark.both_databases


@pytest.fixture
def busy_api(api, busy):  # type: ignore[no-untyped-def]
    return api


def test_income_is_distributed_and_paid_over_the_api(busy_api):
    api = busy_api
    missing_key = api.post("admin", "/funds/LYG/distributions", {"tax_rate": "0.06"})
    assert missing_key.status_code == 400
    bad = api.post("admin", "/funds/LYG/distributions", {"tax_rate": "abc"}, key="dist-bad")
    assert (bad.status_code, bad.get_json()["errors"]) == (422, {"tax_rate": ["税率格式不正确，如 0.06"]})
    # the busy fund's 3,840.00 of fee income: 230.40 tax at 6 %, 3,609.60 to its one contributor, not paid yet
    run = api.post("admin", "/funds/LYG/distributions", {"tax_rate": "0.06"}, key="dist-1")
    assert run.status_code == 201, run.get_json()
    body = run.get_json()
    assert (body["income"], body["tax"], body["losses_covered"], body["paid"]) == ("3840.00", "230.40", "0.00", None)
    assert body["shares"] == [{"contributor": "连云港市工业投资集团有限公司", "amount": "3609.60"}]
    again = api.post("admin", "/funds/LYG/distributions", {"tax_rate": "0.06"}, key="dist-1")
    assert again.get_json() == body  # the same key: the same answer, nothing run twice
    cash = fund.position(city_fund_id()).cash
    unnamed = api.post("admin", "/funds/LYG/distributions/payment", {"bank_ref": " "}, key="pay-0")
    assert (unnamed.status_code, unnamed.get_json()["errors"]) == (422, {"bank_ref": ["支付须填写银行凭证号"]})
    assert unnamed.headers["Content-Type"] == "application/problem+json"
    assert fund.position(city_fund_id()).cash == cash
    paid = api.post("admin", "/funds/LYG/distributions/payment", {"bank_ref": "FP1"}, key="pay-1")
    assert (paid.status_code, paid.get_json()) == (200, {"paid": "3840.00"})
    assert fund.position(city_fund_id()).cash == cash - Money.parse("3,840.00")
    assert api.post("operator", "/funds/LYG/distributions/payment", {"bank_ref": "FP2"}, key="pay-2").status_code == 403


def test_a_user_is_switched_off_and_their_limits_lifted_over_the_api(api):
    ent3 = db.session.scalars(select(User.id).where(User.username == "ent3")).one()
    admin = db.session.scalars(select(User.id).where(User.username == "admin")).one()
    people = {p["username"] for p in api.get("admin", "/funds/LYG/users").get_json()["items"]}
    assert {"admin", "operator", "bank1", "ent3"} <= people
    off = api.client.patch(f"/api/v1/funds/LYG/users/{ent3}", json={"active": False}, headers=api.headers("admin"))
    assert (off.status_code, off.get_json()["active"]) == (200, False)
    own = api.client.patch(f"/api/v1/funds/LYG/users/{admin}", json={"active": False}, headers=api.headers("admin"))
    assert (own.status_code, own.get_json()["code"]) == (403, "self")
    lifted = api.client.delete(f"/api/v1/funds/LYG/users/{ent3}/limits", headers=api.headers("admin"))
    assert (lifted.status_code, lifted.get_json()) == (200, {"lifted": 0})
    assert api.client.delete("/api/v1/funds/LYG/users/999999/limits", headers=api.headers("admin")).status_code == 404


def test_a_failed_email_is_sent_again_over_the_api(api, busy):
    ent1 = db.session.scalars(select(User.id).where(User.username == "ent1")).one()
    message = db.session.scalars(select(Message).where(Message.user_id == ent1).order_by(Message.id)).first()
    delivery = db.session.scalars(select(MailDelivery).where(MailDelivery.message_id == message.id)).one()
    delivery.state, delivery.attempts = "failed", 5  # as after its last try
    db.session.commit()
    [listed] = [d for d in api.get("admin", "/funds/LYG/mail").get_json()["items"] if d["id"] == delivery.id]
    assert (listed["state"], listed["attempts"]) == ("failed", 5)
    path = f"/funds/LYG/mail/{delivery.id}/requeue"
    assert api.post("admin", path).get_json()["state"] == "queued"
    assert api.post("admin", path).status_code == 409  # queued already

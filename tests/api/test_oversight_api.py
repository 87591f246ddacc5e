"""The oversight over the API (第二十至二十三条), with the usual scoping: each user reads only their own messages; the
blacklist is the platform's (an enterprise or a bank gets 403); a bank reads only its own claims; warnings are for
operators and the group. The bridge: ent1's 30,000,000.00 with ICBC out on 1 Nov 2026, never renewed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import Message, User

pytestmark = pytest.mark.both_databases


def test_each_user_reads_and_marks_only_their_own_messages(api, flows):
    application = flows.to(State.ACCEPTED)
    mine = api.get("ent1", "/messages").get_json()
    assert mine["unread"] == 1
    assert [m["subject"] for m in mine["items"]] == [f"申请 {application.reference} 已受理"]
    theirs = db.session.scalars(
        select(Message.id).join(User, Message.user_id == User.id).where(User.username == "bank1")
    ).one()
    assert api.post("ent1", f"/messages/{theirs}/read").status_code == 404
    assert api.get("bank1", "/messages").get_json()["unread"] == 1
    assert api.post("ent1", f"/messages/{mine['items'][0]['id']}/read").get_json() == {"unread": 0}
    assert api.get("ent2", "/messages").get_json() == {"items": [], "unread": 0}


def test_the_blacklist_is_proposed_decided_and_read_by_staff_only(api, flows):
    ent2 = db.session.scalars(select(User).where(User.username == "ent2")).one().enterprise_id
    bad = api.post(
        "operator", "/blacklist", {"enterprise_id": ent2, "ground": "x", "basis": "", "listed_on": "2099-01-01"}
    )
    assert bad.status_code == 422
    assert bad.get_json()["errors"] == {
        "ground": ["请选择列入黑名单的原因"],
        "basis": ["请填写列入依据（事实与材料）"],
        "listed_on": ["列入日期不能晚于今天"],
    }
    body = {"enterprise_id": ent2, "ground": "fraud", "basis": "伪造购销合同", "listed_on": "2026-11-01"}
    assert api.post("group", "/blacklist", body).status_code == 403
    created = api.post("operator", "/blacklist", body)
    assert created.status_code == 201
    entry = created.get_json()
    assert (entry["status"], entry["reason"], entry["ends_on"]) == ("proposed", "骗取", "2029-11-01")
    assert api.post("operator", "/blacklist", body).status_code == 409
    decided = api.post("group", f"/blacklist/{entry['id']}/decision", {"confirm": True})
    assert decided.get_json()["status"] == "in_force"
    for outsider in ("ent1", "ent2", "bank1"):
        assert api.get(outsider, "/blacklist").status_code == 403
    assert [e["credit_code"] for e in api.get("reviewer", "/blacklist").get_json()["items"]] == ["91320722MA1W3H5N2W"]
    lifted = api.post("group", f"/blacklist/{entry['id']}/lift", {"reason": "经复核属误报"})
    assert lifted.get_json()["status"] == "lifted"


def test_a_bank_claim_is_recorded_paid_once_and_read_by_its_own_bank(api, flows, traveller):
    application = flows.to(State.DISBURSED)
    traveller.move_to("2026-11-12 09:00:00+08:00")
    assert api.post("bank1", f"/applications/{application.id}/bank-claim").status_code == 403
    created = api.post("operator", f"/applications/{application.id}/bank-claim", {"basis": "未续贷"})
    assert created.status_code == 201
    claim = created.get_json()
    assert (claim["principal"], claim["fee"], claim["outstanding"]) == ("30000000.00", "145500.00", "30145500.00")
    url = f"/bank-claims/{claim['id']}/payments"
    payment = {"amount": "145500.00", "paid_on": "2026-11-12", "transfer_ref": "QC-1"}
    assert api.post("operator", url, payment).status_code == 400  # money: the Idempotency-Key is required
    first = api.post("operator", url, payment, key="claim-pay-1")
    again = api.post("operator", url, payment, key="claim-pay-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.get_json()["outstanding"] == again.get_json()["outstanding"] == "30000000.00"
    assert [c["id"] for c in api.get("bank1", "/bank-claims").get_json()["items"]] == [claim["id"]]
    assert api.get("bank2", "/bank-claims").get_json()["items"] == []
    assert api.get("ent1", "/bank-claims").status_code == 403


def test_warnings_are_for_operators_and_the_group(api, flows, traveller):
    flows.to(State.DISBURSED)
    traveller.move_to("2026-11-09 09:00:00+08:00")
    answer = api.get("group", "/warnings").get_json()
    assert answer["day"] == "2026-11-09"
    assert {w["risk"] for w in answer["items"]} == {"due-soon", "out-too-long", "renewal-late", "concentration"}
    for outsider in ("ent1", "bank1", "reviewer", "admin"):
        assert api.get(outsider, "/warnings").status_code == 403


def test_the_recovery_file_over_the_api(api, flows, traveller):
    application = flows.to(State.RECOVERY)  # 30,000,000.00 out on 1 Nov, in recovery on 12 Nov
    url = f"/applications/{application.id}/recovery"
    assert api.post("operator", f"{url}/cause", {"cause": ""}).get_json()["errors"] == {"cause": ["请填写逾期原因分析"]}
    assert api.post("operator", f"{url}/cause", {"cause": "主要客户拖欠货款"}).status_code == 201
    measure = {"taken_on": "2026-11-12", "measure": "约谈企业", "amount": "10000000.00", "transfer_ref": "ZC-1"}
    assert api.post("operator", f"{url}/measures", measure).status_code == 400  # money: Idempotency-Key required
    first = api.post("operator", f"{url}/measures", measure, key="recovery-1")
    again = api.post("operator", f"{url}/measures", measure, key="recovery-1")
    assert first.status_code == again.status_code == 201
    assert [(r["kind"], r["amount"]) for r in again.get_json()["records"]] == [
        ("cause", "0.00"),
        ("measure", "10000000.00"),
    ]
    assert api.get("group", url).get_json()["plan"] == "约谈企业，督促银行续贷"
    for outsider in ("ent1", "bank1"):
        assert api.get(outsider, url).status_code == 403
    assert api.post("group", f"{url}/cause", {"cause": "x"}).status_code == 403

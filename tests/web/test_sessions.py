"""Sessions and tokens that end when they should (issue 13): a cookie kept from before logging out, another browser
after a password change, an idle or too old session, an API token after a password change or revoked by its user."""

from __future__ import annotations

import base64

import pytest
import time_machine
from flask import g
from sqlalchemy import select

from loanfund.extensions import db
from loanfund.models import User, UserSession
from tests.conftest import DEMO_PASSWORD, Auth, csrf_token
from tests.web.test_forms import post_form


def cookie(client) -> str:  # type: ignore[no-untyped-def]
    found = client.get_cookie("session")
    assert found is not None
    return str(found.value)


def with_cookie(client, value: str) -> int:  # type: ignore[no-untyped-def]
    """Present ``value`` as the session cookie (a copy kept by someone) and ask for the home page."""
    g.pop("_login_user", None)
    client.set_cookie("session", value)
    return int(client.get("/home").status_code)


def token(client, username: str, password: str = DEMO_PASSWORD) -> str:  # type: ignore[no-untyped-def]
    basic = base64.b64encode(f"{username}:{password}".encode()).decode()
    answer = client.post("/api/v1/tokens", headers={"Authorization": f"Basic {basic}"})
    assert answer.status_code == 201, answer.get_json()
    return str(answer.get_json()["token"])


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def test_a_cookie_kept_from_before_logout_no_longer_signs_in(client, people, auth):
    auth.login("operator")
    kept = cookie(client)
    assert with_cookie(client, kept) == 200
    auth.logout()
    assert with_cookie(client, kept) == 302  # before: the old cookie still worked after logout
    ended = db.session.scalars(select(UserSession)).all()
    assert [(s.ended_why is not None, s.ended_why) for s in ended] == [(True, "logout")]


def test_each_login_gets_a_new_session(client, people, auth):
    auth.login("operator")
    first = cookie(client)
    auth.login("operator")
    second = cookie(client)
    assert first != second
    assert db.session.scalar(select(db.func.count()).select_from(UserSession)) == 2


def test_a_password_change_ends_other_browsers_and_every_token(app, client, people, auth):
    other = app.test_client()
    Auth(other).login("ent1")
    api = token(client, "ent1")
    auth.login("ent1")
    changed = post_form(
        client, "/account/password", {"current_password": DEMO_PASSWORD, "new_password": "brass-kettle-harbour"}
    )
    assert changed.status_code == 302
    assert client.get("/home").status_code == 200  # the browser it was changed in stays signed in
    g.pop("_login_user", None)
    assert other.get("/home").status_code == 302  # before: other browsers stayed logged in
    revoked = client.get("/api/v1/applications", headers=bearer(api))
    assert revoked.status_code == 401  # before: old tokens kept working for hours
    assert revoked.get_json()["detail"] == "令牌无效、已过期或已吊销，请重新获取"


def test_switching_an_account_off_signs_it_out_everywhere(app, client, people, auth):
    other = app.test_client()
    Auth(other).login("bank1")
    api = token(client, "bank1")
    auth.login("admin")
    target = db.session.scalar(select(User).where(User.username == "bank1"))
    assert post_form(client, f"/admin/users/{target.id}/active", {}, page="/admin/users").status_code == 302
    g.pop("_login_user", None)
    assert other.get("/home").status_code == 302
    assert client.get("/api/v1/banks", headers=bearer(api)).status_code == 401
    assert db.session.scalar(select(UserSession.ended_why).where(UserSession.user_id == target.id)) == "off"


def test_idle_for_thirty_minutes_signs_out_and_activity_keeps_a_session_for_twelve_hours(client, people, auth):
    with time_machine.travel("2026-11-30 00:00:00+00:00", tick=False) as traveller:
        auth.login("reviewer")
        for _ in range(24):  # every 29 minutes for almost twelve hours
            traveller.shift(29 * 60)
            g.pop("_login_user", None)
            assert client.get("/home").status_code == 200
        traveller.shift(29 * 60)  # 12 h 05 min after logging in
        g.pop("_login_user", None)
        assert client.get("/home").status_code == 302
        assert db.session.scalar(select(UserSession.ended_why)) == "expired"
        auth.login("reviewer")
        traveller.shift(30 * 60)
        g.pop("_login_user", None)
        assert client.get("/home").status_code == 302
        assert db.session.scalars(select(UserSession.ended_why).order_by(UserSession.id)).all() == ["expired", "idle"]


def test_the_api_revokes_its_own_token_and_lists_the_live_ones(client, people):
    first, second = token(client, "bank1"), token(client, "bank1")
    listed = client.get("/api/v1/tokens", headers=bearer(first)).get_json()["items"]
    assert [t["current"] for t in listed] == [False, True]  # newest first; the one in use is marked
    assert "token" not in listed[0]
    assert client.delete("/api/v1/tokens", headers=bearer(first)).status_code == 204  # before: 405
    assert client.get("/api/v1/banks", headers=bearer(first)).status_code == 401
    assert client.get("/api/v1/banks", headers=bearer(second)).status_code == 200
    assert len(client.get("/api/v1/tokens", headers=bearer(second)).get_json()["items"]) == 1


def test_nobody_revokes_another_users_token(client, people):
    theirs = token(client, "bank1")
    mine = token(client, "bank2")
    their_id = client.get("/api/v1/tokens", headers=bearer(theirs)).get_json()["items"][0]["id"]
    refused = client.delete(f"/api/v1/tokens/{their_id}", headers=bearer(mine))
    assert refused.status_code == 404
    assert refused.content_type == "application/problem+json"
    assert client.get("/api/v1/banks", headers=bearer(theirs)).status_code == 200
    assert client.delete(f"/api/v1/tokens/{their_id}", headers=bearer(theirs)).status_code == 204
    assert client.get("/api/v1/banks", headers=bearer(theirs)).status_code == 401


def test_the_account_page_ends_another_browser_and_revokes_a_token(app, client, people, auth):
    other = app.test_client()
    Auth(other).login("operator")
    api = token(client, "operator")
    auth.login("operator")
    page = client.get("/account/sessions").get_data(as_text=True)
    assert "已登录的浏览器（2）" in page and "有效的接口令牌（1）" in page and "当前" in page
    others = db.session.scalars(select(UserSession.id).order_by(UserSession.id)).all()
    assert post_form(client, "/account/sessions", {"target": f"session:{others[0]}"}).status_code == 302
    g.pop("_login_user", None)
    assert other.get("/home").status_code == 302
    g.pop("_login_user", None)  # the test's requests share one app context: forget the other browser's user
    token_id = client.get("/api/v1/tokens", headers=bearer(api)).get_json()["items"][0]["id"]
    assert post_form(client, "/account/sessions", {"target": f"token:{token_id}"}).status_code == 302
    assert client.get("/api/v1/banks", headers=bearer(api)).status_code == 401
    assert client.get("/home").status_code == 200


@pytest.mark.parametrize("target", ["session:{theirs}", "token:{token}", "session:abc", "other:1"])
def test_the_account_page_ends_nothing_of_anyone_else(app, client, people, auth, target):
    other = app.test_client()
    Auth(other).login("bank1")
    theirs = db.session.scalar(select(UserSession.id))
    api = token(client, "bank1")
    token_id = client.get("/api/v1/tokens", headers=bearer(api)).get_json()["items"][0]["id"]
    auth.login("bank2")
    page = client.get("/account/sessions").get_data(as_text=True)
    answer = client.post(
        "/account/sessions",
        data={"target": target.format(theirs=theirs, token=token_id), "csrf_token": csrf_token(page)},
        follow_redirects=True,
    )
    assert "没有这个会话" in answer.get_data(as_text=True) or "没有这个令牌，或它已失效" in answer.get_data(
        as_text=True
    )
    g.pop("_login_user", None)
    assert other.get("/home").status_code == 200
    assert client.get("/api/v1/banks", headers=bearer(api)).status_code == 200

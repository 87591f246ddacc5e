"""Notices by SMS (issue 30), on both databases, through a local fake HTTP gateway (started here): the notices that
matter reach a user who gave a mobile number and wants SMS, as one short text naming the application and no amount;
the gateway gets JSON with the bearer token; a gateway that fails is tried again after the e-mail's pauses; without a
gateway nothing is tried and nothing is lost; the number and the choice are checked where they are set."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from loanfund.domain.errors import InvalidInput
from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import Message, SmsAttempt, SmsDelivery, User
from loanfund.services.oversight import sms
from loanfund.services.oversight.sweep import sweep
from loanfund.services.people.accounts import set_notices

pytestmark = pytest.mark.both_databases

TOKEN = "gateway-secret-1"


class Gateway:
    """What the fake gateway was sent, and the status it answers with (200 unless told otherwise)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str]]] = []
        self.status = 200


@pytest.fixture
def gateway(app) -> Iterator[Gateway]:  # type: ignore[no-untyped-def]
    state = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append((self.headers.get("Authorization", ""), json.loads(body)))
            self.send_response(state.status)
            self.end_headers()
            self.wfile.write(b'{"ok": true}')

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config.update(SMS_GATEWAY_URL=f"http://127.0.0.1:{server.server_address[1]}/send", SMS_GATEWAY_TOKEN=TOKEN)
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        app.config.update(SMS_GATEWAY_URL="", SMS_GATEWAY_TOKEN="")


def _wants_sms(username: str, number: str) -> User:
    user = db.session.scalars(select(User).where(User.username == username)).one()
    set_notices(user, user.email or "", user.email_notices, number, True)
    return user


def _texts() -> list[tuple[str, str, str]]:
    rows = db.session.execute(
        select(Message.kind, SmsDelivery.to_number, SmsDelivery.text).join(
            Message, Message.id == SmsDelivery.message_id
        )
    )
    return [(kind, number, text) for kind, number, text in rows]


def test_the_notices_that_matter_go_as_a_short_text_to_those_who_want_it(gateway, flows, traveller):
    _wants_sms("ent1", "138 0000 0001")
    application = flows.to(State.DISBURSED)
    # the bank's officer has no number: its notice stays e-mail and inbox; acceptance and approval are not texted
    assert _texts() == [
        ("disbursed", "13800000001", f"【应急转贷】放款通知：{application.reference}，详情请登录平台查看。")
    ]
    report = sms.deliver()
    assert (report.configured, report.sent, report.failed, report.queued) == (True, 1, 0, 0)
    assert gateway.received == [
        (
            f"Bearer {TOKEN}",
            {"to": "13800000001", "text": f"【应急转贷】放款通知：{application.reference}，详情请登录平台查看。"},
        )
    ]
    delivery = db.session.scalars(select(SmsDelivery)).one()
    assert (delivery.state, delivery.attempts, [t.ok for t in delivery.tries]) == ("sent", 1, [True])


def test_overdue_and_due_tomorrow_are_texted_by_the_sweep(gateway, flows, traveller):
    _wants_sms("ent1", "13800000001")
    flows.to(State.RENEWED)
    traveller.move_to("2026-11-10 08:00:00+08:00")  # due 11 November
    sweep()
    traveller.move_to("2026-11-12 08:00:00+08:00")
    sweep()
    assert [kind for kind, _, _ in _texts()] == ["disbursed", "due-tomorrow", "overdue"]


def test_a_failing_gateway_is_tried_again_and_none_is_tried_without_one(gateway, flows, traveller, app):
    _wants_sms("ent1", "13800000001")
    flows.to(State.DISBURSED)
    gateway.status = 503
    report = sms.deliver()
    assert (report.sent, report.failed, report.queued) == (0, 1, 1)
    delivery = db.session.scalars(select(SmsDelivery)).one()
    assert db.session.scalars(select(SmsAttempt.error)).all() == ["网关答复 503"]
    assert sms.deliver().failed == 0  # its next try is a minute away
    gateway.status = 200
    traveller.shift(timedelta(minutes=1, seconds=1))
    assert sms.deliver().sent == 1
    db.session.refresh(delivery)
    assert (delivery.state, delivery.attempts) == ("sent", 2)
    app.config.update(SMS_GATEWAY_URL="")
    flows.to(State.DISBURSED)
    report = sms.deliver()
    assert (report.configured, report.sent, report.queued) == (False, 0, 1)  # kept for when a gateway is set


def test_the_number_and_the_choice_are_checked_with_the_address(people):
    user = db.session.scalars(select(User).where(User.username == "ent2")).one()
    with pytest.raises(InvalidInput) as caught:
        set_notices(user, "not-an-address", True, "12345", True)
    assert caught.value.errors == {
        "email": ["邮箱地址格式不正确，如 name@example.com"],
        "mobile": ["手机号码应为 11 位数字，以 1 开头，如 13800000000"],
    }
    with pytest.raises(InvalidInput) as caught:
        set_notices(user, "", False, "", True)
    assert caught.value.errors == {"mobile": ["接收短信通知须填写手机号码"]}
    set_notices(user, "", False, "139-0000-0002", False)
    assert (user.mobile, user.sms_notices) == ("13900000002", False)


def test_the_administrator_reads_the_texts_not_yet_sent(flows, traveller, client, auth):
    _wants_sms("ent1", "13800000001")
    application = flows.to(State.DISBURSED)  # no gateway here: the text waits
    auth.login("admin")
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "未发出的短信（1）" in page and "尚未配置短信网关" in page
    assert f"【应急转贷】放款通知：{application.reference}，详情请登录平台查看。" in page

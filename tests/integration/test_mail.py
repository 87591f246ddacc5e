"""Notices by e-mail through a real SMTP server (aiosmtpd, started here): the disbursement notice (第十七条) reaches the
bank and the enterprise, the overdue reminder reaches all four who must act; with the server down nothing is lost.

The bridge: ent1's 30,000,000.00 (叁仟万元整) out on 1 Nov 2026 to ICBC's designated account, due 11 Nov."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from loanfund import clock
from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import MailAttempt, MailDelivery, Message
from loanfund.services.oversight.mailer import deliver
from loanfund.services.oversight.sweep import sweep

pytestmark = pytest.mark.both_databases


class Inbox:
    """What the SMTP server accepted: (recipients, subject, body) per message."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], str, str]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        mail = message_from_bytes(envelope.content, policy=policy.default)
        self.mails.append((list(envelope.rcpt_tos), str(mail["Subject"]), mail.get_content()))
        return "250 Message accepted for delivery"

    def about(self, words: str) -> list[tuple[list[str], str, str]]:
        return [m for m in self.mails if words in m[1]]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """An SMTP server on one port that can go down and come back (an aiosmtpd controller runs once)."""

    def __init__(self, inbox: Inbox) -> None:
        self.inbox, self.port = inbox, free_port()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app) -> Iterator[tuple[Inbox, Server]]:  # type: ignore[no-untyped-def]
    server = Server(Inbox())
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_USE_TLS=False)
    try:
        yield server.inbox, server
    finally:
        server.stop()


def test_the_disbursement_notice_reaches_the_bank_and_the_enterprise(smtp, flows, traveller):
    inbox, _ = smtp
    application = flows.to(State.DISBURSED)
    report = deliver()
    assert report.failed == 0 and report.queued == 0
    notices = inbox.about("放款通知")
    assert sorted(rcpt for rcpts, _, _ in notices for rcpt in rcpts) == ["bank1@example.test", "ent1@example.test"]
    _, subject, body = notices[0]
    assert subject == f"【应急转贷】放款通知：{application.reference}"
    assert body.startswith(
        "应急转贷资金 30,000,000.00 元（人民币叁仟万元整）已于 2026-11-01 划入中国工商银行连云港分行指定账户 "
        "中国工商银行连云港分行转贷资金过渡户（中国工商银行连云港海州支行，账号 1107 0201 0900 0123 456），"
        "划款凭证号 HK-001，用于归还连云港海润机械制造有限公司到期贷款（合同 借字2026第001号）。"
        "请银行于 2026-11-03 前办理续贷放款；用款到期日 2026-11-11，到期须归还本金及用款费用。"
    )


def test_the_overdue_reminder_reaches_the_enterprise_the_bank_and_the_operators(smtp, flows, traveller):
    inbox, _ = smtp
    flows.to(State.RENEWED)
    deliver()
    traveller.move_to("2026-11-12 08:00:00+08:00")
    sweep()
    deliver()
    overdue = inbox.about("用款逾期")
    assert sorted(r for rcpts, _, _ in overdue for r in rcpts) == [
        "bank1@example.test",
        "ent1@example.test",
        "operator2@example.test",
        "operator@example.test",
    ]
    assert "截至 2026-11-12 已用款 11 天" in overdue[0][2]


def test_with_the_server_down_the_messages_stay_queued_and_go_out_on_the_next_run(smtp, flows, traveller):
    inbox, server = smtp
    server.stop()
    application = flows.to(State.DISBURSED)
    report = deliver()
    assert report.sent == 0 and report.failed > 0
    queued = db.session.scalars(select(MailDelivery).where(MailDelivery.state == "queued")).all()
    assert len(queued) == report.queued == report.failed
    assert all(d.attempts == 1 for d in queued)
    attempt = db.session.scalars(select(MailAttempt)).first()
    assert attempt is not None and not attempt.ok and "ConnectionRefusedError" in attempt.error
    server.start()
    assert deliver().sent == 0  # the next try waits a minute
    traveller.shift(timedelta(minutes=1))
    report = deliver()
    assert (report.sent, report.failed, report.queued) == (len(queued), 0, 0)
    assert len(inbox.about(f"放款通知：{application.reference}")) == 2


def test_without_a_mail_server_nothing_is_tried_and_nothing_lost(app, flows):
    app.config["MAIL_SERVER"] = None
    flows.to(State.DISBURSED)
    report = deliver()
    assert (report.configured, report.sent, report.failed) == (False, 0, 0)
    assert report.queued == db.session.query(Message).filter(Message.delivery.has()).count() > 0
    assert db.session.scalars(select(MailAttempt)).first() is None


def test_a_user_who_turned_e_mail_off_still_gets_the_inbox_message(smtp, flows, traveller):
    inbox, _ = smtp
    flows.user("bank1").email_notices = False
    db.session.commit()
    application = flows.to(State.DISBURSED)
    deliver()
    assert [r for rcpts, _, _ in inbox.about("放款通知") for r in rcpts] == ["ent1@example.test"]
    kinds = db.session.scalars(
        select(Message.kind).where(Message.user_id == flows.user("bank1").id, Message.application_id == application.id)
    ).all()
    assert "disbursed" in kinds


def test_a_name_cannot_break_the_mail_and_a_message_that_cannot_be_built_holds_up_nothing(smtp, flows):
    """Issue 25, finding 6: a name with CR/LF or U+2028 crashed the sender, the message stayed queued with no attempt
    and held up the mail behind it. Now a header is one line whatever the name, and a message that cannot be built
    (an address that is not one) is marked failed with its reason while the next goes out."""
    inbox, _ = smtp
    enterprise = flows.user("ent1")
    subject = "应急转贷 ZD202600001：海润\r\nBcc: victim@example.test\u2028机械"
    hostile = Message(user_id=enterprise.id, kind="test", subject=subject, body="正文\u2028第二行", created_at=None)
    broken = Message(user_id=enterprise.id, kind="test", subject="地址错误", body="正文", created_at=None)
    after = Message(user_id=enterprise.id, kind="test", subject="其后的通知", body="正文", created_at=None)
    for message, address in (
        (hostile, "ent1@example.test"),
        (broken, "ent1@example.test\r\nBcc: x@y.test"),
        (after, "ent1@example.test"),
    ):
        message.created_at = clock.utcnow()
        message.delivery = MailDelivery(to_address=address, next_attempt_at=clock.utcnow())
        db.session.add(message)
    db.session.commit()
    report = deliver()
    assert (report.sent, report.failed, report.queued) == (2, 1, 0)
    assert [(rcpts, subj) for rcpts, subj, _ in inbox.mails] == [
        (["ent1@example.test"], "【应急转贷】应急转贷 ZD202600001：海润 Bcc: victim@example.test 机械"),
        (["ent1@example.test"], "【应急转贷】其后的通知"),
    ]
    failed = db.session.scalars(select(MailDelivery).where(MailDelivery.state == "failed")).one()
    assert failed.attempts == 1 and failed.message.subject == "地址错误"
    attempt = db.session.scalars(select(MailAttempt).where(MailAttempt.delivery_id == failed.id)).one()
    assert attempt.error.startswith("邮件无法生成：ValueError")

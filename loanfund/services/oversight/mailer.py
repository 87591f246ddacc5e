"""The e-mail sender: hands queued notices to the SMTP server named by ``MAIL_SERVER`` (DESIGN §6).

Each delivery is taken under a row lock (``SKIP LOCKED`` on PostgreSQL, so two senders never take the same one; SQLite
has one writer), tried once, and the attempt recorded with its outcome. A failure waits longer each time (1, 5, 15,
60 minutes, then every 4 hours) and after ``MAX_ATTEMPTS`` the delivery is ``failed`` — still listed for the
administrator, who may queue it again. Without ``MAIL_SERVER`` nothing is tried and nothing is lost: the messages
stay queued (and in every recipient's inbox).

Delivery is at least once: a crash after the server accepted a message and before the commit sends it again.
"""

from __future__ import annotations

import email.policy
import smtplib
import ssl
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TypeVar

from flask import current_app
from sqlalchemy import Select, func, or_, select

from loanfund import clock
from loanfund.domain.errors import Conflict, NotFound
from loanfund.extensions import db
from loanfund.models import Application, MailAttempt, MailDelivery, Message, SmsAttempt, SmsDelivery, User
from loanfund.services.directory import people_of
from loanfund.services.uow import finish

MAX_ATTEMPTS = 8
_PAUSES = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
_LONG_PAUSE = timedelta(hours=4)
LEASE = timedelta(minutes=10)  # a delivery being tried is not due for anyone else meanwhile


@dataclass
class SendReport:
    configured: bool
    sent: int = 0
    failed: int = 0  # attempts that failed this run
    queued: int = 0  # still waiting afterwards


def configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def deliver(limit: int = 200) -> SendReport:
    """Try every delivery that is due, one transaction each."""
    return drain(configured(), _deliver_one, queue_size, limit)


def drain(ready: bool, deliver_one: Callable[[], bool | None], queued: Callable[[], int], limit: int) -> SendReport:
    """An outbox's run (e-mail, SMS): when ``ready``, ``deliver_one`` until nothing is due (None) or ``limit`` tries,
    counting what went and what failed; then what still waits."""
    report = SendReport(ready)
    if ready:
        for _ in range(limit):
            outcome = deliver_one()
            if outcome is None:
                break
            if outcome:
                report.sent += 1
            else:
                report.failed += 1
    report.queued = queued()
    return report


def pause_after(attempts: int) -> timedelta:
    """How long a delivery waits after its ``attempts``-th failure (e-mail and SMS alike)."""
    return _PAUSES[attempts - 1] if attempts <= len(_PAUSES) else _LONG_PAUSE


def queue_size() -> int:
    return db.session.scalar(select(func.count()).select_from(MailDelivery).where(MailDelivery.state == "queued")) or 0


def _deliver_one() -> bool | None:
    return deliver_next(MailDelivery, MailAttempt, _mail_sender)


def _mail_sender(delivery: MailDelivery) -> Callable[[], tuple[str, bool]]:
    """What sends ``delivery`` once its lease is committed — its address, subject and body read now."""
    to_address, subject, body = delivery.to_address, delivery.message.subject, delivery.message.body

    def send() -> tuple[str, bool]:
        try:
            mail = build(to_address, subject, body)
        except (ValueError, TypeError, UnicodeError) as exc:  # it will never be sent: say why, and go on to the next
            return f"邮件无法生成：{type(exc).__name__}: {exc}"[:1000], True
        try:
            _send(mail)
        except Exception as exc:  # an SMTP refusal, a network error, anything: recorded, tried again later
            return f"{type(exc).__name__}: {exc}"[:1000], False
        return "", False

    return send


Outbox = TypeVar("Outbox", MailDelivery, SmsDelivery)


def deliver_next(
    model: type[Outbox],
    attempt: type[MailAttempt] | type[SmsAttempt],
    sender: Callable[[Outbox], Callable[[], tuple[str, bool]]],
) -> bool | None:
    """One delivery of an outbox (e-mail, SMS): take the oldest due and lease it (so no other sender takes it, and a
    crash retries it later), commit, send with no transaction open (a server may keep us waiting; SQLite's writers
    must not), then record the attempt — sent, tried again after a pause, or failed after ``MAX_ATTEMPTS`` (at once
    when ``sender`` says it can never go). Whether it went; None when nothing was due."""
    now = clock.utcnow()
    query = (
        select(model)
        .where(model.state == "queued", model.next_attempt_at <= now)
        .order_by(model.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    delivery = db.session.scalars(query).first()
    if delivery is None:
        db.session.rollback()
        return None
    delivery.next_attempt_at = now + LEASE
    delivery_id = delivery.id
    send = sender(delivery)
    finish(delivery)
    error, hopeless = send()
    delivery = db.session.get(model, delivery_id, with_for_update=True)
    assert delivery is not None
    now = clock.utcnow()
    delivery.attempts += 1
    db.session.add(attempt(delivery=delivery, at=now, ok=not error, error=error))
    if not error:
        delivery.state, delivery.sent_at = "sent", now
    elif hopeless or delivery.attempts >= MAX_ATTEMPTS:
        delivery.state = "failed"
    else:
        delivery.next_attempt_at = now + pause_after(delivery.attempts)
    finish(delivery)
    return not error


def one_line(text: str) -> str:
    """A header's text on one line: line and paragraph separators (CR, LF, U+2028, U+2029, …) and control characters
    become spaces — a name someone typed cannot end the header or start another."""
    return " ".join("".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text).split())


def build(to_address: str, subject: str, body: str) -> EmailMessage:
    """The message, its headers made by the standard library's header registry (``email.policy.default``: non-ASCII
    as RFC 2047 encoded words) from one-line text. :raise ValueError: an address that is not one."""
    config = current_app.config
    mail = EmailMessage(policy=email.policy.SMTP)
    mail["From"] = config["MAIL_SENDER"]
    mail["To"] = to_address
    mail["Subject"] = f"【应急转贷】{one_line(subject)}"
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain="loanfund")
    mail.set_content(f"{body}\n\n——\n此邮件由应急转贷资金管理平台自动发送；站内信中也可查看。", cte="base64")
    mail.as_bytes()  # everything that could fail to render fails here, not halfway through the SMTP dialogue
    return mail


def _send(mail: EmailMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=config["MAIL_TIMEOUT_S"]) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(mail)


# -- for the administrator -----------------------------------------------------------------------------------------


def messages_of(fund_id: int) -> Select[int]:
    """The messages that are a fund's to see: to its people (``directory.people_of``), about its own applications
    or about none (an enterprise's user may hear from two funds)."""
    return (
        select(Message.id)
        .join(User, User.id == Message.user_id)
        .outerjoin(Application, Application.id == Message.application_id)
        .where(people_of(fund_id), or_(Message.application_id.is_(None), Application.fund_id == fund_id))
    )


def pending(fund_id: int, limit: int = 200) -> list[MailDelivery]:
    """The fund's deliveries (``messages_of``) not sent yet (queued or failed), oldest first, for its administrator's
    outbox page."""
    return list(
        db.session.scalars(
            select(MailDelivery)
            .where(MailDelivery.state != "sent", MailDelivery.message_id.in_(messages_of(fund_id)))
            .order_by(MailDelivery.id)
            .limit(limit)
        )
    )


def delivery_of(delivery_id: int, fund_id: int) -> MailDelivery:
    """One of the fund's deliveries. :raise NotFound: none, or another fund's."""
    delivery = db.session.scalar(
        select(MailDelivery).where(MailDelivery.id == delivery_id, MailDelivery.message_id.in_(messages_of(fund_id)))
    )
    if delivery is None:
        raise NotFound("没有这封邮件")
    return delivery


def requeue(delivery_id: int, fund_id: int) -> MailDelivery:
    """A failed delivery of the fund's goes back in the queue, due now, with its attempts kept.

    :raise NotFound: none, or another fund's. :raise Conflict: not one that failed (queued again, or sent)."""
    delivery = db.session.scalar(
        select(MailDelivery)
        .where(MailDelivery.id == delivery_id, MailDelivery.message_id.in_(messages_of(fund_id)))
        .with_for_update()
    )
    if delivery is None:
        raise NotFound("没有这封邮件")
    if delivery.state != "failed":
        raise Conflict("这封邮件不是发送失败的邮件，无需重新发送", code="state_not_allowed")
    delivery.state, delivery.next_attempt_at = "queued", clock.utcnow()
    return finish(delivery)

"""Notices by SMS (issue 30): SME owners read SMS, not e-mail. The notices that matter — money out, due tomorrow,
overdue, a return left short — also go as a short text to the user's mobile number when the user has one and wants
SMS (站内信 → 通知设置). The gateway is the operator's choice of HTTP gateway, from the environment
(``SMS_GATEWAY_URL``, ``SMS_GATEWAY_TOKEN``, ``SMS_SIGNATURE``): each text is POSTed as JSON
``{"to": "13800000000", "text": "…"}`` with ``Authorization: Bearer <token>``; a 2xx answer is "sent".

Delivered by the same outbox as e-mail (``mailer``): each delivery taken under a row lock (``SKIP LOCKED`` on
PostgreSQL), leased, sent with no transaction open, recorded with its outcome, retried with a growing pause, ``failed``
after ``MAX_ATTEMPTS``. Without ``SMS_GATEWAY_URL`` nothing is tried and nothing is lost.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable

from flask import current_app
from sqlalchemy import func, select

from loanfund.extensions import db
from loanfund.models import SmsAttempt, SmsDelivery
from loanfund.services.oversight.mailer import (
    SendReport,
    deliver_next,
    drain,
    messages_of,
    one_line,
)

# the notices that matter enough for a text (DESIGN §6's kinds): money out, due tomorrow, overdue, a return short
SMS_KINDS = frozenset({"disbursed", "due-tomorrow", "overdue", "return-shortfall", "return_short"})
MAX_LENGTH = 70  # one SMS of Chinese text (UCS-2)


def text_for(subject: str) -> str:
    """The text of a notice: the signature, the subject (which names the application) and where to read the rest —
    no amount or account (a phone is read over shoulders), at most one SMS."""
    signature = current_app.config.get("SMS_SIGNATURE") or "【应急转贷】"
    tail = "，详情请登录平台查看。"
    room = MAX_LENGTH - len(signature) - len(tail)
    subject = one_line(subject)
    return f"{signature}{subject[:room]}{tail}"


def configured() -> bool:
    return bool(current_app.config.get("SMS_GATEWAY_URL"))


def deliver(limit: int = 200) -> SendReport:
    """Try every text that is due, one transaction each."""
    return drain(configured(), _deliver_one, queue_size, limit)


def queue_size() -> int:
    return db.session.scalar(select(func.count()).select_from(SmsDelivery).where(SmsDelivery.state == "queued")) or 0


def _deliver_one() -> bool | None:
    return deliver_next(SmsDelivery, SmsAttempt, _sms_sender)


def _sms_sender(delivery: SmsDelivery) -> Callable[[], tuple[str, bool]]:
    to_number, text = delivery.to_number, delivery.text
    return lambda: (_send(to_number, text), False)


def _send(to_number: str, text: str) -> str:
    """POST the text to the gateway; '' when it took it, else what went wrong."""
    config = current_app.config
    request = urllib.request.Request(
        config["SMS_GATEWAY_URL"],
        data=json.dumps({"to": to_number, "text": text}, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"}
        | ({"Authorization": f"Bearer {config['SMS_GATEWAY_TOKEN']}"} if config.get("SMS_GATEWAY_TOKEN") else {}),
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=float(config.get("SMS_TIMEOUT_S", 10))) as answer:
            answer.read(65536)
    except urllib.error.HTTPError as exc:
        return f"网关答复 {exc.code}"[:1000]
    except (OSError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"[:1000]
    return ""


def pending(fund_id: int, limit: int = 200) -> list[SmsDelivery]:
    """The fund's texts not sent yet (queued or failed), oldest first — the same messages its e-mail outbox shows
    (``mailer.messages_of``)."""
    return list(
        db.session.scalars(
            select(SmsDelivery)
            .where(SmsDelivery.state != "sent", SmsDelivery.message_id.in_(messages_of(fund_id)))
            .order_by(SmsDelivery.id)
            .limit(limit)
        )
    )

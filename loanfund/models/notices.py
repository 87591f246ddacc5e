"""What the platform tells people (DESIGN §6): each user's inbox, the e-mail outbox with every delivery attempt, and
the marks by which the daily sweep records each finding once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loanfund.clock import utcnow
from loanfund.extensions import Model
from loanfund.models.access import User
from loanfund.models.base import _in
from loanfund.types import UTCDateTime

DELIVERY_STATES = ("queued", "sent", "failed")


class Message(Model):
    """One notice to one user: in the in-app inbox always, by e-mail too when the user wants it (``delivery``).
    Written in the same transaction as the event that causes it."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    delivery: Mapped[MailDelivery | None] = relationship(back_populates="message", uselist=False)
    sms: Mapped[SmsDelivery | None] = relationship(back_populates="message", uselist=False)


class MailDelivery(Model):
    """A message on its way by e-mail: queued until an SMTP server takes it; retried with a growing pause; after
    the last attempt ``failed`` (still listed for the administrator, who may queue it again)."""

    __tablename__ = "mail_deliveries"
    __table_args__ = (CheckConstraint(_in("state", DELIVERY_STATES), name="state_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    state: Mapped[str] = mapped_column(String(8), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    message: Mapped[Message] = relationship(back_populates="delivery")
    tries: Mapped[list[MailAttempt]] = relationship(order_by="MailAttempt.id", back_populates="delivery")


class MailAttempt(Model):
    """One try to hand a message to the SMTP server, and what came of it."""

    __tablename__ = "mail_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("mail_deliveries.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str] = mapped_column(Text, default="")

    delivery: Mapped[MailDelivery] = relationship(back_populates="tries")


class WatchMark(Model):
    """A finding of the daily sweep, recorded once: the key is unique, so two sweeps at once cannot both record
    (and notify) the same overdue, late renewal or reminder."""

    __tablename__ = "watch_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    finding: Mapped[str] = mapped_column(String(32))
    on: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SmsDelivery(Model):
    """A notice on its way by SMS (issue 30): the short text and the number, queued until the gateway takes it;
    retried like an e-mail (``MailDelivery``)."""

    __tablename__ = "sms_deliveries"
    __table_args__ = (CheckConstraint(_in("state", DELIVERY_STATES), name="state_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), unique=True)
    to_number: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(8), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    message: Mapped[Message] = relationship(back_populates="sms")
    tries: Mapped[list[SmsAttempt]] = relationship(order_by="SmsAttempt.id", back_populates="delivery")


class SmsAttempt(Model):
    """One try to hand a text to the gateway, and what came of it."""

    __tablename__ = "sms_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("sms_deliveries.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str] = mapped_column(Text, default="")

    delivery: Mapped[SmsDelivery] = relationship(back_populates="tries")

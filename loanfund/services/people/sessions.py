"""Signed-in browsers and API tokens, kept on the server so that ending one ends it for good.

A browser's cookie carries a random key; its SHA-256 names an open ``UserSession``. Every request looks it up:
ended, idle longer than ``SESSION_IDLE`` or older than ``SESSION_LIFETIME`` means signed out, whatever copy of the
cookie is presented. A password change ends the user's other sessions and every API token; switching an account off
ends them all.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, select, update

from loanfund import clock, sqlite
from loanfund.database import affected
from loanfund.domain.errors import NotFound
from loanfund.extensions import db
from loanfund.models import ApiToken, User, UserSession
from loanfund.services.uow import finish

# how often a session's last activity is written (not on every request: one write a minute at most)
TOUCH_EVERY = timedelta(minutes=1)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def idle_limit() -> timedelta:
    return timedelta(minutes=int(current_app.config["SESSION_IDLE_MINUTES"]))


def lifetime() -> timedelta:
    return timedelta(hours=int(current_app.config["SESSION_LIFETIME_HOURS"]))


def begin(user: User, *, address: str, agent: str) -> str:
    """A new session for ``user`` (at each login: a new key, never the one before). Its key, for the cookie."""
    key = secrets.token_urlsafe(32)
    now = clock.utcnow()
    db.session.add(
        UserSession(
            key_hash=digest(key),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            address=address[:64],
            agent=agent[:200],
        )
    )
    finish(user)
    return key


@dataclass(frozen=True)
class Found:
    user: User
    session_id: int


def find(key: str | None, user_id: str) -> Found | None:
    """The active user of the open session ``key`` (for ``user_id``, as the cookie says), or None: unknown, ended,
    idle too long or too old (then ended, with the reason). Activity is written at most once a minute."""
    if not key or not user_id.isascii() or not user_id.isdigit():
        return None
    row = db.session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.key_hash == digest(key), UserSession.ended_at.is_(None), User.id == int(user_id))
    ).first()
    if row is None:
        return None
    record, user = row
    now = clock.utcnow()
    over = (
        "expired"
        if now - record.created_at >= lifetime()
        else "idle"
        if now - record.last_seen_at >= idle_limit()
        else None
    )
    if over or not user.active:
        _end(UserSession.id == record.id, now, over or "off")
        return None
    if now - record.last_seen_at >= TOUCH_EVERY:
        _write(update(UserSession).where(UserSession.id == record.id).values(last_seen_at=now))
    return Found(user, record.id)


def end(key: str | None, why: str = "logout") -> None:
    """End the session ``key`` (logging out)."""
    if key:
        _end(UserSession.key_hash == digest(key), clock.utcnow(), why)


def end_others(user: User, keep_session_id: int | None, why: str) -> int:
    """End ``user``'s open sessions but ``keep_session_id``, and revoke every API token of theirs (a password change;
    switching the account off keeps none). How many sessions ended. Part of the caller's unit of work."""
    now = clock.utcnow()
    condition = (UserSession.user_id == user.id) & UserSession.ended_at.is_(None)
    if keep_session_id is not None:
        condition &= UserSession.id != keep_session_id
    ended = affected(
        db.session.execute(
            update(UserSession)
            .where(condition)
            .values(ended_at=now, ended_why=why)
            .execution_options(synchronize_session=False)
        )
    )
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    return ended


def open_sessions(user: User) -> list[UserSession]:
    """``user``'s sessions still open and within their limits, latest activity first."""
    now = clock.utcnow()
    return [
        s
        for s in db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
            .order_by(UserSession.last_seen_at.desc())
        )
        if now - s.created_at < lifetime() and now - s.last_seen_at < idle_limit()
    ]


def end_one(user: User, session_id: int) -> None:
    """The user ends one of their own sessions (another browser). :raise NotFound: not an open session of theirs."""
    ended = affected(
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == session_id, UserSession.user_id == user.id, UserSession.ended_at.is_(None))
            .values(ended_at=clock.utcnow(), ended_why="revoked")
            .execution_options(synchronize_session=False)
        )
    )
    if not ended:
        db.session.rollback()
        raise NotFound("没有这个会话")
    finish(user)


def _end(condition: ColumnElement[bool], now: datetime, why: str) -> None:
    _write(update(UserSession).where(condition, UserSession.ended_at.is_(None)).values(ended_at=now, ended_why=why))


def _write(statement: object) -> None:
    """A small change of its own, committed at once — before the request's own work, which is where a session is
    looked up; should anything of the request be pending already, it is left for the next request rather than
    committed with it."""
    if db.session.new or db.session.dirty or db.session.deleted:
        return
    with sqlite.writing():  # a page that only reads still records the activity: in a transaction of its own
        db.session.commit()  # the lookup's read ends, so the write starts from the database as it is now
        db.session.execute(statement.execution_options(synchronize_session=False))  # type: ignore[attr-defined]
        db.session.commit()

"""忘记密码 (issue 30): a user who forgot the password sets a new one through a link sent to the e-mail address on the
account, without the administrator.

The request takes a user name or an e-mail address and is answered the same whatever it names (``ANSWER``): nothing
tells a visitor which names or addresses exist. It is counted first, per address and per name typed, like a login
(``accounts.admit``, committed before anything else); past the limits it is recorded as ``throttled`` and nothing is
sent. For each active account it names that has an address, a random token goes into a link in a message queued for
e-mail (and the inbox) through the outbox; only the token's SHA-256 is stored, for ``LIFETIME``, and a newer request
replaces an older link. Using the link sets the new password (as strong as any), once — the UPDATE that takes it is the
one that finds it unused, unreplaced and unexpired — and ends every session and API token of the user, and the
account's login limits. Every request is a ``PasswordReset`` row: the record.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.orm import contains_eager

from loanfund import clock
from loanfund.database import affected
from loanfund.domain.errors import FieldErrors, NotFound
from loanfund.extensions import db
from loanfund.models import LoginThrottle, PasswordReset, User
from loanfund.services.oversight.notices import notify
from loanfund.services.people import sessions
from loanfund.services.people.accounts import admit, check_password_strength, clean_address
from loanfund.services.people.passwords import hash_password
from loanfund.services.uow import finish

LIFETIME = timedelta(minutes=30)
# a few requests a quarter of an hour: one forgets, retries after a typo, asks again when the mail is slow
PER_NAME = 3
PER_ADDRESS = 10
ANSWER = (
    "如该用户名或邮箱已在系统中登记，重置密码的链接将在几分钟内发送到账户登记的邮箱，"
    f"{LIFETIME.seconds // 60} 分钟内有效，只能使用一次。未登记邮箱的用户请联系系统管理员重置密码。"
)
GONE = "该重置链接无效、已使用或已过期，请重新申请“忘记密码”"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request(identifier: str, *, address: str, link: Callable[[str], str]) -> None:
    """Record the request and, within the limits, send a link to each active account it names (by user name, or by
    e-mail address whatever its case) that has an address. ``link(token)`` is the page's absolute address. Answers
    nothing: the caller says ``ANSWER`` whatever happened."""
    now = clock.utcnow()
    typed = identifier.strip()[:254]
    name = "".join(c for c in typed if c.isprintable())
    address = clean_address(address)
    within = admit("reset_address", address, PER_ADDRESS, now, None)
    within = admit("reset_name", name.lower()[:200], PER_NAME, now, None) and within
    db.session.commit()  # counted before anything is looked up: a flood costs no lookups past the limit

    def record(outcome: str, user: User | None = None, token_hash: str | None = None) -> PasswordReset:
        row = PasswordReset(
            requested_at=now,
            identifier=name,
            address=address,
            user_id=user.id if user is not None else None,
            outcome=outcome,
            token_hash=token_hash,
            expires_at=now + LIFETIME if token_hash else None,
        )
        db.session.add(row)
        return row

    if not within:
        record("throttled")
        finish(None)
        return
    named = (
        list(
            db.session.scalars(
                select(User).where(or_(User.username == name, func.lower(User.email) == name.lower())).order_by(User.id)
            )
        )
        if name and name == typed
        else []
    )
    if not named:
        record("unknown")
    for user in named:
        if not user.active:
            record("inactive", user)
        elif not user.email:
            record("no_email", user)
        else:
            _send(user, record, now, address, link)
    finish(None)


def _send(
    user: User, record: Callable[..., PasswordReset], now: datetime, address: str, link: Callable[[str], str]
) -> None:
    """Replace the user's earlier links by a new one, queued for e-mail whatever the notice setting (asked for)."""
    db.session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.user_id == user.id,
            PasswordReset.token_hash.is_not(None),
            PasswordReset.used_at.is_(None),
            PasswordReset.replaced_at.is_(None),
        )
        .values(replaced_at=now)
        .execution_options(synchronize_session=False)
    )
    token = secrets.token_urlsafe(32)
    record("sent", user, _digest(token))
    minutes = LIFETIME.seconds // 60
    body = (
        f"{user.display_name or user.username}：\n\n"
        f"有人（希望是您本人）于 {clock.local(now):%Y-%m-%d %H:%M} 从地址 {address} "
        f"申请重置账户“{user.username}”的密码。请在 {minutes} 分钟内打开下面的链接设置新密码，链接只能使用一次：\n\n"
        f"{link(token)}\n\n"
        "设置新密码后，该账户在其他浏览器中的登录和全部接口令牌随即失效。"
        "如果不是您本人申请，请忽略本邮件，您的密码不会改变；如多次收到，请告知系统管理员。"
    )
    notify([user], "password_reset", "重置密码", body, None, asked=True)


def find(token: str) -> PasswordReset:
    """The request of a link still good. :raise NotFound: ``GONE`` — unknown, used, replaced or expired."""
    row = db.session.scalars(
        select(PasswordReset).where(
            PasswordReset.token_hash == _digest(token),
            PasswordReset.used_at.is_(None),
            PasswordReset.replaced_at.is_(None),
            PasswordReset.expires_at > clock.utcnow(),
        )
    ).one_or_none()
    if row is None or row.user is None or not row.user.active:
        raise NotFound(GONE, code="reset_gone")
    return row


def reset(token: str, new_password: str, repeated: str) -> User:
    """Set the new password through the link, once; every session and API token of the user ends.

    :raise NotFound: the link is no longer good (``GONE``). :raise InvalidInput: the new password too weak, or the
    two typed differ — the link stays good."""
    row = find(token)
    user = row.user
    assert user is not None
    errors = FieldErrors()
    check_password_strength(new_password, errors, "new_password", (user.username, user.display_name))
    if new_password != repeated:
        errors.add("new_password_again", "两次输入的新密码不一致")
    errors.raise_if_any()
    now = clock.utcnow()
    taken = db.session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.id == row.id,
            PasswordReset.used_at.is_(None),
            PasswordReset.replaced_at.is_(None),
            PasswordReset.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if affected(taken) != 1:  # its twin took it first
        raise NotFound(GONE, code="reset_gone")
    user.password_hash = hash_password(new_password)
    sessions.end_others(user, None, "password")  # ended as by any change of the password
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.user_id == user.id))
    return finish(user)


def recent(people: ColumnElement[bool], *, username: str = "", limit: int = 200) -> list[PasswordReset]:
    """The latest requests naming the accounts of ``people`` (a fund's: ``directory.people_of``), optionally of one
    user name, newest first — the administrator's record beside the logins. A request naming nobody is the
    platform's, not a fund's."""
    query = (
        select(PasswordReset)
        .join(User, User.id == PasswordReset.user_id)
        .where(people)
        .options(contains_eager(PasswordReset.user))
        .order_by(PasswordReset.id.desc())
        .limit(limit)
    )
    if username:
        query = query.where(User.username == username)
    return list(db.session.scalars(query))

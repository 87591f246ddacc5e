"""Users: creation, password checks and lock-out after repeated failures."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, literal, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from loanfund import clock
from loanfund.clock import local
from loanfund.domain.errors import FieldErrors, LoanFundError
from loanfund.domain.lifecycle import Role
from loanfund.extensions import db
from loanfund.models import Bank, Enterprise, User
from loanfund.services.uow import finish
from loanfund.types import UTCDateTime

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8


class AuthenticationFailed(LoanFundError):
    code = "authentication_failed"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password_strength(password: str, errors: FieldErrors, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        errors.add(field, f"密码至少 {MIN_PASSWORD_LENGTH} 位")


def check_new_login(username: str, password: str, errors: FieldErrors) -> None:
    """A username free and well-formed, a password strong enough."""
    if not username or len(username) > 64:
        errors.add("username", "用户名须为 1–64 个字符")
    elif db.session.scalar(select(User.id).where(User.username == username)) is not None:
        errors.add("username", "该用户名已被使用")
    check_password_strength(password, errors)


def active_user(user_id: str) -> User | None:
    """The user behind a session's id, while switched on (a switched-off user's session ends at once)."""
    user = db.session.get(User, int(user_id)) if user_id.isascii() and user_id.isdigit() else None
    return user if user is not None and user.active else None


def change_password(user: User, current: str, new: str) -> None:
    """:raise InvalidInput: the current password is wrong, or the new one too weak."""
    errors = FieldErrors()
    if not check_password_hash(user.password_hash, current):
        errors.add("current_password", "当前密码不正确")
    check_password_strength(new, errors, "new_password")
    if current == new:
        errors.add("new_password", "新密码不能与当前密码相同")
    errors.raise_if_any()
    user.password_hash = hash_password(new)
    finish(user)


def create_user(
    username: str,
    password: str,
    role: Role,
    *,
    display_name: str = "",
    enterprise: Enterprise | None = None,
    bank: Bank | None = None,
    email: str | None = None,
) -> User:
    """Add a user (flushed, not committed: the caller's unit of work commits).

    :raise InvalidInput: username taken or malformed, weak password, or the role's scope missing.
    """
    errors = FieldErrors()
    username = username.strip()
    check_new_login(username, password, errors)
    if role is Role.ENTERPRISE and enterprise is None:
        errors.add("enterprise", "企业用户须属于一家企业")
    if role is Role.BANK and bank is None:
        errors.add("bank", "银行用户须属于一家合作银行")
    if role not in (Role.ENTERPRISE, Role.BANK) and (enterprise is not None or bank is not None):
        errors.add("role", "只有企业用户和银行用户归属于企业或银行")
    errors.raise_if_any()
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role.value,
        display_name=display_name or username,
        enterprise=enterprise,
        bank=bank,
        email=email,
    )
    db.session.add(user)
    db.session.flush()
    return user


def add_user(
    username: str,
    password: str,
    role: Role,
    *,
    display_name: str = "",
    enterprise: Enterprise | None = None,
    bank: Bank | None = None,
) -> User:
    """The administrator (or the ``create-user`` command) adds a user: ``create_user`` as its own unit of work.

    :raise InvalidInput: as ``create_user``.
    """
    return finish(create_user(username, password, role, display_name=display_name, enterprise=enterprise, bank=bank))


# A hash to check against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("not-a-password", method="pbkdf2:sha256:1000")


def authenticate(username: str, password: str) -> User:
    """Check a username and password; lock the account for ``LOCKOUT`` after ``MAX_FAILED_LOGINS`` failures.

    The account is read, and that read transaction ended, before the password hash is checked: no lock is held while
    hashing (on SQLite every transaction takes the write lock at BEGIN). A failure is counted by one UPDATE that
    increments in the database, so concurrent guesses are each counted; it commits (a failed login must be remembered
    even though it raises).

    :raise AuthenticationFailed: with one message for unknown user and wrong password, another when locked.
    """
    now = clock.utcnow()
    account = None
    if "\x00" not in username:  # no such user can exist, and PostgreSQL refuses NUL in a query parameter
        account = db.session.execute(
            select(User.id, User.password_hash, User.locked_until, User.active).where(User.username == username.strip())
        ).first()
    db.session.commit()  # end the read (no lock held) before the slow part; nothing was written
    if account is None:
        check_password_hash(_DUMMY_HASH, password)
        raise AuthenticationFailed("用户名或密码不正确")
    if account.locked_until is not None and account.locked_until > now:
        raise AuthenticationFailed(
            f"登录失败次数过多，账户已锁定至 {local(account.locked_until):%H:%M}，请稍后再试", code="locked"
        )
    if not check_password_hash(account.password_hash, password):
        _count_failure(account.id, now)
        raise AuthenticationFailed("用户名或密码不正确")
    if not account.active:
        raise AuthenticationFailed("该账户已停用，请联系系统管理员", code="inactive")
    user = db.session.get(User, account.id)
    assert user is not None
    if user.failed_logins or user.locked_until:
        user.failed_logins = 0
        user.locked_until = None
        finish(user)
    return user


def _count_failure(user_id: int, now: datetime) -> None:
    """One more failed login, counted in the database; the ``MAX_FAILED_LOGINS``-th locks the account and starts
    the count again. (Every SET expression sees the row as it was before this UPDATE.)"""
    reaches_limit = User.failed_logins + 1 >= MAX_FAILED_LOGINS
    db.session.execute(
        update(User)
        .where(User.id == user_id)
        .values(
            failed_logins=case((reaches_limit, 0), else_=User.failed_logins + 1),
            locked_until=case((reaches_limit, literal(now + LOCKOUT, UTCDateTime)), else_=User.locked_until),
        )
        .execution_options(synchronize_session=False)
    )
    finish(user_id)


# an address as people type them: something@domain.tld, no spaces or control characters
_EMAIL = re.compile(r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$")


def set_notices(user: User, email: str, by_email: bool) -> User:
    """The user's e-mail address (may be empty) and whether notices also go by e-mail. The in-app inbox is always on.

    :raise InvalidInput: the address is malformed, or e-mail is wanted without an address.
    """
    email = email.strip()
    errors = FieldErrors()
    if email and (len(email) > 254 or not _EMAIL.match(email)):
        errors.add("email", "邮箱地址格式不正确，如 name@example.com")
    if by_email and not email:
        errors.add("email", "接收邮件通知须填写邮箱地址")
    errors.raise_if_any()
    user.email = email or None
    user.email_notices = by_email
    return finish(user)

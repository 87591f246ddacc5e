"""Users: creation, password checks and lock-out after repeated failures."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, literal, null, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import contains_eager, joinedload

from loanfund import clock
from loanfund.database import affected
from loanfund.domain.errors import FieldErrors, InvalidInput, LoanFundError, NotAllowed
from loanfund.domain.lifecycle import FUNDLESS_ROLES, Role
from loanfund.extensions import db
from loanfund.models import Bank, Enterprise, Fund, LoginRecord, LoginThrottle, User
from loanfund.services.people import passwords, sessions
from loanfund.services.people.passwords import hash_password
from loanfund.services.uow import finish
from loanfund.types import UTCDateTime


class AuthenticationFailed(LoanFundError):
    code = "authentication_failed"


def check_password_strength(
    password: str, errors: FieldErrors, field: str = "password", known: tuple[str, ...] = ()
) -> None:
    for message in passwords.problems(password, known=known):
        errors.add(field, message)


def check_login_form(username: str, password: str, errors: FieldErrors) -> None:
    """A username well-formed, a password strong enough (not whether the name is free: the public sign-up must not
    tell)."""
    if not username or len(username) > 64:
        errors.add("username", "用户名须为 1–64 个字符")
    check_password_strength(password, errors, known=(username,))


def check_new_login(username: str, password: str, errors: FieldErrors) -> None:
    """For staff creating a user: well-formed, strong enough, and the username free."""
    check_login_form(username, password, errors)
    if username and db.session.scalar(select(User.id).where(User.username == username)) is not None:
        errors.add("username", "该用户名已被使用")


def change_password(user: User, current: str, new: str, *, keep_session_id: int | None = None) -> None:
    """Change the password; every other session of the user ends and every API token of theirs is revoked (the
    browser it was changed in, ``keep_session_id``, stays signed in).

    The current password is guessed no faster than at the login (issue 25, finding 10): every try counts, committed
    before the hash is checked; after ``ACCOUNT_ATTEMPTS`` in ``THROTTLE`` the form waits, whatever is typed.

    :raise InvalidInput: the current password is wrong (or tried too often), or the new one too weak."""
    key = f"password:{user.id}"
    within = admit("account", key, ACCOUNT_ATTEMPTS, clock.utcnow(), user.id)
    db.session.commit()
    if not within:
        passwords.same_work(current)
        minutes = THROTTLE.seconds // 60
        raise InvalidInput(
            {"current_password": [f"当前密码错误次数过多，请 {minutes} 分钟后再试，或请系统管理员解除限制"]}
        )
    errors = FieldErrors()
    if not passwords.verify(user.password_hash, current)[0]:
        errors.add("current_password", "当前密码不正确")
    check_password_strength(new, errors, "new_password", (user.username, user.display_name))
    if current == new:
        errors.add("new_password", "新密码不能与当前密码相同")
    errors.raise_if_any()
    user.password_hash = hash_password(new)
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.scope == "account", LoginThrottle.key == key))
    sessions.end_others(user, keep_session_id, "password")
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
    fund: Fund | None = None,
) -> User:
    """Add a user (flushed, not committed: the caller's unit of work commits). Everyone but an enterprise's user works
    for a fund (DESIGN §7).

    :raise InvalidInput: username taken or malformed, weak password, or the role's scope missing.
    """
    errors = FieldErrors()
    username = username.strip()
    check_new_login(username, password, errors)
    if role is Role.ENTERPRISE and enterprise is None:
        errors.add("enterprise", "企业用户须属于一家企业")
    if role is Role.BANK and bank is None:
        errors.add("bank", "银行用户须属于一家合作银行")
    elif role is Role.BANK and bank is not None and fund is not None and bank.fund_id != fund.id:
        errors.add("bank", "该银行不是本资金的合作银行")
    if role not in (Role.ENTERPRISE, Role.BANK) and (enterprise is not None or bank is not None):
        errors.add("role", "只有企业用户和银行用户归属于企业或银行")
    if role not in FUNDLESS_ROLES and fund is None:
        errors.add("fund", "转贷资金的工作人员和银行用户须属于一个转贷资金")
    if role in FUNDLESS_ROLES and fund is not None:
        errors.add("fund", f"“{role.label}”属于平台，不属于某一个转贷资金")
    errors.raise_if_any()
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role.value,
        display_name=display_name or username,
        enterprise=enterprise,
        bank=bank,
        email=email,
        fund=fund,
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
    fund: Fund | None = None,
) -> User:
    """The administrator (or the ``create-user`` command) adds a user: ``create_user`` as its own unit of work.

    :raise InvalidInput: as ``create_user``.
    """
    return finish(
        create_user(username, password, role, display_name=display_name, enterprise=enterprise, bank=bank, fund=fund)
    )


# The account-and-address limit: five tries, then that account waits fifteen minutes *from that address* — staff
# elsewhere log in as usual, so nobody can lock the operator out from outside; the administrator can lift it early.
ACCOUNT_ATTEMPTS = 5
# The address limit: thirty failed tries in fifteen minutes across any names, then that address waits.
ADDRESS_ATTEMPTS = 30
THROTTLE = timedelta(minutes=15)
WRONG = (
    f"用户名或密码不正确。同一账户在同一地址连续失败 {ACCOUNT_ATTEMPTS} 次后须等待 {THROTTLE.seconds // 60} 分钟，"
    "或请系统管理员解除限制"
)


def authenticate(username: str, password: str, *, address: str, channel: str = "web") -> User:
    """Check a username and password from ``address``; every attempt is recorded.

    One answer and the same work whatever went wrong (no such user, wrong password, too many tries): the attempt is
    counted first — one atomic upsert per limit, committed — and only an attempt within both limits has its password
    checked; the others check it against a hash of the same cost that matches nothing. No lock is held while hashing
    (on SQLite every transaction takes the write lock at BEGIN). A right password from a switched-off account is told
    so (only its owner knows the password). A hash of an older kind or cost is replaced by today's.

    :raise AuthenticationFailed: ``WRONG`` for every failure but a switched-off account (code ``inactive``).
    """
    now = clock.utcnow()
    typed = username.strip()[:64]
    # what is counted and recorded: the name without control characters (PostgreSQL refuses NUL in a parameter)
    name = "".join(c for c in typed if c.isprintable())
    address = clean_address(address)
    account = None
    if name == typed:  # a name with a control character in it cannot be anyone's
        account = db.session.execute(
            select(User.id, User.password_hash, User.active).where(User.username == name)
        ).first()
    subject = f"{account.id}@{address}" if account else f"?{name.lower()}@{address}"
    within = admit("address", address, ADDRESS_ATTEMPTS, now, None)
    within = admit("account", subject, ACCOUNT_ATTEMPTS, now, account.id if account else None) and within
    db.session.commit()  # the attempts count before the slow part, and no lock is held through it
    upgraded = None
    if account is not None and within:
        ok, upgraded = passwords.verify(account.password_hash, password)
    else:
        ok = False
        passwords.same_work(password)
    active = ok and account is not None and account.active  # ok: the password was the account's
    outcome = "ok" if active else "inactive" if ok else "wrong" if within else "throttled"
    db.session.add(
        LoginRecord(
            at=now,
            user_id=account.id if account else None,
            username=name,
            address=address,
            channel=channel,
            outcome=outcome,
        )
    )
    if ok:
        # a right password takes its own try off the address's count and ends the account's count — in the order the
        # attempts were counted (address, then account), so two logins never wait on each other's rows
        db.session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.scope == "address", LoginThrottle.key == address, LoginThrottle.attempts > 0)
            .values(attempts=LoginThrottle.attempts - 1)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(delete(LoginThrottle).where(LoginThrottle.scope == "account", LoginThrottle.key == subject))
    if ok and upgraded and account is not None:  # through the session: the audit record has it (see audit)
        db.session.get_one(User, account.id).password_hash = upgraded
    db.session.commit()
    if outcome == "inactive":
        raise AuthenticationFailed("该账户已停用，请联系系统管理员", code="inactive")
    if outcome != "ok":
        raise AuthenticationFailed(WRONG)
    assert account is not None  # "ok" is only ever an account's
    user = db.session.get(User, account.id)
    assert user is not None
    return user


def clean_address(address: str | None) -> str:
    """A client's address as counted and recorded: printable, at most 64 characters ("unknown" when none)."""
    return "".join(c for c in (address or "unknown") if c.isprintable())[:64]


def admit(scope: str, key: str, limit: int, now: datetime, user_id: int | None) -> bool:
    """Count one attempt under ``(scope, key)`` in one statement, whatever runs beside it: a new window when the last
    one is over (or its lock ended), else one more; the attempt that reaches ``limit`` locks for ``THROTTLE``.
    Whether this attempt is within the limit."""
    table = LoginThrottle.__table__
    at = literal(now, UTCDateTime)
    fresh = or_(
        and_(table.c.locked_until.is_not(None), table.c.locked_until <= at),
        and_(table.c.locked_until.is_(None), table.c.window_started <= literal(now - THROTTLE, UTCDateTime)),
    )
    insert = _insert_for(db.session.get_bind().dialect.name)
    statement = (
        insert(table)
        .values(scope=scope, key=key, attempts=1, window_started=now, locked_until=None, user_id=user_id)
        .on_conflict_do_update(
            index_elements=[table.c.scope, table.c.key],
            set_={
                "attempts": case((fresh, 1), else_=table.c.attempts + 1),
                "window_started": case((fresh, at), else_=table.c.window_started),
                "locked_until": case(
                    (fresh, null()),
                    (
                        and_(table.c.locked_until.is_(None), table.c.attempts + 1 >= limit),
                        literal(now + THROTTLE, UTCDateTime),
                    ),
                    else_=table.c.locked_until,
                ),
            },
        )
        .returning(table.c.attempts)
    )
    return bool(db.session.execute(statement).scalar_one() <= limit)


def _insert_for(dialect: str) -> Callable[..., Any]:
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


# Public sign-ups (issue 25, finding 4): an office behind one address signs up a few firms, not dozens; a credit code
# is signed up under once or twice, a retry after a typo. Past either, fifteen minutes' wait — before the password is
# hashed, so that a flood of sign-ups costs no hashing and cannot slow the logins beside it.
SIGN_UP_ADDRESS_ATTEMPTS = 10
SIGN_UP_CODE_ATTEMPTS = 3
SIGN_UPS_LIMITED = f"注册过于频繁，请 {THROTTLE.seconds // 60} 分钟后再试"


def admit_sign_up(address: str, credit_code: str) -> bool:
    """Count a well-formed sign-up from ``address`` naming ``credit_code`` (each under its own limit, in the database
    like the login limits, and committed at once so that a refused sign-up counts too). Whether it may go on. The
    same for a credit code registered or not: the limit tells nothing about what exists."""
    now = clock.utcnow()
    address = clean_address(address)
    within = admit("sign_up_address", address, SIGN_UP_ADDRESS_ATTEMPTS, now, None)
    within = admit("sign_up_code", credit_code, SIGN_UP_CODE_ATTEMPTS, now, None) and within
    db.session.commit()
    return within


def clear_spent_limits(now: datetime) -> int:
    """Forget login counts whose window is over and whose lock has ended (the daily sweep): every name ever tried
    from every address would otherwise stay a row for good. Part of the caller's unit of work; how many."""
    spent = and_(
        LoginThrottle.window_started <= now - THROTTLE,
        or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
    )
    return affected(db.session.execute(delete(LoginThrottle).where(spent)))


def lift_limits(actor: User, user: User) -> int:
    """The administrator ends every login limit on ``user``'s account (from every address). How many there were."""
    if actor.role_enum is not Role.ADMIN:
        raise NotAllowed("只有系统管理员可以解除登录限制")
    lifted = affected(db.session.execute(delete(LoginThrottle).where(LoginThrottle.user_id == user.id)))
    finish(user)
    return lifted


def limited_accounts(now: datetime, people: ColumnElement[bool]) -> list[LoginThrottle]:
    """The accounts of ``people`` (a fund's: ``directory.people_of``) now waiting out a login limit, with the
    address, newest first."""
    return list(
        db.session.scalars(
            select(LoginThrottle)
            .join(User, User.id == LoginThrottle.user_id)
            .where(LoginThrottle.scope == "account", LoginThrottle.locked_until > now, people)
            .options(joinedload(LoginThrottle.user))
            .order_by(LoginThrottle.locked_until.desc())
        )
    )


def login_records(people: ColumnElement[bool], *, username: str = "", limit: int = 200) -> list[LoginRecord]:
    """The latest login attempts on the accounts of ``people`` (a fund's: ``directory.people_of``), optionally of
    one username, newest first. An attempt on a name nobody has is the platform's, not a fund's."""
    query = (
        select(LoginRecord)
        .join(User, User.id == LoginRecord.user_id)
        .where(people)
        .options(contains_eager(LoginRecord.user))  # the row's person, from the join (not one query a person)
        .order_by(LoginRecord.id.desc())
        .limit(limit)
    )
    if username:
        query = query.where(LoginRecord.username == username)
    return list(db.session.scalars(query))


# an address as people type them: something@domain.tld, no spaces or control characters
_EMAIL = re.compile(r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$")


def valid_email(email: str) -> bool:
    return len(email) <= 254 and bool(_EMAIL.match(email))


def set_notices(user: User, email: str, by_email: bool, mobile: str = "", by_sms: bool = False) -> User:
    """The user's e-mail address and mobile number (either may be empty), and whether notices also go by e-mail and
    — those that matter (``sms.SMS_KINDS``) — by SMS. The in-app inbox is always on.

    :raise InvalidInput: an address or number malformed, or a channel wanted without its address — all at once.
    """
    email = email.strip()
    number = "".join(mobile.split()).replace("-", "")
    errors = FieldErrors()
    if email and not valid_email(email):
        errors.add("email", "邮箱地址格式不正确，如 name@example.com")
    if by_email and not email:
        errors.add("email", "接收邮件通知须填写邮箱地址")
    if number and not _MOBILE.fullmatch(number):
        errors.add("mobile", "手机号码应为 11 位数字，以 1 开头，如 13800000000")
    if by_sms and not number:
        errors.add("mobile", "接收短信通知须填写手机号码")
    errors.raise_if_any()
    user.email = email or None
    user.email_notices = by_email
    user.mobile = number or None
    user.sms_notices = by_sms
    return finish(user)


# a mainland mobile number as the operators assign them: 11 digits, 1 then 3–9
_MOBILE = re.compile(r"1[3-9][0-9]{9}")

"""A second factor (issue 30): a one-time code (TOTP, RFC 6238, from an authenticator app) for those who move or
write off money — operators, the leading group and administrators — asked at login and again before the steps that
let money go or book its loss (``StepDef.second_factor``: 复核放款, 核销), on the web and the API alike.

Enrolment: the user scans a QR code of a new secret and types the first code it shows; only then is the factor on,
and ten one-time recovery codes are shown, once (only their SHA-256 is kept), for a lost phone. A code is taken once:
the UPDATE that moves ``last_step`` past its 30-second step is the one that accepts it (its twin, or a copy typed
again, finds it taken), and a recovery code by the UPDATE that finds it unused. Wrong codes are counted like logins
(``accounts.admit``, committed before the code is checked): five in a quarter of an hour and the user waits. Every
enrolment, reset, code accepted or refused is a ``SecondFactorEvent``.

Whether a user without one may go on is the deployment's (``SECOND_FACTOR_REQUIRED``, on in production): when it is
required, such a user is sent to enrol before anything else and the steps refuse them until they have.

A checked code is a ``Passed`` — what the view hands to the step it was asked for; the step's runner
(``lifecycle.take``) refuses a step that asks for one without it (``require``), except in its rehearsal for the
confirmation page, which never commits.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
import segno
from flask import current_app
from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.orm import contains_eager, selectinload

from loanfund import clock
from loanfund.database import affected
from loanfund.domain.errors import InvalidInput, NotAllowed, NotFound
from loanfund.domain.lifecycle import Action, Role
from loanfund.extensions import db
from loanfund.models import LoginThrottle, RecoveryCode, SecondFactor, SecondFactorEvent, User
from loanfund.services import uow
from loanfund.services.people import sessions
from loanfund.services.people.accounts import admit, clean_address

ASKED_ROLES = frozenset({Role.OPERATOR, Role.GROUP, Role.ADMIN, Role.PLATFORM})
STEP_SECONDS = 30
DRIFT_STEPS = 1  # a code of the step before or after is taken too: a phone's clock a little off, a code typed slowly
ATTEMPTS = 5
RECOVERY_CODES = 10
PASSED_FOR = timedelta(minutes=5)  # a code checked is good for the step it was asked for this long
ISSUER = "LoanFund 应急转贷"
FIELD = "otp"
WRONG = "动态验证码不正确或已使用过，请输入验证器应用当前显示的 6 位数字，或一个未用过的恢复码"
THROTTLED = f"动态验证码连续错误 {ATTEMPTS} 次，请 15 分钟后再试，或请系统管理员重置两步验证"
MISSING = "请输入动态验证码"
NOT_ENROLLED = "须先启用两步验证（账户 → 两步验证），才能办理此项"


@dataclass(frozen=True)
class Passed:
    """A code checked for ``user_id`` at ``at``: what a step that asks for one is handed."""

    user_id: int
    at: datetime


@dataclass(frozen=True)
class Enrolment:
    """An enrolment begun: the secret (to type in by hand) and its ``otpauth://`` address as a QR code (SVG)."""

    secret: str
    uri: str
    qr_svg: str


def asked_of(user: User) -> bool:
    return user.role_enum in ASKED_ROLES


def factor_of(user: User) -> SecondFactor | None:
    """The user's confirmed factor, if on."""
    return _factor(user, confirmed=True)


def _factor(user: User, *, confirmed: bool) -> SecondFactor | None:
    """The user's factor, confirmed (on) or begun and not confirmed: one row per user, either way."""
    when = SecondFactor.confirmed_at.is_not(None) if confirmed else SecondFactor.confirmed_at.is_(None)
    return db.session.scalars(select(SecondFactor).where(SecondFactor.user_id == user.id, when)).one_or_none()


def enrolled(user: User) -> bool:
    return factor_of(user) is not None


def awaiting_code(user_id: int) -> User | None:
    """The active user whose password was right and whose code the login page now asks (their factor on)."""
    user = db.session.get(User, user_id) if user_id else None
    return user if user is not None and user.active and enrolled(user) else None


def must_enrol(user: User) -> bool:
    """The deployment requires a second factor of the user's role and the user has none yet."""
    return bool(current_app.config.get("SECOND_FACTOR_REQUIRED")) and asked_of(user) and not enrolled(user)


def begin_enrolment(user: User) -> Enrolment:
    """A new secret for ``user`` (replacing one begun and not confirmed), shown as a QR code.

    :raise NotAllowed: the user's role is not asked for one, or theirs is on already (turn it off first)."""
    if not asked_of(user):
        raise NotAllowed("两步验证用于平台运营、领导小组和系统管理员的账户", code="second_factor_role")
    if enrolled(user):
        raise NotAllowed("两步验证已启用；如需更换手机，请先停用再重新启用", code="second_factor_on")
    secret = pyotp.random_base32()
    db.session.execute(delete(SecondFactor).where(SecondFactor.user_id == user.id))
    db.session.add(SecondFactor(user_id=user.id, totp_secret=secret, created_at=clock.utcnow(), last_step=0))
    uow.finish(user)
    return enrolment_of(user, secret)


def pending(user: User) -> Enrolment | None:
    """The enrolment the user has begun and not confirmed, to show its QR code again."""
    row = _factor(user, confirmed=False)
    return enrolment_of(user, row.totp_secret) if row is not None else None


def enrolment_of(user: User, secret: str) -> Enrolment:
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
    return Enrolment(secret, uri, segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff"))


def confirm_enrolment(user: User, code: str, *, address: str) -> list[str]:
    """The first code from the app turns the factor on; the recovery codes, shown this once.

    :raise NotFound: no enrolment begun. :raise InvalidInput: the code is wrong (``otp``)."""
    row = _factor(user, confirmed=False)
    if row is None:
        raise NotFound("没有待确认的两步验证，请重新开始", code="no_enrolment")
    now = clock.utcnow()
    step = _matching_step(row.totp_secret, code, now)
    if step is None:
        raise InvalidInput({FIELD: ["动态验证码不正确：请输入验证器应用扫描二维码后显示的 6 位数字"]})
    row.confirmed_at, row.last_step = now, step
    codes = _new_recovery_codes(user)
    _record(user, "enrolled", "enrolment", address)
    uow.finish(user)
    return codes


def renew_recovery_codes(user: User, passed: Passed, *, address: str) -> list[str]:
    """Ten new recovery codes (the old ones void), after a code checked. :raise NotAllowed: no code checked."""
    _require_passed(user, passed)
    codes = _new_recovery_codes(user)
    _record(user, "codes_renewed", "recovery", address)
    uow.finish(user)
    return codes


def remove(user: User, passed: Passed, *, address: str) -> None:
    """The user turns their factor off, after a code checked (to enrol a new phone)."""
    _require_passed(user, passed)
    _off(user)
    _record(user, "removed", "remove", address)
    uow.finish(user)


def reset(admin: User, user: User, *, address: str) -> bool:
    """An administrator turns a user's factor off (a lost phone and its recovery codes): the user enrols again at the
    next login where it is required. Every session and API token of the user ends. Whether there was one (none:
    nothing changes, nothing is recorded)."""
    if db.session.scalar(select(SecondFactor.id).where(SecondFactor.user_id == user.id)) is None:
        return False
    _off(user)
    sessions.end_others(user, None, "second_factor")
    _record(user, "reset", "reset", address, by=admin)
    uow.finish(user)
    return True


def unused_recovery_codes(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).all()
    )


def check(user: User, code: str, *, purpose: str, address: str) -> Passed:
    """Check a code the user typed — from the app, or one of their recovery codes — counted first (five wrong in a
    quarter of an hour and they wait), taken once, recorded; committed on its own, before the step it is asked for.

    :raise InvalidInput: ``otp``: missing, wrong, used already, or too many tries.
    :raise NotAllowed: the user has no second factor on."""
    typed = "".join(code.split())
    if not typed:
        raise InvalidInput({FIELD: [MISSING]})
    factor = factor_of(user)
    if factor is None:
        raise NotAllowed("该账户未启用两步验证", code="no_second_factor")
    now = clock.utcnow()
    address = clean_address(address)
    within = admit("second_factor", str(user.id), ATTEMPTS, now, user.id)
    db.session.commit()  # counted before it is checked, whatever comes of it
    if not within:
        _record(user, "throttled", purpose, address)
        uow.finish(None)
        raise InvalidInput({FIELD: [THROTTLED]})
    kind = None
    step = _matching_step(factor.totp_secret, typed, now) if typed.isdigit() else None
    if step is not None:
        taken = db.session.execute(
            update(SecondFactor)
            .where(SecondFactor.id == factor.id, SecondFactor.last_step < step)
            .values(last_step=step)
            .execution_options(synchronize_session=False)
        )
        kind = "passed" if affected(taken) == 1 else None
    elif len(typed) >= 10:
        used = db.session.execute(
            update(RecoveryCode)
            .where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == _digest(typed),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        kind = "recovery_used" if affected(used) == 1 else None
    if kind is None:
        _record(user, "wrong", purpose, address)
        uow.finish(None)
        raise InvalidInput({FIELD: [WRONG]})
    db.session.execute(
        delete(LoginThrottle).where(LoginThrottle.scope == "second_factor", LoginThrottle.key == str(user.id))
    )
    _record(user, kind, purpose, address)
    uow.finish(None)
    return Passed(user.id, now)


def asks(actor: User, step: object) -> bool:
    """Whether taking ``step`` (a ``StepDef``) asks ``actor`` for a code: it asks for one and theirs is on."""
    return bool(getattr(step, "second_factor", False)) and enrolled(actor)


def require(actor: User, passed: Passed | None) -> None:
    """What a step that asks for a second factor requires of its actor (``lifecycle.take``): a code checked for them
    just now when theirs is on; when the deployment requires one and they have none, the step is refused. Not in a
    rehearsal (``preview.rehearse``): it never commits, and the code is asked on its confirmation page.

    :raise InvalidInput: ``otp`` — no code checked. :raise NotAllowed: they must enrol first."""
    if uow.rehearsing():
        return
    if enrolled(actor):
        _require_passed(actor, passed)
    elif must_enrol(actor):
        raise NotAllowed(NOT_ENROLLED, code="second_factor_required")


EVENT_LABELS = {
    "enrolled": "启用",
    "codes_renewed": "重新生成恢复码",
    "removed": "本人停用",
    "reset": "管理员重置",
    "passed": "验证通过",
    "recovery_used": "使用恢复码",
    "wrong": "验证码错误",
    "throttled": "错误过多，暂停验证",
}
PURPOSE_LABELS = {
    "login": "网页登录",
    "api_login": "接口令牌",
    "enrolment": "启用",
    "renew": "重新生成恢复码",
    "remove": "停用",
    "reset": "重置",
}


def purpose_label(purpose: str) -> str:
    """What a code was asked for, in words: a login, the factor's own page, or the step (by its action's label)."""
    if purpose in PURPOSE_LABELS:
        return PURPOSE_LABELS[purpose]
    try:
        return Action(purpose).label
    except ValueError:
        return purpose


def events(people: ColumnElement[bool], *, username: str = "", limit: int = 200) -> list[SecondFactorEvent]:
    """The latest events of the accounts of ``people`` (``directory.people_of``), optionally of one user name,
    newest first."""
    query = (
        select(SecondFactorEvent)
        .join(User, User.id == SecondFactorEvent.user_id)
        .where(people)
        .options(contains_eager(SecondFactorEvent.user), selectinload(SecondFactorEvent.by))
        .order_by(SecondFactorEvent.id.desc())
        .limit(limit)
    )
    if username:
        query = query.where(User.username == username)
    return list(db.session.scalars(query))


def enrolled_among(people: ColumnElement[bool]) -> set[int]:
    """The ids of the accounts of ``people`` whose second factor is on (the administrator's list of users)."""
    return set(
        db.session.scalars(
            select(SecondFactor.user_id)
            .join(User, User.id == SecondFactor.user_id)
            .where(people, SecondFactor.confirmed_at.is_not(None))
        )
    )


def _require_passed(user: User, passed: Passed | None) -> None:
    if passed is None or passed.user_id != user.id or clock.utcnow() - passed.at > PASSED_FOR:
        raise InvalidInput({FIELD: [MISSING]})


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The 30-second step (within the drift allowed) whose code is ``code``, or None."""
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper
    codes = ["".join(secrets.choice(alphabet) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(c)) for c in codes)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def _digest(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").lower().encode()).hexdigest()


def _off(user: User) -> None:
    db.session.execute(delete(SecondFactor).where(SecondFactor.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def _record(user: User, kind: str, purpose: str, address: str, by: User | None = None) -> None:
    db.session.add(
        SecondFactorEvent(
            at=clock.utcnow(),
            user_id=user.id,
            by_id=by.id if by is not None else None,
            kind=kind,
            purpose=purpose[:32],
            address=clean_address(address),
        )
    )

"""API bearer tokens: issued for a username and password, stored only as a SHA-256, valid for a working day."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from loanfund import clock
from loanfund.domain.errors import InvalidInput, NotFound
from loanfund.extensions import db
from loanfund.models import ApiToken, User
from loanfund.services.people import second_factor
from loanfund.services.people.accounts import AuthenticationFailed, authenticate
from loanfund.services.uow import finish

TOKEN_LIFETIME = timedelta(hours=8)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(username: str, password: str, *, address: str, code: str = "") -> tuple[str, datetime]:
    """:raise AuthenticationFailed: as for the login form (the same limits, counted together); for a user whose
    second factor is on, ``code`` missing or wrong too (``second_factor``)."""
    user = authenticate(username, password, address=address, channel="api")
    if second_factor.enrolled(user):
        try:
            second_factor.check(user, code, purpose="api_login", address=address)
        except InvalidInput as exc:
            raise AuthenticationFailed(
                exc.errors[second_factor.FIELD][0] + "（请在 X-OTP 请求头中提供）", code="second_factor"
            ) from exc
    token = secrets.token_urlsafe(32)
    expires_at = clock.utcnow() + TOKEN_LIFETIME
    db.session.add(ApiToken(token_hash=_digest(token), user_id=user.id, expires_at=expires_at, address=address[:64]))
    finish(user)
    return token, expires_at


def token_for(token: str) -> ApiToken | None:
    """The live token: known, not revoked, not expired, and its user switched on; else None (one query: every API
    request asks it)."""
    row = db.session.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or row.expires_at <= clock.utcnow() or not row.user.active:
        return None
    return row


def live_tokens(user: User) -> list[ApiToken]:
    """``user``'s tokens neither revoked nor expired, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > clock.utcnow())
            .order_by(ApiToken.id.desc())
        )
    )


def revoke(user: User, token_id: int) -> None:
    """``user`` revokes one of their own live tokens. :raise NotFound: no such live token of theirs."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None or row.expires_at <= clock.utcnow():
        raise NotFound("没有这个令牌，或它已失效")
    row.revoked_at = clock.utcnow()
    finish(row)

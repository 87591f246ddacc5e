"""API bearer tokens: issued for a username and password, stored only as a SHA-256, valid for a working day."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from loanfund import clock
from loanfund.extensions import db
from loanfund.models import ApiToken, User
from loanfund.services.accounts import authenticate
from loanfund.services.uow import finish

TOKEN_LIFETIME = timedelta(hours=8)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(username: str, password: str) -> tuple[str, datetime]:
    """:raise AuthenticationFailed: as for the login form (same lock-out)."""
    user = authenticate(username, password)
    token = secrets.token_urlsafe(32)
    expires_at = clock.utcnow() + TOKEN_LIFETIME
    db.session.add(ApiToken(token_hash=_digest(token), user_id=user.id, expires_at=expires_at))
    finish(user)
    return token, expires_at


def user_for_token(token: str) -> User | None:
    """The active user a token belongs to, or None when it is unknown or expired."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.expires_at <= clock.utcnow() or not row.user.active:
        return None
    return row.user

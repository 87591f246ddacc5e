"""Submit once: a web form that changes something carries a one-time token, claimed in the same transaction as the
change. A double click or a refresh after POST finds the token claimed and changes nothing (the API's twin is the
``Idempotency-Key``, ``loanfund.api.idempotency``; both are rows of ``idempotency_keys``, unique per user and key).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from loanfund.database import is_contention, is_duplicate
from loanfund.domain.errors import Conflict
from loanfund.extensions import db
from loanfund.models import IdempotencyKey, User

PREFIX = "form:"  # keeps a page's tokens apart from the keys API clients choose
SUBMITTED = 303  # what a claimed form answered: see the page it came from


class AlreadySubmitted(Conflict):
    code = "already_submitted"


def claim(user: User, token: str, fingerprint: str) -> None:
    """Claim ``token`` for ``user`` in the current transaction; the change that follows commits with it or not at all.
    On PostgreSQL a twin submitted at the same instant waits on the unique index until this transaction ends.

    :raise AlreadySubmitted: the token was claimed before (the session is rolled back: nothing of this request stays).
    """
    claimed, earlier = claim_key(user, PREFIX + token, fingerprint, response_status=SUBMITTED)
    if claimed is None:
        assert earlier is not None
        if earlier.request_fingerprint == fingerprint:
            raise AlreadySubmitted("该表单已经提交并办理，本次重复提交未再办理。")
        raise AlreadySubmitted("此页面上的表单已经提交过，请刷新页面后重新填写。")


# -- the API's Idempotency-Key (same table, the key as the client chose it) -----------------------------------------


class InProgress(Conflict):
    code = "in_progress"


def stored(user: User, key: str) -> IdempotencyKey | None:
    """The claim of ``key`` by ``user``, with the answer it got once its request committed."""
    return db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user.id, IdempotencyKey.key == key))


def claim_key(
    user: User, key: str, fingerprint: str, response_status: int | None = None
) -> tuple[IdempotencyKey | None, IdempotencyKey | None]:
    """Claim an Idempotency-Key in the current transaction: ``(claim, None)``; or, when an earlier request claimed it
    and committed, ``(None, that claim)`` (the session is rolled back).

    :raise InProgress: an earlier request holds the key and has not finished (past the lock timeout).
    """
    claim = IdempotencyKey(user_id=user.id, key=key, request_fingerprint=fingerprint, response_status=response_status)
    db.session.add(claim)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        if not is_duplicate(exc):
            raise
        earlier = stored(user, key)
        if earlier is None:
            raise InProgress("相同请求正在处理中，请稍后重试") from None
        return None, earlier
    except OperationalError as exc:
        db.session.rollback()
        if not is_contention(exc):
            raise
        raise InProgress("相同请求正在处理中，请稍后重试") from None
    return claim, None

"""The end of every use case: flush, let the caller add to the same transaction, commit once."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from loanfund.extensions import db

T = TypeVar("T")
BeforeCommit = Callable[[T], None]


def finish(result: T, before_commit: BeforeCommit[T] | None = None) -> T:
    """Commit the use case's work. ``before_commit`` runs inside the transaction after everything is flushed — the
    API stores its idempotent answer there, so the answer and the change commit together or not at all."""
    db.session.flush()
    if before_commit is not None:
        before_commit(result)
        db.session.flush()
    db.session.commit()
    return result

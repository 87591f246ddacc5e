"""The unit of work: a use case's changes commit once, together with whatever an entrypoint registered to commit
with them (cosmicpython's unit of work, over Flask-SQLAlchemy's session).

A use case ends with ``finish(result)``: it flushes, runs what was registered with ``committing_with`` (the API
stores its idempotent answer there, so the answer and the change commit together or not at all), and commits.
Nothing is threaded through the services' parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from loanfund.extensions import db

T = TypeVar("T")
_KEY = "loanfund.before_commit"
_REHEARSING = "loanfund.rehearsing"


@contextmanager
def committing_with(callback: Callable[[Any], None]) -> Iterator[None]:
    """While the block runs, the use case that finishes in it calls ``callback(result)`` inside its transaction,
    after its own changes are flushed and before the commit."""
    pending: list[Callable[[Any], None]] = db.session.info.setdefault(_KEY, [])
    pending.append(callback)
    try:
        yield
    finally:
        pending.remove(callback)


@contextmanager
def rehearsal() -> Iterator[None]:
    """A use case run in the block is a rehearsal: it is never committed (``preview.rehearse`` stops it at its
    commit), so what only guards a commit may let it through (``second_factor.require``)."""
    db.session.info[_REHEARSING] = True
    try:
        yield
    finally:
        db.session.info.pop(_REHEARSING, None)


def rehearsing() -> bool:
    return bool(db.session.info.get(_REHEARSING))


def finish(result: T) -> T:
    """Commit the use case's work once, with what the entrypoint registered."""
    db.session.flush()
    if rehearsing() and not db.session.info.get(_KEY):  # nothing to stop it: a rehearsal never commits
        raise RuntimeError("a rehearsal reached its commit")
    for callback in list(db.session.info.get(_KEY, ())):
        callback(result)
    db.session.flush()
    db.session.commit()
    return result


def discard() -> None:
    """Throw away what the use case did so far (it was refused): nothing of it is written."""
    db.session.rollback()

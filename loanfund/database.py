"""What every database connection is set up with, and how to tell contention from a real failure.

Contention — a row lock not granted in time, a serialization failure, a deadlock, SQLite's busy lock — means another
transaction got there first; nothing was written, and the caller is told to reload and retry (409). A unique index
that refuses a second copy of something that protects money (an idempotency key, a transfer reference) is answered
the same way. Anything else is a real failure.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError

from loanfund import sqlite

# PostgreSQL SQLSTATEs: lock_not_available, serialization_failure, deadlock_detected
CONTENTION_STATES = frozenset({"55P03", "40001", "40P01"})
UNIQUE_VIOLATION = "23505"
SQLITE_CONTENTION = ("database is locked", "database table is locked")


def configure(engine: Engine, lock_timeout_ms: int) -> None:
    """How long a step waits for a lock another transaction holds before it gives up with a clear answer (409)
    instead of hanging: SQLite's busy timeout for its one write lock (with its pragmas and BEGIN IMMEDIATE,
    ``loanfund.sqlite``), PostgreSQL's lock_timeout on every session."""
    sqlite.configure(engine, lock_timeout_ms)
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")
        dbapi_connection.commit()  # a SET inside a transaction that rolls back would be undone


def _sqlstate(exc: DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)


def is_contention(exc: BaseException) -> bool:
    """Another transaction holds what this one needs (lock timeout, serialization failure, deadlock, busy SQLite)."""
    if not isinstance(exc, DBAPIError):
        return False
    if _sqlstate(exc) in CONTENTION_STATES:
        return True
    message = str(exc.orig).lower()
    return any(text in message for text in SQLITE_CONTENTION)


def is_duplicate(exc: BaseException) -> bool:
    """A unique index refused a second copy (on PostgreSQL 23505; on SQLite "UNIQUE constraint failed")."""
    if not isinstance(exc, DBAPIError):
        return False
    return _sqlstate(exc) == UNIQUE_VIOLATION or "unique constraint failed" in str(exc.orig).lower()

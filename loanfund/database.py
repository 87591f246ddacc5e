"""What every database connection is set up with, and how to tell contention from a real failure.

Contention — a row lock not granted in time, a serialization failure, a deadlock, SQLite's busy lock — means another
transaction got there first; nothing was written, and the caller is told to reload and retry (409). A unique index
that refuses a second copy of something that protects money (an idempotency key, a transfer reference) is answered
the same way. Anything else is a real failure.
"""

from __future__ import annotations

import re
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Result, event
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


# what the application only ever appends to: it may read and insert, never change or remove
HISTORY = (
    "application_events",
    "receipts",
    "journal_entries",
    "journal_legs",
    "recovery_records",
    "monthly_reports",
    "usage_statements",
    "audit_records",
    "bank_statement_lines",
    "bank_statement_balances",
)
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_runtime_role(session: Any, role: str) -> int:
    """On PostgreSQL, as the tables' owner: give ``role`` what the application needs — SELECT, INSERT, UPDATE,
    DELETE on the working tables, SELECT and INSERT on the history tables, SELECT and UPDATE on the audit head,
    SELECT on the migration version — and nothing else (no TRUNCATE, no REFERENCES, no TRIGGER). A role that is not
    the owner cannot drop or disable the triggers, and only a superuser may set ``session_replication_role``.
    How many tables were granted.

    :raise ValueError: not PostgreSQL, a role name that is not a plain identifier, no such role, the owner itself, or a
        superuser.
    """
    from sqlalchemy import text

    if session.get_bind().dialect.name != "postgresql":
        raise ValueError("只有 PostgreSQL 需要运行时角色（SQLite 由文件权限保护）")
    if not _ROLE_NAME.match(role):
        raise ValueError(f"角色名 {role!r} 须为小写字母、数字和下划线")
    found = session.execute(
        text("SELECT rolsuper, rolname = current_user AS is_me FROM pg_roles WHERE rolname = :role"), {"role": role}
    ).first()
    if found is None:
        raise ValueError(f"没有角色 {role}：请先 CREATE ROLE {role} LOGIN PASSWORD '…'")
    if found.is_me:
        raise ValueError("运行时角色不能是表的所有者本身")
    if found.rolsuper:
        raise ValueError(f"{role} 是超级用户：运行时角色须为普通角色")
    tables = (
        session.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"))
        .scalars()
        .all()
    )
    session.execute(text(f'GRANT USAGE ON SCHEMA public TO "{role}"'))
    for table in tables:
        session.execute(text(f'REVOKE ALL ON TABLE "{table}" FROM "{role}"'))
        if table in HISTORY:
            grant = "SELECT, INSERT"
        elif table == "audit_head":
            grant = "SELECT, UPDATE"
        elif table == "alembic_version":
            grant = "SELECT"
        else:
            grant = "SELECT, INSERT, UPDATE, DELETE"
        session.execute(text(f'GRANT {grant} ON TABLE "{table}" TO "{role}"'))
    session.execute(text(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"'))
    session.commit()
    return len(tables)


def affected(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed: ``Session.execute`` is typed to return a ``Result``, and for a DML
    statement it is a ``CursorResult``, which counts them."""
    return int(cast("CursorResult[Any]", result).rowcount or 0)

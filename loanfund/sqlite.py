"""SQLite settings for a database that holds money.

Foreign keys on, WAL and a busy timeout (how long a writer waits for the lock) for a file database. And for a file
database, every transaction starts with ``BEGIN IMMEDIATE``: Python's sqlite3 driver does not begin a transaction
before a SELECT, so a read-check-write could check stale data; taking the write lock at the start serialises writers
instead (SQLAlchemy's documented recipe: the driver's own transaction handling off, our BEGIN on the engine's
``begin`` event). An in-memory database is one connection shared by the whole process (tests), where that is neither
possible nor needed.

A request that only reads (a GET: a page, a file, an answer of the API) begins its transactions with a plain
``BEGIN`` instead (``reading``): a snapshot of the database that WAL lets any number of readers hold beside the one
writer. With the write lock taken by every transaction, each page waited for every other — four workers served the
workbench no faster than one (issue 28). A write inside such a request (a session's last activity) is made in a
transaction of its own that takes the lock from its start (``writing``); the tests fail a GET that writes otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

from sqlalchemy import Engine, event

# what the running request says of its transactions: "read" (a GET), unless a write is being made on purpose
_mode: ContextVar[str] = ContextVar("loanfund_sqlite_mode", default="write")


def reading() -> Token[str]:
    """From now on (until ``done``) this request only reads: its transactions need not take the write lock."""
    return _mode.set("read")


def done(token: Token[str]) -> None:
    _mode.reset(token)


@contextmanager
def writing() -> Iterator[None]:
    """A write made inside a request that otherwise only reads: its transaction takes the write lock from its start.
    End any read transaction before it (commit), so the write is not made from an older snapshot."""
    token = _mode.set("write")
    try:
        yield
    finally:
        _mode.reset(token)


def only_reading() -> bool:
    return _mode.get() == "read"


def configure(engine: Engine, busy_timeout_ms: int) -> None:
    if engine.dialect.name != "sqlite":
        return
    file_database = engine.url.database not in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        if file_database:
            dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        if file_database:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    if file_database:

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN" if only_reading() else "BEGIN IMMEDIATE")


def refresh_statistics(engine: Engine) -> bool:
    """Bring SQLite's planner statistics (``sqlite_stat1``) up to date — what PostgreSQL's autovacuum does by itself.
    Without them SQLite weighs every index alike and, at a million applications, walked a fund's or a bank's
    applications to find its few thousand bridges out (issue 28). A full ``ANALYZE``: about four seconds at a million
    applications; sampled (``analysis_limit``) it misjudged a bank's 500,000 applications as a thousand and chose
    their index again. The nightly reconciliation calls it. False (and nothing done) on another database."""
    if engine.dialect.name != "sqlite":
        return False
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
    return True

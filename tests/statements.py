"""The SQL the app sends inside a block, for the tests that count queries, look for a statement or read a plan."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import event

from loanfund.extensions import db

T = TypeVar("T")


def as_sent(statement: str, parameters: Any) -> str:
    return statement


def flat(statement: str, parameters: Any) -> str:
    """The statement on one line in lower case, for a test that matches its words."""
    return " ".join(statement.split()).lower()


def with_parameters(statement: str, parameters: Any) -> tuple[str, Any]:
    return statement, parameters


@contextmanager
def sent(shape: Callable[[str, Any], T] = as_sent) -> Iterator[list[T]]:  # type: ignore[assignment]
    """Every statement the app's engine sends inside the block, in order, each as ``shape`` makes it."""
    seen: list[T] = []

    def keep(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(shape(statement, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)


def sqlite_plan(statement: str, parameters: Any) -> str:
    """SQLite's own plan of a statement (EXPLAIN QUERY PLAN), its lines joined by " | "."""
    with db.engine.connect() as connection:
        return " | ".join(row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))

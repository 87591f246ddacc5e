"""On a SQLite file, a request that only reads begins its transactions without the write lock (issue 28: with every
transaction taking it, four workers served pages no faster than one): it reads beside a writer, from the database as
it was when it began, while a second writer still waits its turn and gives up after the busy timeout."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from loanfund import sqlite


def test_a_page_reads_beside_a_writer_and_writers_still_queue(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'fund.db'}")
    sqlite.configure(engine, busy_timeout_ms=200)
    with engine.begin() as setup:
        setup.exec_driver_sql("CREATE TABLE receipts (fen INTEGER NOT NULL)")
        setup.exec_driver_sql("INSERT INTO receipts VALUES (100)")

    writer = engine.connect()
    writer.begin()  # BEGIN IMMEDIATE: the write lock, held until it commits
    writer.exec_driver_sql("INSERT INTO receipts VALUES (250)")

    with engine.connect() as job, pytest.raises(OperationalError, match="locked"):  # not a page: it would wait
        job.begin()
        job.exec_driver_sql("SELECT SUM(fen) FROM receipts")

    token = sqlite.reading()
    try:
        with engine.connect() as page, page.begin():  # a plain BEGIN: no wait for the writer
            assert page.exec_driver_sql("SELECT SUM(fen) FROM receipts").scalar() == 100  # not the uncommitted 250
    finally:
        sqlite.done(token)

    with engine.connect() as second, pytest.raises(OperationalError, match="locked"):
        second.begin()
        second.exec_driver_sql("INSERT INTO receipts VALUES (1)")

    writer.commit()
    writer.close()
    with engine.connect() as after, after.begin():
        assert after.exec_driver_sql("SELECT SUM(fen) FROM receipts").scalar() == 350
    engine.dispose()

"""How the monthly analysis scales with the years of data behind it: the time to build one month's report (and its
.xlsx) with 1,000 applications in the database and with 100,000 (``--large``), as a ratio of the first — both measured
here, in this run, on this machine. Nothing is asserted: the tests hold the query count constant
(tests/api/test_query_counts.py); this shows what the time does.

Run: ``make bench`` or ``.venv/bin/python bench/report_scaling.py [--large 100000] [--database URL]`` (default: a
SQLite file in a temporary folder; a PostgreSQL URL must name an empty database).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event

from bench.generate import generate

END = date(2026, 11, 30)


def timed(build, repeat: int = 5) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """Median seconds of ``repeat`` runs, and the statements one run sends."""
    from loanfund.extensions import db

    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    times = []
    for n in range(repeat):
        if n == 0:
            event.listen(db.engine, "before_cursor_execute", count)
        started = time.perf_counter()
        build()
        times.append(time.perf_counter() - started)
        if n == 0:
            event.remove(db.engine, "before_cursor_execute", count)
        db.session.rollback()
    return statistics.median(times), len(statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--database", help="an empty database (default: a SQLite file in a temporary folder)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="loanfund-bench-")
    os.environ["DATABASE_URL"] = args.database or f"sqlite:///{folder}/bench.db"
    os.environ.setdefault("SECRET_KEY", "bench-only")
    from flask_migrate import upgrade

    from loanfund.app import create_app
    from loanfund.services import exports, reporting

    app = create_app()
    with app.app_context():
        upgrade()
        start, end = reporting.month_period(END.year, END.month)

        def report() -> None:
            reporting.report(start, end)

        def workbook() -> None:
            exports.report_workbook(reporting.report(start, end), "bench")

        rows = []
        made = 0
        for size in (args.small, args.large):
            made_now = generate(size - made, end=END, days=730, seed=size)
            made = size
            report_s, report_q = timed(report)
            book_s, _ = timed(workbook, repeat=3)
            rows.append((size, made_now.seconds, report_s, report_q, book_s))
        base = rows[0]
        print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}; month: {END:%Y-%m}; 730 days of data")
        print(f"{'applications':>13} {'generate s':>11} {'report ms':>10} {'queries':>8} {'xlsx ms':>9} {'ratio':>7}")
        for size, generated, report_s, queries, book_s in rows:
            print(
                f"{size:>13,} {generated:>11.1f} {report_s * 1000:>10.1f} {queries:>8} {book_s * 1000:>9.1f} "
                f"{report_s / base[2]:>6.2f}×"
            )
        print(f"ratio: the report's time over its time with {args.small:,} applications, in this run")


if __name__ == "__main__":
    main()

"""Issue 28: the operator's 待归档 queue showed 50 rows by sorting every repaid application of the years. Its first
rows now come from an index in the order asked for — said by the database's own plan (SQLite's EXPLAIN QUERY PLAN),
not by timing (the figures are bench/scale.py's)."""

from __future__ import annotations

from sqlalchemy import select

from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import User
from loanfund.services.applications import workbench
from tests.flows import Flows
from tests.statements import sent, sqlite_plan, with_parameters


def test_the_archive_queue_reads_its_first_rows_from_the_fund_state_index(app, people, traveller):
    flows = Flows(traveller)
    for _ in range(3):
        flows.to(State.REPAID)
    operator = db.session.scalars(select(User).where(User.username == "operator")).one()
    with sent(with_parameters) as seen:
        [queue] = [q for q in workbench.queues(operator, "to_archive") if q.key == "to_archive"]
    assert [row.application.state for row in queue.rows] == ["repaid"] * 3
    ids = [row.application.id for row in queue.rows]
    assert ids == sorted(ids)  # the oldest first
    [(statement, parameters)] = [
        (s, p) for s, p in seen if s.startswith("SELECT applications.") and "ORDER BY applications.id\n LIMIT" in s
    ]
    plan = sqlite_plan(statement, parameters)
    assert "ix_applications_fund_state_id" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # nothing sorted


def test_a_list_filtered_by_submission_days_starts_from_their_ids(app, people, traveller):
    """The list newest first, filtered by the day submitted: the page reads the ids of those days (the primary key's
    range found from the submission time's index), not every newer application — and shows exactly those days'."""
    from datetime import date

    from loanfund.services.applications import listing

    flows = Flows(traveller)
    made = {}
    for day in ("2026-11-02", "2026-11-03", "2026-11-04"):
        traveller.move_to(f"{day} 10:00:00+08:00")
        made[day] = [flows.submit().id, flows.submit(enterprise="ent2").id]
    operator = db.session.scalars(select(User).where(User.username == "operator")).one()
    chosen = listing.Criteria(submitted_from=date(2026, 11, 3), submitted_to=date(2026, 11, 3))
    with sent(with_parameters) as seen:
        found = listing.applications(operator, chosen)
    assert [a.id for a in found] == sorted(made["2026-11-03"], reverse=True)
    assert listing.count(operator, chosen).number == 2
    [(statement, parameters)] = [(s, p) for s, p in seen if s.startswith("SELECT applications.") and "LIMIT" in s]
    plan = sqlite_plan(statement, parameters)
    assert "rowid>? AND rowid<?" in plan, plan  # the ids of those days, from an index (the fund's, on SQLite)

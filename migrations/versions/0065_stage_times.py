"""Kept stage times (issue 30): each wait of an application in a stage and its way from submission to money out, with
the working days a stage took once it ended — what the reports sum by stage and the early-warning page finds open
past their limit, by index rather than by reading every event of the period. Backfilled from the events of every
application not imported from the 台账, on the holiday calendar known now (the rules as they were when this was
written, restated: the service's own may change after).

Revision ID: 0065_stage_times
Revises: 0064_second_factor
Create Date: 2026-12-07 14:40:00

"""
from datetime import UTC, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0065_stage_times'
down_revision = '0064_second_factor'
branch_labels = None
depends_on = None

FUND_TZ = ZoneInfo("Asia/Shanghai")
WAITING = {
    "submitted": "acceptance",
    "accepted": "commitment",
    "bank_committed": "approval",
    "group_review": "group",
    "approved": "disbursement",
}


def _working(day, known={}):  # noqa: B006  (a cache for the run)
    if day not in known:
        import chinese_calendar

        try:
            known[day] = bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            known[day] = day.weekday() < 5
    return known[day]


def _between(start, end):
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        days += _working(day)
    return days


def _aware(moment):
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _rows(fund_id, application_id, moves):
    """The stage rows of one application's moves (at, before, after), oldest first."""
    found, entered, submitted, out, ended_early = [], None, None, None, False
    for at, before, after in moves:
        if before is None and after == "submitted" and submitted is None:
            submitted = at
        if before == after:
            continue
        if entered is not None and before == entered[0]:
            found.append((WAITING[entered[0]], entered[1], at))
            entered = None
        if after == "disbursed" and before == "approved" and out is None:
            out = at
        if after in WAITING:
            entered = (after, at)
        elif out is None:
            ended_early = True
    if entered is not None:
        found.append((WAITING[entered[0]], entered[1], None))
    if submitted is not None and (out is not None or not ended_early):
        found.append(("whole", submitted, out))
    for stage, started, ended in found:
        started_on = started.astimezone(FUND_TZ).date()
        ended_on = ended.astimezone(FUND_TZ).date() if ended is not None else None
        yield {
            "fund_id": fund_id,
            "application_id": application_id,
            "stage": stage,
            "started_at": started,
            "started_on": started_on,
            "ended_at": ended,
            "ended_on": ended_on,
            "working_days": _between(started_on, ended_on) if ended is not None else None,
            "seconds": int((ended - started).total_seconds()) if ended is not None else None,
        }


def upgrade():
    op.create_table(
        "stage_times",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("working_days", sa.Integer(), nullable=True),
        sa.Column("seconds", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_stage_times_fund_id_funds")),
        sa.ForeignKeyConstraint(
            ["application_id"], ["applications.id"], name=op.f("fk_stage_times_application_id_applications")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_times")),
    )
    stage_times = sa.table(
        "stage_times",
        *(
            sa.column(name, kind)
            for name, kind in (
                ("fund_id", sa.Integer()),
                ("application_id", sa.Integer()),
                ("stage", sa.String()),
                ("started_at", sa.DateTime(timezone=True)),
                ("started_on", sa.Date()),
                ("ended_at", sa.DateTime(timezone=True)),
                ("ended_on", sa.Date()),
                ("working_days", sa.Integer()),
                ("seconds", sa.Integer()),
            )
        ),
    )
    events = sa.table(
        "application_events",
        sa.column("id", sa.Integer()),
        sa.column("application_id", sa.Integer()),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("from_state", sa.String()),
        sa.column("to_state", sa.String()),
    )
    applications = sa.table(
        "applications", sa.column("id", sa.Integer()), sa.column("fund_id", sa.Integer()), sa.column("imported_key")
    )
    bind = op.get_bind()
    moves = bind.execute(
        sa.select(applications.c.fund_id, events.c.application_id, events.c.at, events.c.from_state, events.c.to_state)
        .join(applications, applications.c.id == events.c.application_id)
        .where(applications.c.imported_key.is_(None))
        .order_by(events.c.application_id, events.c.id)
        .execution_options(stream_results=True, yield_per=20_000)
    )
    batch = []
    for application_id, rows in groupby(moves, key=lambda r: r[1]):
        rows = list(rows)
        batch.extend(_rows(rows[0][0], application_id, [(_aware(r[2]), r[3], r[4]) for r in rows]))
        if len(batch) >= 20_000:
            bind.execute(stage_times.insert(), batch)
            batch = []
    if batch:
        bind.execute(stage_times.insert(), batch)
    op.create_index(
        "ix_stage_times_fund_ended",
        "stage_times",
        ["fund_id", "ended_on", "stage", "working_days", "seconds"],
        unique=False,
    )
    op.create_index("ix_stage_times_application", "stage_times", ["application_id", "stage"], unique=False)


def downgrade():
    op.drop_index("ix_stage_times_application", table_name="stage_times")
    op.drop_index("ix_stage_times_fund_ended", table_name="stage_times")
    op.drop_table("stage_times")

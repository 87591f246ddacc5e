"""办理时限 as the fund keeps them (issue 30): the working days its administrator promises for each stage (settings,
beside the early-warning thresholds), each application's stages with their due-by days (the enterprise sees when
each should be done), a period's spread by stage and party with the stages over their limit (the monthly report and
the statistics), and the stages open past their limit now (the early-warning page). The rules are the domain's
(``domain.time_limits``); the moments are the application's events.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from itertools import groupby

from sqlalchemy import ColumnElement, Select, and_, delete, func, insert, or_, select

from loanfund import clock
from loanfund.domain.errors import FieldErrors
from loanfund.domain.lifecycle import State
from loanfund.domain.time_limits import (
    LONGEST,
    WAITING,
    Late,
    Spread,
    Stage,
    Timed,
    TimeLimits,
    Timeliness,
    calendar_note,
    is_working_day,
    late_cutoff,
    spans_of,
    spread_of,
    stages_of,
    timed,
    working_days_between,
)
from loanfund.extensions import db
from loanfund.models import Application, ApplicationEvent, Enterprise, Setting, StageTime, User

KEYS = {stage: f"limit_{stage.value}" for stage in Stage}
LATE_SHOWN = 20  # a page's report lists the first late stages; the document filed lists every one
NAMES_AT_ONCE = 10_000  # ids in one IN list (within SQLite's and PostgreSQL's limits on parameters)


def limits(fund_id: int) -> TimeLimits:
    """The fund's promised working days per stage, as its administrator set them, or the defaults."""
    stored = {
        s.key: s.value
        for s in db.session.scalars(
            select(Setting).where(Setting.fund_id == fund_id, Setting.key.in_(list(KEYS.values())))
        )
    }
    default = TimeLimits()
    return TimeLimits(**{stage.value: int(stored.get(KEYS[stage], default.of(stage))) for stage in Stage})


def check(values: Mapping[str, str | None], errors: FieldErrors) -> dict[Stage, int]:
    """The limits typed (by field ``limit_<stage>``; None or missing: unchanged), each a whole number of working days
    from 0 to ``LONGEST``; every problem named in ``errors``."""
    found: dict[Stage, int] = {}
    for stage, key in KEYS.items():
        typed = values.get(key)
        if typed is None:
            continue
        text = typed.strip()
        if not (text.isascii() and text.isdigit() and 0 <= int(text) <= LONGEST):
            errors.add(key, f"请填写 0 至 {LONGEST} 之间的整数工作日")
        else:
            found[stage] = int(text)
    return found


def store(actor: User, fund_id: int, chosen: Mapping[Stage, int]) -> None:
    """Write the limits checked (part of the settings' unit of work)."""
    for stage, days in chosen.items():
        setting = db.session.get(Setting, (fund_id, KEYS[stage])) or Setting(fund_id=fund_id, key=KEYS[stage])
        setting.value, setting.updated_by_id, setting.updated_at = str(days), actor.id, clock.utcnow()
        db.session.add(setting)


def of_application(application: Application) -> list[Timed]:
    """The application's stages, each with its due-by day and working days so far (the last one open while it
    waits), and application to money out: what its page shows every party. None for one imported from the 台账:
    its moments are the import's, not the steps'."""
    if application.imported_key:
        return []
    moves = [(clock.local(e.at), e.from_state, e.to_state) for e in sorted(application.events, key=lambda e: e.id)]
    return stages_of(moves, clock.today(), limits(application.fund_id), is_working_day)


# -- the kept stage times ------------------------------------------------------------------------------------------


def moved(application: Application, before: str | None, after: str, at: datetime) -> None:
    """Keep the stage times beside a move of the application's state (``spine.record``, every step): the stage it
    waited in ends, the one it now waits in begins; submission begins the way to money out and the money going out
    ends it — an application that ends otherwise never gets there (its row goes)."""
    if before == after or application.imported_key:
        return
    if before is not None and State(before) in WAITING:
        _end(application.id, WAITING[State(before)], at)
    if before is None and after == State.SUBMITTED.value:
        _begin(application, Stage.WHOLE, at)
    if before == State.APPROVED.value and after == State.DISBURSED.value:
        _end(application.id, Stage.WHOLE, at)
    elif State(after) not in WAITING:  # refused, declined, withdrawn, cancelled: no money out
        db.session.execute(
            delete(StageTime)
            .where(
                StageTime.application_id == application.id,
                StageTime.stage == Stage.WHOLE.value,
                StageTime.ended_at.is_(None),
            )
            .execution_options(synchronize_session=False)
        )
    if State(after) in WAITING:
        _begin(application, WAITING[State(after)], at)


def _begin(application: Application, stage: Stage, at: datetime) -> None:
    db.session.add(
        StageTime(
            fund_id=application.fund_id,
            application_id=application.id,
            stage=stage.value,
            started_at=at,
            started_on=clock.local(at).date(),
        )
    )


def _working_days(started: datetime, ended: datetime | None) -> int | None:
    """A stage's working days once it ended (the fund's days of its moments), as kept and as checked."""
    if ended is None:
        return None
    return working_days_between(clock.local(started).date(), clock.local(ended).date(), is_working_day)


def _end(application_id: int, stage: Stage, at: datetime) -> None:
    row = db.session.scalars(
        select(StageTime).where(
            StageTime.application_id == application_id,
            StageTime.stage == stage.value,
            StageTime.ended_at.is_(None),
        )
    ).first()
    if row is None:  # begun before the stage times were kept and not found by their backfill: nothing to end
        return
    row.ended_at, row.ended_on = at, clock.local(at).date()
    row.working_days = _working_days(row.started_at, at)
    row.seconds = int((at - row.started_at).total_seconds())


def _names(application_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    ids = sorted(set(application_ids))
    found: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), NAMES_AT_ONCE):
        rows = db.session.execute(
            select(Application.id, Application.submitted_at, Enterprise.name)
            .join(Enterprise, Enterprise.id == Application.enterprise_id)
            .where(Application.id.in_(ids[start : start + NAMES_AT_ONCE]))
        )
        for application_id, submitted_at, name in rows:
            found[application_id] = (Application.reference_of(application_id, submitted_at), name)
    return found


def _lines(query: Select[StageTime], chosen: TimeLimits, today: date, lines: int | None) -> list[Late]:
    """The kept rows ``query`` selects, as lines (the first ``lines``), with their applications' names."""
    rows = list(db.session.scalars(query if lines is None else query.limit(lines)))
    names = _names(r.application_id for r in rows)
    found = []
    for r in rows:
        stage = Stage(r.stage)
        started = clock.local(r.started_at)
        ended = clock.local(r.ended_at) if r.ended_at is not None else None
        t = timed(stage, started, ended, today, chosen, is_working_day)
        reference, enterprise = names[r.application_id]
        found.append(Late(r.application_id, reference, enterprise, t))
    return found


def _over(chosen: TimeLimits) -> ColumnElement[bool]:
    """A kept row that ended over its stage's limit (the limits as they are now)."""
    return or_(*(and_(StageTime.stage == s.value, StageTime.working_days > chosen.of(s)) for s in Stage))


def report(fund_id: int, start: date, through: date, *, lines: int | None = None) -> Timeliness:
    """The stages completed from ``start`` to ``through`` (the fund's days): each stage's spread (application to money
    out first, then each party's stage in order), and those over their limit, oldest first (the first ``lines``).
    Summed over the kept rows by stage and working days: its cost is the period's stages, read by index."""
    today, chosen = clock.today(), limits(fund_id)
    period = (StageTime.fund_id == fund_id, StageTime.ended_on >= start, StageTime.ended_on <= through)
    histograms: dict[Stage, dict[int, tuple[int, int]]] = defaultdict(dict)
    for stage, days, count, shortest in db.session.execute(
        select(StageTime.stage, StageTime.working_days, func.count(), func.min(StageTime.seconds))
        .where(*period)
        .group_by(StageTime.stage, StageTime.working_days)
    ):
        histograms[Stage(stage)][int(days or 0)] = (int(count), int(shortest or 0))
    order = [Stage.WHOLE, *(s for s in Stage if s is not Stage.WHOLE)]
    spreads: list[Spread] = [spread_of(stage, chosen.of(stage), histograms[stage]) for stage in order]
    over = select(StageTime).where(*period, _over(chosen)).order_by(StageTime.started_at, StageTime.id)
    return Timeliness(
        spreads=spreads,
        late=_lines(over, chosen, today, lines),
        late_count=sum(s.over for s in spreads),
        calendar_note=calendar_note(start, through),
    )


def open_late(fund_id: int, today: date | None = None, lines: int | None = None) -> tuple[list[Late], int]:
    """The stages open now past their due-by day (and applications on their way past their promise to money out),
    the longest waiting first — the first ``lines`` of them, and how many there are: the early-warning page's
    办理超时. Found by index among the kept rows still open, each stage's by the latest day it could have begun."""
    today = today or clock.today()
    chosen = limits(fund_id)
    late = or_(
        *(
            and_(StageTime.stage == s.value, StageTime.started_on <= late_cutoff(today, chosen.of(s), is_working_day))
            for s in Stage
        )
    )
    where = (StageTime.fund_id == fund_id, StageTime.ended_on.is_(None), late)
    count = int(db.session.scalar(select(func.count()).select_from(StageTime).where(*where)) or 0)
    query = select(StageTime).where(*where).order_by(StageTime.started_at, StageTime.id)
    return _lines(query, chosen, today, lines), count


def expected_rows(fund_id: int) -> Iterator[tuple[int, str, datetime, datetime | None]]:
    """The stage times the events say each application of the fund has (not one imported from the 台账): what the
    kept rows must be (the nightly reconciliation, the migration's backfill)."""
    rows = db.session.execute(
        select(
            ApplicationEvent.application_id, ApplicationEvent.at, ApplicationEvent.from_state, ApplicationEvent.to_state
        )
        .join(Application, Application.id == ApplicationEvent.application_id)
        .where(
            Application.fund_id == fund_id,
            Application.imported_key.is_(None),
            # moves of the state only: a finding of the daily watch, a bank's claim, the maker's preparation leave it
            or_(ApplicationEvent.from_state.is_(None), ApplicationEvent.from_state != ApplicationEvent.to_state),
        )
        .order_by(ApplicationEvent.application_id, ApplicationEvent.id)
        .execution_options(yield_per=20_000)
    )
    for application_id, moves in groupby(rows, key=lambda r: r[0]):
        for stage, started, ended in spans_of([(at, before, after) for _, at, before, after in moves]):
            yield application_id, stage.value, started, ended


def rebuild(fund_id: int) -> None:
    """The fund's kept stage times made again from its events (rows written past the steps: the bench's generator)."""
    db.session.execute(delete(StageTime).where(StageTime.fund_id == fund_id))
    batch: list[dict[str, object]] = []
    for application_id, stage, started, ended in expected_rows(fund_id):
        started_on = clock.local(started).date()
        ended_on = clock.local(ended).date() if ended is not None else None
        batch.append(
            {
                "fund_id": fund_id,
                "application_id": application_id,
                "stage": stage,
                "started_at": started,
                "started_on": started_on,
                "ended_at": ended,
                "ended_on": ended_on,
                "working_days": _working_days(started, ended),
                "seconds": int((ended - started).total_seconds()) if ended is not None else None,
            }
        )
        if len(batch) >= 5000:
            db.session.execute(insert(StageTime), batch)
            batch = []
    if batch:
        db.session.execute(insert(StageTime), batch)


Kept = tuple[int, str, datetime, datetime | None, int | None]  # application, stage, begun, ended, working days


def differences(fund_id: int) -> list[str]:
    """The kept stage times that differ from the events — a stage missing, left over, or with other moments or working
    days — named (the full reconciliation)."""
    kept: Counter[Kept] = Counter(
        (row[0], row[1], row[2], row[3], row[4])
        for row in db.session.execute(
            select(
                StageTime.application_id,
                StageTime.stage,
                StageTime.started_at,
                StageTime.ended_at,
                StageTime.working_days,
            )
            .where(StageTime.fund_id == fund_id)
            .execution_options(yield_per=20_000)
        )
    )
    expected: Counter[Kept] = Counter(
        (application_id, stage, started, ended, _working_days(started, ended))
        for application_id, stage, started, ended in expected_rows(fund_id)
    )
    kept.subtract(expected)
    return sorted({f"{a} {stage} {started.isoformat()}" for (a, stage, started, _, _), n in kept.items() if n})


def current(stages: list[Timed]) -> tuple[Timed | None, Timed | None]:
    """The stage an application waits in now and its application-to-money-out promise, if still open."""
    waiting = next((t for t in stages if t.ended is None and t.stage is not Stage.WHOLE), None)
    whole = next((t for t in stages if t.ended is None and t.stage is Stage.WHOLE), None)
    return waiting, whole

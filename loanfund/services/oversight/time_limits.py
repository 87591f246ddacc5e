"""办理时限 as the fund keeps them (issue 30): the working days its administrator promises for each stage (settings,
beside the early-warning thresholds), each application's stages with their due-by days (the enterprise sees when
each should be done), a period's spread by stage and party with the stages over their limit (the monthly report and
the statistics), and the stages open past their limit now (the early-warning page). The rules are the domain's
(``domain.time_limits``); the moments are the application's events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from sqlalchemy import Select, select

from loanfund import clock
from loanfund.domain.errors import FieldErrors
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
    spread,
    stages_of,
)
from loanfund.extensions import db
from loanfund.models import Application, ApplicationEvent, Enterprise, Setting, User

KEYS = {stage: f"limit_{stage.value}" for stage in Stage}
LATE_SHOWN = 20  # a page's report lists the first late stages; the document filed lists every one
NAMES_AT_ONCE = 10_000  # ids in one IN list (within SQLite's and PostgreSQL's limits on parameters)
Move = tuple[datetime, str | None, str]
_OPEN_STATES = [state.value for state in WAITING]


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
    waits), and application to money out: what its page shows every party."""
    moves = [(clock.local(e.at), e.from_state, e.to_state) for e in sorted(application.events, key=lambda e: e.id)]
    return stages_of(moves, clock.today(), limits(application.fund_id), is_working_day)


def _moves_of(applications: Select[int]) -> dict[int, list[Move]]:
    """The moves of the applications ``applications`` selects (their ids), each one's oldest first: one query,
    whatever their number."""
    moves: dict[int, list[Move]] = defaultdict(list)
    rows = db.session.execute(
        select(
            ApplicationEvent.application_id, ApplicationEvent.at, ApplicationEvent.from_state, ApplicationEvent.to_state
        )
        .where(ApplicationEvent.application_id.in_(applications.scalar_subquery()))
        .order_by(ApplicationEvent.application_id, ApplicationEvent.id)
    )
    for application_id, at, before, after in rows:
        moves[application_id].append((clock.local(at), before, after))
    return moves


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


def _late(application_id: int, names: Mapping[int, tuple[str, str]], t: Timed) -> Late:
    reference, enterprise = names[application_id]
    return Late(application_id, reference, enterprise, t)


def report(fund_id: int, start: date, through: date, *, lines: int | None = None) -> Timeliness:
    """The stages completed from ``start`` to ``through`` (the fund's days): each stage's spread (application to money
    out first, then each party's stage in order), and those over their limit, oldest first (the first ``lines``)."""
    begin, end = clock.day_start(start), clock.day_start(through + timedelta(days=1))
    ended_here = (
        select(ApplicationEvent.application_id)
        .join(Application, Application.id == ApplicationEvent.application_id)
        .where(
            Application.fund_id == fund_id,
            ApplicationEvent.at >= begin,
            ApplicationEvent.at < end,
            ApplicationEvent.from_state.in_(_OPEN_STATES),  # a stage ended (or, into money out, the whole)
            ApplicationEvent.to_state != ApplicationEvent.from_state,
        )
        .distinct()
    )
    today, chosen = clock.today(), limits(fund_id)
    done: dict[Stage, list[tuple[int, Timed]]] = defaultdict(list)
    for application_id, moves in _moves_of(ended_here).items():
        for t in stages_of(moves, today, chosen, is_working_day):
            if t.ended is not None and start <= t.ended.date() <= through:
                done[t.stage].append((application_id, t))
    order = [Stage.WHOLE, *(s for s in Stage if s is not Stage.WHOLE)]
    spreads: list[Spread] = [spread(stage, chosen.of(stage), [t for _, t in done[stage]]) for stage in order]
    over = sorted(
        ((a, t) for stage in order for a, t in done[stage] if t.over), key=lambda pair: (pair[1].started, pair[0])
    )
    shown = over if lines is None else over[:lines]
    names = _names(a for a, _ in shown)
    return Timeliness(
        spreads=spreads,
        late=[_late(a, names, t) for a, t in shown],
        late_count=len(over),
        calendar_note=calendar_note(start, through),
    )


def open_late(fund_id: int, today: date | None = None) -> list[Late]:
    """The stages open now past their due-by day (and applications on their way past their promise to money out),
    the longest waiting first: the early-warning page's 办理超时."""
    today = today or clock.today()
    waiting = select(Application.id).where(Application.fund_id == fund_id, Application.state.in_(_OPEN_STATES))
    chosen = limits(fund_id)
    found: list[tuple[int, Timed]] = []
    for application_id, moves in _moves_of(waiting).items():
        for t in stages_of(moves, today, chosen, is_working_day):
            if t.ended is None and t.over:
                found.append((application_id, t))
    found.sort(key=lambda pair: (pair[1].due, pair[0], pair[1].stage is not Stage.WHOLE))
    names = _names(a for a, _ in found)
    return [_late(a, names, t) for a, t in found]


def current(stages: list[Timed]) -> tuple[Timed | None, Timed | None]:
    """The stage an application waits in now and its application-to-money-out promise, if still open."""
    waiting = next((t for t in stages if t.ended is None and t.stage is not Stage.WHOLE), None)
    whole = next((t for t in stages if t.ended is None and t.stage is Stage.WHOLE), None)
    return waiting, whole

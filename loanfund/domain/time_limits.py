"""办理时限 (issue 30): each stage an application waits in, the party whose move ends it, the working days promised
for it, and how long it took. Pure: the calendar (which days are working days) and the moments come in.

A stage is the time an application spends in one state waiting for one party — 受理 (the platform's reviewer, from
submission), 银行承诺 (the bank, from acceptance), 审批 (the operator, from the bank's commitment), 领导小组审批 (the
group, for a large amount), 放款 (the operator's maker and checker, from approval) — and, over them all, application
to money out (``WHOLE``). As 政务 counts its 办理时限, the days are working days counted from the day after the stage
began (自次日起计算): a stage begun on a Friday with one working day is due by the end of Monday (or the working day
after a holiday), and one ended on the day it began took 0 working days (当日办结). A stage is over its limit when it
ended — or, still open, today is — past its due-by day.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cache

import chinese_calendar

from loanfund.domain.lifecycle import Role, State

IsWorking = Callable[[date], bool]


@cache
def is_working_day(day: date) -> bool:
    """China's working days: Monday to Friday but the national holidays, and the weekends worked in their place
    (调休), as the State Council sets them each year (``chinesecalendar``, updated yearly). A year it does not know
    yet is counted Monday to Friday (``calendar_known`` says so)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def calendar_known(day: date) -> bool:
    """Whether the holiday calendar has ``day``'s year."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def calendar_note(start: date, end: date) -> str:
    """What a period's figures should say when its holidays are not known: the years counted Monday to Friday."""
    unknown = [year for year in range(start.year, end.year + 1) if not calendar_known(date(year, 6, 1))]
    if not unknown:
        return ""
    years = "、".join(f"{year}年" for year in unknown)
    return f"节假日安排尚未收录{years}（请更新 chinesecalendar），其工作日暂按周一至周五计算"


class Stage(StrEnum):
    ACCEPTANCE = "acceptance"
    COMMITMENT = "commitment"
    APPROVAL = "approval"
    GROUP = "group"
    DISBURSEMENT = "disbursement"
    WHOLE = "whole"  # application to money out

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]

    @property
    def party(self) -> str:
        """Whose move ends it, in the words the fund's users use."""
        return PARTY_LABELS[self]


STAGE_LABELS = {
    Stage.ACCEPTANCE: "受理审查",
    Stage.COMMITMENT: "银行续贷承诺",
    Stage.APPROVAL: "审批",
    Stage.GROUP: "领导小组审批",
    Stage.DISBURSEMENT: "放款",
    Stage.WHOLE: "申请至放款",
}
PARTY_LABELS = {
    Stage.ACCEPTANCE: Role.REVIEWER.label,
    Stage.COMMITMENT: Role.BANK.label,
    Stage.APPROVAL: Role.OPERATOR.label,
    Stage.GROUP: Role.GROUP.label,
    Stage.DISBURSEMENT: Role.OPERATOR.label,
    Stage.WHOLE: "全流程",
}
# the state an application waits in during each stage (``WHOLE`` runs from submission to the money going out)
WAITING: dict[State, Stage] = {
    State.SUBMITTED: Stage.ACCEPTANCE,
    State.ACCEPTED: Stage.COMMITMENT,
    State.BANK_COMMITTED: Stage.APPROVAL,
    State.GROUP_REVIEW: Stage.GROUP,
    State.APPROVED: Stage.DISBURSEMENT,
}
# after the money went out, what comes next is the bank's renewal and the money's return (R9, R4), not a stage
AFTER_OUT = {
    State.DISBURSED: "合作银行续贷",
    State.RENEWED: "到期收回",
    State.RECOVERY: "追偿",
}


def next_step(state: State) -> str:
    """What an application in ``state`` waits for, and whose move it is: the phone's card and the lists say it."""
    if state in WAITING:
        stage = WAITING[state]
        return f"{stage.label}（{stage.party}）"
    return AFTER_OUT.get(state, "—")


LONGEST = 30  # a promise longer than six weeks of working days is not a time limit


@dataclass(frozen=True)
class TimeLimits:
    """The working days promised for each stage: a fund's setting (these are the defaults: the city's "最快一个工作日内
    放款" for a complete application whose bank has committed, a week for the whole)."""

    acceptance: int = 1
    commitment: int = 2
    approval: int = 1
    group: int = 3
    disbursement: int = 1
    whole: int = 5

    def of(self, stage: Stage) -> int:
        return int(getattr(self, stage.value))


def working_day_after(day: date, count: int, is_working: IsWorking) -> date:
    """The ``count``-th working day after ``day`` (``day`` itself when ``count`` is 0)."""
    found = day
    for _ in range(count):
        found += timedelta(days=1)
        while not is_working(found):
            found += timedelta(days=1)
    return found


def working_days_between(start: date, end: date, is_working: IsWorking) -> int:
    """The working days after ``start`` up to and including ``end`` (0 when ``end`` is not after ``start``)."""
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        days += is_working(day)
    return days


def due_by(started: date, stage: Stage, limits: TimeLimits, is_working: IsWorking) -> date:
    """The day by whose end a stage begun on ``started`` is promised to end."""
    return working_day_after(started, limits.of(stage), is_working)


@dataclass(frozen=True)
class Timed:
    """One stage as it went (or goes): when it began and ended (local moments; ``ended`` None while open), its working
    days, its promise and its due-by day."""

    stage: Stage
    started: datetime
    ended: datetime | None
    working_days: int
    limit: int
    due: date

    @property
    def over(self) -> bool:
        return self.working_days > self.limit

    @property
    def party(self) -> str:
        return self.stage.party


def timed(
    stage: Stage, started: datetime, ended: datetime | None, today: date, limits: TimeLimits, is_working: IsWorking
) -> Timed:
    """A stage begun at ``started`` (local) and ended at ``ended`` — or, still open, counted up to ``today``."""
    until = ended.date() if ended is not None else today
    return Timed(
        stage,
        started,
        ended,
        working_days_between(started.date(), until, is_working),
        limits.of(stage),
        due_by(started.date(), stage, limits, is_working),
    )


Span = tuple[Stage, datetime, datetime | None]  # a stage, when it began, when it ended (None: still open)


def spans_of(moves: Sequence[tuple[datetime, str | None, str]]) -> list[Span]:
    """Every stage of one application from its moves (moment, state before, state after, oldest first): each wait in a
    waiting state, from the move into it to the move out of it (a step that leaves the state as it is — the maker's
    preparation — does not end it), the last still open; and application to money out once the money went out (or
    while it has not yet, as long as the application is on its way)."""
    found: list[Span] = []
    entered: tuple[State, datetime] | None = None
    submitted: datetime | None = None
    out: datetime | None = None
    ended_early = False
    for at, before, after in moves:
        if before is None and after == State.SUBMITTED.value and submitted is None:
            submitted = at
        if before == after:
            continue
        if entered is not None and before == entered[0].value:
            found.append((WAITING[entered[0]], entered[1], at))
            entered = None
        if after == State.DISBURSED.value and before == State.APPROVED.value and out is None:
            out = at
        state = State(after)
        if state in WAITING:
            entered = (state, at)
        elif out is None:
            ended_early = True  # refused, withdrawn, cancelled: never to money out
    if entered is not None:
        found.append((WAITING[entered[0]], entered[1], None))
    if submitted is not None and (out is not None or not ended_early):
        found.append((Stage.WHOLE, submitted, out))
    return found


def stages_of(
    moves: Sequence[tuple[datetime, str | None, str]],
    today: date,
    limits: TimeLimits,
    is_working: IsWorking,
) -> list[Timed]:
    """The stages of ``spans_of`` (local moments), each with its working days (an open one's up to ``today``), its
    promise and its due-by day."""
    return [timed(stage, started, ended, today, limits, is_working) for stage, started, ended in spans_of(moves)]


@dataclass(frozen=True)
class Spread:
    """How long one stage took over a period's completions, in working days: how many, the median and the 90th
    percentile (nearest rank), the fastest (also in hours), and how many were over the limit."""

    stage: Stage
    limit: int
    count: int = 0
    median: int | None = None
    p90: int | None = None
    fastest_days: int | None = None
    fastest_hours: Decimal | None = None
    over: int = 0

    @property
    def label(self) -> str:
        return self.stage.label

    @property
    def party(self) -> str:
        return self.stage.party


def hours_of(seconds: int) -> Decimal:
    """A stage's time in hours to a tenth (the fastest is often within a day)."""
    return (Decimal(seconds) / 3600).quantize(Decimal("0.1"), ROUND_HALF_UP)


def nearest_rank(counted: Mapping[int, int], percent: int) -> int:
    """The nearest-rank percentile of values given as how many of each: the smallest value with at least
    ``percent``% of them at or below it (of 10 values, the 90th is the 9th)."""
    total = sum(counted.values())
    rank = max(1, -(-percent * total // 100))
    seen = 0
    for value in sorted(counted):
        seen += counted[value]
        if seen >= rank:
            return value
    raise ValueError("no values")


def spread_of(stage: Stage, limit: int, histogram: Mapping[int, tuple[int, int]]) -> Spread:
    """The spread of a stage's completions given as, for each number of working days taken, how many took it and
    the shortest of them in seconds."""
    counted = {days: n for days, (n, _) in histogram.items() if n}
    if not counted:
        return Spread(stage, limit)
    fastest = min(counted)
    return Spread(
        stage,
        limit,
        count=sum(counted.values()),
        median=nearest_rank(counted, 50),
        p90=nearest_rank(counted, 90),
        fastest_days=fastest,
        fastest_hours=hours_of(histogram[fastest][1]),
        over=sum(n for days, n in counted.items() if days > limit),
    )


def late_cutoff(today: date, limit: int, is_working: IsWorking) -> date:
    """The latest day a stage may have begun on and be over ``limit`` working days today (begun on it or before):
    stepping back from today, each day passed is one more of the stage's days when it is a working day."""
    day, days = today, 0
    while days <= limit:
        days += is_working(day)
        day -= timedelta(days=1)
    return day


@dataclass(frozen=True)
class Late:
    """One stage over its limit (``timed``), and whose application it is."""

    application_id: int
    reference: str
    enterprise: str
    timed: Timed


@dataclass(frozen=True)
class Timeliness:
    """A period's 办理时限: each stage's spread over the stages completed in it (application to money out first) and
    the stages completed in it over their limit (the first ``lines`` on a page, with how many)."""

    spreads: list[Spread] = field(default_factory=list)
    late: list[Late] = field(default_factory=list)
    late_count: int = 0
    calendar_note: str = ""  # a year the holiday calendar does not know yet, counted Monday to Friday

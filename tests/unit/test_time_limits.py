"""办理时限's rules (issue 30), with the State Council's 2026 holiday calendar: working days counted from the day
after a stage began, 调休 weekends counted and holidays not, a year the calendar does not know counted Monday to
Friday and said so; the stages read off an application's moves; the median, 90th percentile and fastest."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from loanfund.domain.time_limits import (
    Stage,
    TimeLimits,
    calendar_note,
    hours_of,
    is_working_day,
    late_cutoff,
    nearest_rank,
    spread_of,
    stages_of,
    timed,
    working_day_after,
    working_days_between,
)

TZ = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 6), True),  # a Friday
        (date(2026, 11, 7), False),  # a Saturday
        (date(2026, 10, 1), False),  # 国庆节
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),
        (date(2026, 2, 14), True),  # a Saturday worked for the Spring Festival (调休)
        (date(2026, 2, 16), False),  # 春节, a Monday
        (date(2026, 2, 28), True),  # another Saturday worked
        (date(2026, 5, 1), False),  # 劳动节
        (date(2027, 1, 1), True),  # 2027 is not in the calendar yet: counted Monday to Friday
        (date(2027, 1, 2), False),
    ],
)
def test_working_days_follow_the_national_calendar(day: date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "count", "due"),
    [
        (date(2026, 11, 6), 1, date(2026, 11, 9)),  # Friday: due by Monday
        (date(2026, 11, 9), 0, date(2026, 11, 9)),  # 0: the same day
        (date(2026, 11, 9), 2, date(2026, 11, 11)),
        (date(2026, 9, 30), 1, date(2026, 10, 8)),  # over 国庆节
        (date(2026, 9, 30), 3, date(2026, 10, 10)),  # the 8th, the 9th, and Saturday the 10th, worked (调休)
        (date(2026, 9, 30), 4, date(2026, 10, 12)),
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # a Friday before 春节: the Saturday worked
        (date(2026, 2, 14), 1, date(2026, 2, 24)),  # then nine days off
    ],
)
def test_the_due_day_is_the_nth_working_day_after_the_start(start: date, count: int, due: date) -> None:
    assert working_day_after(start, count, is_working_day) == due


def test_working_days_taken_count_from_the_day_after() -> None:
    assert working_days_between(date(2026, 11, 9), date(2026, 11, 9), is_working_day) == 0  # 当日办结
    assert working_days_between(date(2026, 11, 6), date(2026, 11, 9), is_working_day) == 1
    assert working_days_between(date(2026, 11, 6), date(2026, 11, 8), is_working_day) == 0  # a weekend only
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 8), is_working_day) == 1
    assert working_days_between(date(2026, 9, 28), date(2026, 10, 12), is_working_day) == 6


def test_a_year_the_calendar_does_not_know_is_said() -> None:
    assert calendar_note(date(2026, 1, 1), date(2026, 12, 31)) == ""
    assert calendar_note(date(2026, 12, 1), date(2027, 1, 31)) == (
        "节假日安排尚未收录2027年（请更新 chinesecalendar），其工作日暂按周一至周五计算"
    )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


LIMITS = TimeLimits(acceptance=1, commitment=2, approval=1, group=3, disbursement=1, whole=5)


def test_the_stages_are_read_off_the_moves() -> None:
    moves = [
        (at("2026-11-06 16:00"), None, "submitted"),  # a Friday afternoon
        (at("2026-11-09 10:00"), "submitted", "accepted"),  # Monday: 1 working day
        (at("2026-11-12 09:00"), "accepted", "bank_committed"),  # Thursday: 3 working days, over its 2
        (at("2026-11-12 15:00"), "bank_committed", "approved"),  # the same day
        (at("2026-11-13 09:00"), "approved", "approved"),  # the maker prepares: still waiting for the checker
        (at("2026-11-13 11:30"), "approved", "disbursed"),
        (at("2026-11-16 10:00"), "disbursed", "renewed"),  # after the money went out: no stage of this
    ]
    found = stages_of(moves, date(2026, 11, 30), LIMITS, is_working_day)
    assert [(t.stage, t.working_days, t.limit, t.due, t.over) for t in found] == [
        (Stage.ACCEPTANCE, 1, 1, date(2026, 11, 9), False),
        (Stage.COMMITMENT, 3, 2, date(2026, 11, 11), True),
        (Stage.APPROVAL, 0, 1, date(2026, 11, 13), False),
        (Stage.DISBURSEMENT, 1, 1, date(2026, 11, 13), False),
        (Stage.WHOLE, 5, 5, date(2026, 11, 13), False),
    ]
    whole = found[-1]
    assert whole.ended is not None
    assert hours_of(int((whole.ended - whole.started).total_seconds())) == Decimal("163.5")
    assert [t.party for t in found] == ["平台审核", "合作银行", "平台运营", "平台运营", "全流程"]


def test_an_open_stage_counts_to_today_and_a_refusal_ends_the_way_to_money_out() -> None:
    waiting = [(at("2026-11-06 16:00"), None, "submitted"), (at("2026-11-09 10:00"), "submitted", "accepted")]
    found = stages_of(waiting, date(2026, 11, 12), LIMITS, is_working_day)
    assert [(t.stage, t.ended, t.working_days, t.over) for t in found] == [
        (Stage.ACCEPTANCE, at("2026-11-09 10:00"), 1, False),
        (Stage.COMMITMENT, None, 3, True),  # the bank has waited three working days of its two
        (Stage.WHOLE, None, 4, False),
    ]
    refused = [*waiting, (at("2026-11-10 10:00"), "accepted", "bank_declined")]
    assert [t.stage for t in stages_of(refused, date(2026, 11, 12), LIMITS, is_working_day)] == [
        Stage.ACCEPTANCE,
        Stage.COMMITMENT,
    ]
    large = [
        (at("2026-11-02 09:00"), None, "submitted"),
        (at("2026-11-02 11:00"), "submitted", "accepted"),
        (at("2026-11-03 09:00"), "accepted", "bank_committed"),
        (at("2026-11-03 10:00"), "bank_committed", "group_review"),
        (at("2026-11-09 10:00"), "group_review", "approved"),  # the group: 4 working days of its 3
    ]
    group = [t for t in stages_of(large, date(2026, 11, 9), LIMITS, is_working_day) if t.stage is Stage.GROUP]
    assert [(t.working_days, t.due, t.over) for t in group] == [(4, date(2026, 11, 6), True)]


@pytest.mark.parametrize(
    ("values", "median", "p90"),
    [
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5, 9),
        ([3], 3, 3),
        ([1, 2], 1, 2),
        ([0, 0, 0, 1, 1, 2, 2, 2, 4, 7, 9], 2, 7),  # eleven: the 6th and the 10th
    ],
)
def test_the_median_and_90th_percentile_are_nearest_ranks(values: list[int], median: int, p90: int) -> None:
    assert nearest_rank(Counter(values), 50) == median
    assert nearest_rank(Counter(values), 90) == p90


def test_a_spread_names_the_fastest_in_hours_and_counts_those_over() -> None:
    start = at("2026-11-09 09:00")
    done = [
        timed(Stage.WHOLE, start, start + timedelta(hours=hours), date(2026, 11, 30), LIMITS, is_working_day)
        for hours in (3, 30, 200, 26)
    ]
    assert [t.working_days for t in done] == [0, 1, 6, 1]  # 6: Tuesday the 17th
    # as the report sums its kept rows: how many took each number of working days, and the shortest in seconds
    histogram = {0: (1, 3 * 3600), 1: (2, 26 * 3600), 6: (1, 200 * 3600)}
    result = spread_of(Stage.WHOLE, 5, histogram)
    assert (result.count, result.median, result.p90, result.fastest_days, result.fastest_hours, result.over) == (
        4,
        1,
        6,
        0,
        Decimal("3.0"),
        1,
    )
    assert spread_of(Stage.GROUP, 3, {}).count == 0


@pytest.mark.parametrize(
    ("today", "limit", "cutoff"),
    [
        (date(2026, 11, 18), 2, date(2026, 11, 15)),  # begun Sunday the 15th or before: 3 working days by Wednesday
        (date(2026, 11, 16), 1, date(2026, 11, 12)),  # Monday: begun on Friday took 1 (due today), on Thursday 2
        (date(2026, 10, 8), 0, date(2026, 10, 7)),  # the first day after 国庆节: begun the day before is 1 working day
        (date(2026, 10, 9), 1, date(2026, 10, 7)),  # begun in the holiday: the 8th and the 9th
    ],
)
def test_a_stage_open_is_late_once_it_began_on_or_before_the_cutoff(today: date, limit: int, cutoff: date) -> None:
    assert late_cutoff(today, limit, is_working_day) == cutoff
    assert working_days_between(cutoff, today, is_working_day) > limit
    assert working_days_between(cutoff + timedelta(days=1), today, is_working_day) <= limit

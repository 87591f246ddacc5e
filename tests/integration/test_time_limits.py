"""办理时限 on both databases (issue 30): the fund's promised working days as its administrator sets them (every bad
value named at once, nothing saved), each application's stages with their due-by days, the month's spread by stage
and party with the stages over their limit — in the report filed and read back —, and the stages open past their
limit on the early-warning page."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from loanfund.domain.errors import InvalidInput
from loanfund.domain.lifecycle import State
from loanfund.domain.time_limits import Stage, TimeLimits
from loanfund.domain.warning import Risk
from loanfund.extensions import db
from loanfund.models import Fund, StageTime, User
from loanfund.services.books.reconcile import reconcile
from loanfund.services.oversight import risk, settings, time_limits
from loanfund.services.reports import reporting
from tests.factories import city_fund_id

pytestmark = pytest.mark.both_databases


def user(name: str) -> User:
    return db.session.scalars(select(User).where(User.username == name)).one()


def walk(flows, traveller, steps: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    """Submit at the first moment, then take each step at its moment (the fund's time)."""
    traveller.move_to(steps[0][1] + "+08:00")
    application = flows.submit()
    for step, moment in steps[1:]:
        traveller.move_to(moment + "+08:00")
        flows.step(application, step)
    return application


def month_of_bridges(flows, traveller):  # type: ignore[no-untyped-def]
    quick = walk(
        flows,
        traveller,
        [
            ("submit", "2026-11-06 16:00"),  # a Friday afternoon
            ("accept", "2026-11-09 10:00"),  # the reviewer: 1 working day
            ("commit", "2026-11-12 09:00"),  # the bank: 3 working days, over its 2
            ("approve", "2026-11-12 15:00"),  # the operator: the same day
            ("prepare", "2026-11-13 09:00"),
            ("authorise", "2026-11-13 11:30"),  # money out: 5 working days after submission
        ],
    )
    waiting = walk(flows, traveller, [("submit", "2026-11-13 09:00"), ("accept", "2026-11-13 14:00")])
    return quick, waiting


def test_the_administrator_sets_the_limits_and_a_bad_one_is_named(people):
    fund_id = city_fund_id()
    assert time_limits.limits(fund_id) == TimeLimits(1, 2, 1, 3, 1, 5)
    with pytest.raises(InvalidInput) as refused:
        settings.save_thresholds(
            user("admin"), fund_id, "3", "30", "80", None, {"limit_commitment": "两天", "limit_whole": "31"}
        )
    assert refused.value.errors == {
        "limit_commitment": ["请填写 0 至 30 之间的整数工作日"],
        "limit_whole": ["请填写 0 至 30 之间的整数工作日"],
    }
    db.session.rollback()
    assert time_limits.limits(fund_id) == TimeLimits()
    settings.save_thresholds(
        user("admin"), fund_id, "3", "30", "80", None, {"limit_commitment": "3", "limit_whole": None}
    )
    assert time_limits.limits(fund_id) == TimeLimits(1, 3, 1, 3, 1, 5)


def test_each_application_shows_its_stages_due_by_days(flows, traveller):
    quick, waiting = month_of_bridges(flows, traveller)
    traveller.move_to("2026-11-18 09:00+08:00")
    shown = [(t.stage, t.working_days, t.due, t.ended is None, t.over) for t in time_limits.of_application(quick)]
    assert shown == [
        (Stage.ACCEPTANCE, 1, date(2026, 11, 9), False, False),
        (Stage.COMMITMENT, 3, date(2026, 11, 11), False, True),
        (Stage.APPROVAL, 0, date(2026, 11, 13), False, False),
        (Stage.DISBURSEMENT, 1, date(2026, 11, 13), False, False),
        (Stage.WHOLE, 5, date(2026, 11, 13), False, False),
    ]
    open_now, whole = time_limits.current(time_limits.of_application(waiting))
    assert open_now is not None and whole is not None
    # accepted on Friday the 13th: the bank's two working days end Tuesday the 17th; today, the 18th, it is late
    assert (open_now.stage, open_now.due, open_now.working_days, open_now.over) == (
        Stage.COMMITMENT,
        date(2026, 11, 17),
        3,
        True,
    )
    assert (whole.due, whole.over) == (date(2026, 11, 20), False)


def test_the_month_reports_each_stage_by_party_and_the_stages_over(flows, traveller):
    month_of_bridges(flows, traveller)
    traveller.move_to("2026-12-02 09:00+08:00")
    fund = db.session.get_one(Fund, city_fund_id())
    report = reporting.report(fund, date(2026, 11, 1), date(2026, 11, 30))
    assert report.timeliness is not None
    rows = [
        (s.stage, s.party, s.limit, s.count, s.median, s.p90, s.fastest_days, s.over) for s in report.timeliness.spreads
    ]
    assert rows == [
        (Stage.WHOLE, "全流程", 5, 1, 5, 5, 5, 0),
        (Stage.ACCEPTANCE, "平台审核", 1, 2, 0, 1, 0, 0),  # 1 working day, and the same day
        (Stage.COMMITMENT, "合作银行", 2, 1, 3, 3, 3, 1),
        (Stage.APPROVAL, "平台运营", 1, 1, 0, 0, 0, 0),
        (Stage.GROUP, "领导小组办公室", 3, 0, None, None, None, 0),
        (Stage.DISBURSEMENT, "平台运营", 1, 1, 1, 1, 1, 0),
    ]
    assert report.timeliness.spreads[0].fastest_hours == Decimal("163.5")
    [late] = report.timeliness.late
    t = late.timed
    assert (t.stage, t.party, t.working_days, t.limit, t.due) == (
        Stage.COMMITMENT,
        "合作银行",
        3,
        2,
        date(2026, 11, 11),
    )
    assert late.enterprise and late.reference.startswith("ZD")
    filed = reporting.Report.from_json(report.to_json())  # as a revision is kept and read back
    assert filed.timeliness == report.timeliness


def test_stages_open_past_their_limit_are_early_warnings(flows, traveller):
    _, waiting = month_of_bridges(flows, traveller)
    traveller.move_to("2026-11-17 18:00+08:00")  # the bank's due-by day: not yet late
    assert risk.report(city_fund_id()).count(Risk.STAGE_LATE) == 0
    traveller.move_to("2026-11-18 09:00+08:00")
    found = risk.report(city_fund_id())
    assert found.count(Risk.STAGE_LATE) == 1
    [line] = [w for w in found.warnings if w.risk is Risk.STAGE_LATE]
    assert line.application_id == waiting.id
    assert line.why == "银行续贷承诺（合作银行）已 3 个工作日，时限 2 个工作日，应于 11月17日前办结"
    assert State(waiting.state) is State.ACCEPTED


def test_the_kept_stage_times_are_the_events_and_a_row_that_differs_is_named(flows, traveller):
    month_of_bridges(flows, traveller)
    withdrawn, refused = flows.submit(), flows.submit()
    flows.step(withdrawn, "withdraw")  # never to money out: its way there is not kept
    flows.step(refused, "reject")
    assert time_limits.differences(city_fund_id()) == []
    for gone in (withdrawn, refused):
        kept = db.session.scalars(select(StageTime.stage).where(StageTime.application_id == gone.id)).all()
        assert kept == ["acceptance"]
    row = db.session.scalars(select(StageTime).where(StageTime.stage == "commitment")).first()
    other = db.session.scalars(select(StageTime).where(StageTime.stage == "acceptance")).first()
    assert row is not None and other is not None and row.ended_at is not None
    row.ended_at = row.ended_at + timedelta(hours=1)  # another moment
    other.working_days = (other.working_days or 0) + 1  # another count of days, the moments as they were
    db.session.commit()
    [check] = [c for c in reconcile(city_fund_id()).checks if c.name.startswith("办理时限记录")]
    assert check.actual == 2
    assert sorted(check.detail.split("、")) == sorted(
        [
            f"{row.application_id} commitment {row.started_at.isoformat()}",
            f"{other.application_id} acceptance {other.started_at.isoformat()}",
        ]
    )


@pytest.mark.migrated  # the migrations' own schema and backfill, on a database file
def test_the_migration_keeps_the_stage_times_the_events_say(app, flows, traveller):
    from flask_migrate import downgrade, upgrade

    month_of_bridges(flows, traveller)
    before = sorted(time_limits.expected_rows(city_fund_id()))
    db.session.remove()
    downgrade(revision="0064_second_factor")
    upgrade()
    assert time_limits.differences(city_fund_id()) == []
    assert len(before) == 6 + 2  # the first: five stages and the whole; the second: acceptance, and the bank's wait


def test_the_benchs_generator_keeps_the_stage_times_of_what_it_writes(people):
    from bench.generate import generate

    generate(60, end=date(2026, 11, 30), days=60)
    assert time_limits.differences(city_fund_id()) == []
    assert db.session.scalar(select(func.count()).select_from(StageTime)) > 60

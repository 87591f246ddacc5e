"""The daily sweep (第二十、二十一条): overdue, late and short renewals, return shortfalls and the day's reminders,
each recorded and sent once — run twice, or twice at once.

The bridge in these tests: ent1's 30,000,000.00 with ICBC, out on 1 Nov 2026 (the traveller's day), due 11 Nov (R4),
renewal due by 3 Nov (R9: 2 days). Fee (R3) for 10 days: 30,000,000 × (2 × 0.40‰ + 8 × 0.45‰) = 132,000.00; for
11 days: 30,000,000 × (2 × 0.40‰ + 9 × 0.45‰) = 145,500.00.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from loanfund import clock
from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import ApplicationEvent, Message, User, WatchMark
from loanfund.services import lifecycle
from loanfund.services.oversight.sweep import sweep

pytestmark = pytest.mark.both_databases
M = Money.parse


def on(traveller, day: str) -> None:  # type: ignore[no-untyped-def]
    traveller.move_to(f"2026-11-{day} 08:00:00+08:00")


def findings(application_id: int) -> list[tuple[str, str]]:
    db.session.expire_all()
    events = db.session.scalars(
        select(ApplicationEvent)
        .where(ApplicationEvent.application_id == application_id, ApplicationEvent.actor_role == "system")
        .order_by(ApplicationEvent.id)
    )
    return [(e.action, e.note) for e in events]


def inbox(kind: str) -> list[str]:
    """Who got a message of this kind, by username, in order."""
    rows = db.session.execute(
        select(User.username).join(Message, Message.user_id == User.id).where(Message.kind == kind).order_by(User.id)
    )
    return [name for (name,) in rows]


def test_out_on_1_nov_is_due_11_nov_and_overdue_on_12_nov_with_11_days_of_fee(flows, traveller):
    application = flows.to(State.RENEWED)
    on(traveller, "10")
    sweep()
    assert inbox("due-tomorrow") == ["operator", "operator2", "bank1", "ent1"]
    on(traveller, "11")
    sweep()
    assert findings(application.id) == []  # the due date itself is not overdue
    assert inbox("due-today") == ["operator", "operator2", "bank1", "ent1"]
    on(traveller, "12")
    report = sweep()
    assert [(ref, f.finding.value) for ref, f in report.recorded] == [(application.reference, "overdue")]
    assert findings(application.id) == [
        (
            "overdue",
            "用款到期日为 2026-11-11，截至 2026-11-12 已用款 11 天，尚未收回本金 30,000,000.00 元，"
            "应收用款费用 145,500.00 元",
        )
    ]
    event = db.session.scalars(select(ApplicationEvent).where(ApplicationEvent.action == "overdue")).one()
    assert (event.payload["days"], event.payload["fee_due"]) == (11, "145500.00")
    assert inbox("overdue") == ["operator", "operator2", "bank1", "ent1"]
    body = db.session.scalars(select(Message.body).where(Message.kind == "overdue")).first()
    assert body == (
        f"连云港海润机械制造有限公司的应急转贷 {application.reference}（中国工商银行连云港分行）："
        "用款到期日为 2026-11-11，截至 2026-11-12 已用款 11 天，"
        "尚未收回本金 30,000,000.00 元，应收用款费用 145,500.00 元。"
    )


def test_the_sweep_twice_a_day_or_after_a_missed_day_records_and_sends_once(flows, traveller):
    application = flows.to(State.RENEWED)
    on(traveller, "12")
    sweep()
    sweep()
    on(traveller, "14")  # 13 Nov missed; the overdue is not news any more
    sweep()
    assert [action for action, _ in findings(application.id)] == ["overdue"]
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.kind == "overdue")) == 4


def test_a_bank_not_renewing_is_reminded_on_its_last_day_and_recorded_late_the_day_after(flows, traveller):
    application = flows.to(State.DISBURSED)
    on(traveller, "02")
    assert sweep().recorded == []
    on(traveller, "03")
    sweep()
    assert inbox("renewal-due") == ["bank1"]
    assert findings(application.id) == []
    on(traveller, "04")
    sweep()
    assert findings(application.id) == [
        (
            "renewal-late",
            "转贷资金于 2026-11-01 放出，银行应于 2026-11-03 前续贷放款，截至 2026-11-04 已逾期 1 天未确认续贷",
        )
    ]
    assert inbox("renewal-late") == ["operator", "operator2", "bank1"]
    on(traveller, "05")
    sweep()  # still late: recorded once, while it lasts
    assert [action for action, _ in findings(application.id)] == ["renewal-late"]


def test_a_renewal_for_less_than_committed_is_recorded(flows, traveller):
    application = flows.to(State.DISBURSED)  # ICBC committed 40,000,000.00
    lifecycle.confirm_renewal(flows.user("bank1"), application.id, "新借字001", M("35,000,000.00"), clock.today())
    sweep()
    assert findings(application.id) == [
        ("renewal-short", "银行承诺续贷 40,000,000.00 元，实际续贷 35,000,000.00 元，少 5,000,000.00 元")
    ]
    assert inbox("renewal-short") == ["operator", "operator2"]


def test_a_return_left_short_is_recorded_and_a_new_shortfall_again(flows, traveller):
    """Back on 4 Nov after 3 days: fee 30,000,000 × (2 × 0.40‰ + 0.45‰) = 37,500.00."""
    application = flows.to(State.RENEWED)
    on(traveller, "04")
    bank = flows.user("bank1")
    lifecycle.confirm_return(bank, application.id, clock.today(), M("30,000,000.00"), M("37,000.00"), "HS-1")
    sweep()
    lifecycle.confirm_return(bank, application.id, clock.today(), M("0.00"), M("400.00"), "HS-2")
    sweep()
    sweep()
    assert findings(application.id) == [
        ("return-shortfall", "已收回本金 30,000,000.00 元、费用 37,000.00 元，尚差本金 0.00 元、费用 500.00 元"),
        ("return-shortfall", "已收回本金 30,000,000.00 元、费用 37,400.00 元，尚差本金 0.00 元、费用 100.00 元"),
    ]


def test_a_bridge_back_in_full_or_not_yet_out_is_not_watched(flows, traveller):
    flows.to(State.APPROVED)
    repaid = flows.to(State.REPAID)
    on(traveller, "20")
    assert sweep().recorded == []
    assert findings(repaid.id) == []


@pytest.mark.migrated
def test_two_sweeps_at_the_same_moment_record_and_send_once(app, flows, traveller):
    application = flows.to(State.RENEWED)
    on(traveller, "12")
    db.session.remove()
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        with app.app_context():
            try:
                start.wait(timeout=10)
                sweep()
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert [action for action, _ in findings(application.id)] == ["overdue"]
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.kind == "overdue")) == 4
    assert db.session.scalar(select(func.count()).select_from(WatchMark)) == 1

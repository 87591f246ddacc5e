"""Money steps against their concurrent twins, with real clients hitting a real server at the same instant, on SQLite
and PostgreSQL (issue 8). Every round must end as one of the orders in which the two could have run one after the
other, never answer 500, and leave books that reconcile.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import func, select

from loanfund import clock
from loanfund.domain.ledger import receivable
from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, ApplicationEvent, JournalEntry, LoginRecord, LoginThrottle, Receipt
from loanfund.services import lifecycle
from loanfund.services.books import fund, ledger
from loanfund.services.books.reconcile import reconcile
from loanfund.services.record import audit
from tests.conftest import DEMO_PASSWORD, form_tokens
from tests.factories import city_fund_id
from tests.flows import Flows
from tests.live import Answer, at_once, live_server

pytestmark = [
    pytest.mark.both_databases,
    pytest.mark.migrated,
]  # SQLite as a file, so that every request has a connection of its own

M = Money.parse
ROUNDS = 20
BRIDGE = {"amount": "1,000,000.00", "loan_due": "1,000,000.00", "own_funds": "0.00"}


def bridges(flows: Flows, state: State, count: int) -> list[int]:
    """``count`` bridges of 1,000,000.00 for ent1 at ICBC (bank1), each driven to ``state``."""
    return [flows.to(state, **BRIDGE).id for _ in range(count)]


def fresh() -> None:
    """Let go of the test's own transaction: on SQLite it would hold the write lock the server needs."""
    db.session.remove()


def application(application_id: int) -> Application:
    return db.session.get(Application, application_id)  # type: ignore[return-value]


def receipts_of(application_id: int) -> list[Receipt]:
    return list(db.session.scalars(select(Receipt).where(Receipt.application_id == application_id)))


def no_server_errors(answers: list[Answer]) -> None:
    assert all(a.status < 500 for a in answers), [a for a in answers if a.status >= 500]


def test_write_off_racing_a_partial_return_ends_as_one_or_the_other_order(app, people, traveller):
    flows = Flows(traveller)
    ids = bridges(flows, State.DISBURSED, ROUNDS)
    traveller.shift(timedelta(days=11))  # every bridge is overdue (R4)
    operator = flows.user("operator")
    for a in ids:
        lifecycle.open_recovery(operator, a, "约谈企业，督促银行续贷")
    today = clock.today().isoformat()
    fresh()
    seen = {"write-off first": 0, "return first": 0}
    with live_server(app) as server:
        group, bank = server.token("group", DEMO_PASSWORD), server.token("bank1", DEMO_PASSWORD)
        for n, a in enumerate(ids):
            write_off, partial_return = at_once(
                [
                    lambda a=a: server.act(group, a, "write-off", {"minutes_ref": "纪要〔2026〕9号"}),
                    lambda a=a, n=n: server.act(
                        bank,
                        a,
                        "confirm-return",
                        {"received_on": today, "principal": "50000.00", "fee": "0.00", "transfer_ref": f"HS-{n}"},
                    ),
                ]
            )
            no_server_errors([write_off, partial_return])
            assert write_off.status == 200, write_off
            assert application(a).state == State.WRITTEN_OFF.value
            written_off = db.session.scalar(select(JournalEntry).where(JournalEntry.key == f"write_off:{a}"))
            assert written_off is not None
            if partial_return.status == 409:  # the write-off went first: nothing may come back after it
                assert partial_return.body["code"] == "state_not_allowed"
                assert receipts_of(a) == []
                assert ledger.balance(city_fund_id(), receivable(a)) == Money.zero()
                assert sum(leg.debit.fen for leg in written_off.legs) == M("1,000,000.00").fen
                seen["write-off first"] += 1
            else:  # the return went first, then the write-off of what was still out
                assert partial_return.status == 200, partial_return
                [receipt] = receipts_of(a)
                assert (receipt.principal, receipt.fee) == (M("50,000.00"), Money.zero())
                assert sum(leg.debit.fen for leg in written_off.legs) == M("950,000.00").fen
                actions = db.session.scalars(
                    select(ApplicationEvent.action)
                    .where(ApplicationEvent.application_id == a)
                    .order_by(ApplicationEvent.id)
                ).all()
                assert actions[-2:] == ["confirm-return", "write-off"]
                seen["return first"] += 1
            assert ledger.balance(city_fund_id(), receivable(a)) == Money.zero()
            fresh()
    print(f"write-off vs partial return, {ROUNDS} rounds: {seen}")
    assert sum(seen.values()) == ROUNDS
    assert reconcile(city_fund_id()).ok
    assert audit.verify().ok  # the chain did not fork under concurrent writers


def test_ten_partial_returns_with_one_transfer_reference_book_it_once(app, people, traveller):
    flows = Flows(traveller)
    ids = bridges(flows, State.RENEWED, ROUNDS)
    today = clock.today().isoformat()
    fresh()
    with live_server(app) as server:
        bank = server.token("bank1", DEMO_PASSWORD)
        for n, a in enumerate(ids):
            body = {"received_on": today, "principal": "100000.00", "fee": "0.00", "transfer_ref": f"HS-{n:03d}"}
            answers = at_once([lambda a=a, body=body: server.act(bank, a, "confirm-return", body) for _ in range(10)])
            no_server_errors(answers)
            assert sorted(a.status for a in answers) == [200] + [409] * 9
            refused = [answer.body for answer in answers if answer.status == 409]
            assert {body["code"] for body in refused} == {"transfer_ref_booked"}
            assert all(body["errors"]["transfer_ref"][0].startswith(f"划款凭证号 HS-{n:03d} 已于") for body in refused)
            [receipt] = receipts_of(a)
            assert (receipt.principal, receipt.transfer_ref) == (M("100,000.00"), f"HS-{n:03d}")
            assert ledger.balance(city_fund_id(), receivable(a)) == M("900,000.00")
            assert application(a).state == State.RENEWED.value
            fresh()
    assert reconcile(city_fund_id()).ok
    assert audit.verify().ok  # the chain did not fork under concurrent writers


def test_ten_authorisations_of_one_preparation_pay_out_once(app, people, traveller):
    flows = Flows(traveller)
    checker = flows.user("operator2")
    fresh()
    for _ in range(3):
        a = flows.to(State.APPROVED, **BRIDGE).id
        lifecycle.prepare_disbursement(flows.user("operator"), a, clock.today(), "HK-9")
        cash = fund.position(city_fund_id()).cash
        fresh()
        with live_server(app) as server:
            token = server.token(checker.username, DEMO_PASSWORD)
            answers = at_once(
                [lambda a=a, token=token: server.act(token, a, "authorise-disbursement", {}) for _ in range(10)]
            )
        no_server_errors(answers)
        assert sorted(answer.status for answer in answers) == [200] + [409] * 9
        assert {answer.body.get("code") for answer in answers if answer.status == 409} == {"state_not_allowed"}
        assert application(a).state == State.DISBURSED.value
        assert fund.position(city_fund_id()).cash == cash - M("1,000,000.00")
        assert (
            db.session.scalar(
                select(func.count()).select_from(JournalEntry).where(JournalEntry.key == f"disbursement:{a}")
            )
            == 1
        )
        fresh()
    assert reconcile(city_fund_id()).ok
    assert audit.verify().ok  # the chain did not fork under concurrent writers


def test_authorise_withdraw_and_cancel_at_once_leave_one_of_them(app, people, traveller):
    flows = Flows(traveller)
    outcomes: set[str] = set()
    for n in range(5):
        a = flows.to(State.APPROVED, **BRIDGE).id
        lifecycle.prepare_disbursement(flows.user("operator"), a, clock.today(), f"HK-{n}")
        fresh()
        with live_server(app) as server:
            checker = server.token("operator2", DEMO_PASSWORD)
            operator = server.token("operator", DEMO_PASSWORD)
            owner = server.token("ent1", DEMO_PASSWORD)
            answers = at_once(
                [
                    lambda a=a, t=checker: server.act(t, a, "authorise-disbursement", {}),
                    lambda a=a, t=operator: server.act(t, a, "cancel", {"reason": "企业已自行筹款"}),
                    lambda a=a, t=owner: server.act(t, a, "withdraw", {"reason": "不再需要"}),
                ]
            )
        no_server_errors(answers)
        assert sorted(answer.status for answer in answers) == [200, 409, 409]
        winner = ["authorise", "cancel", "withdraw"][[answer.status for answer in answers].index(200)]
        outcomes.add(winner)
        state = application(a).state
        assert state == {"authorise": "disbursed", "cancel": "cancelled", "withdraw": "withdrawn"}[winner]
        assert fund.position(city_fund_id()).reserved == Money.zero()
        assert reconcile(city_fund_id()).ok
        assert audit.verify().ok  # the chain did not fork under concurrent writers
        fresh()
    print(f"authorise vs cancel vs withdraw: winners {sorted(outcomes)}")


@pytest.mark.app_config(DATABASE_LOCK_TIMEOUT_MS=300)
def test_a_step_that_cannot_get_its_lock_in_time_answers_409_and_changes_nothing(app, people, traveller, backend):
    flows = Flows(traveller)
    a = flows.to(State.RENEWED, **BRIDGE).id
    today = clock.today().isoformat()
    fresh()
    with live_server(app) as server:
        bank = server.token("bank1", DEMO_PASSWORD)
        with _locked(app, backend, a):
            answer = server.act(
                bank,
                a,
                "confirm-return",
                {"received_on": today, "principal": "1000000.00", "fee": "0.00", "transfer_ref": "HS-1"},
            )
        assert answer.status == 409, answer
        assert answer.body["code"] == "contention"
        assert answer.body["detail"] == "该记录正被他人同时处理，本次操作未生效。请刷新页面查看最新状态后重试。"
        assert receipts_of(a) == []
        assert application(a).state == State.RENEWED.value
        fresh()
        retried = server.act(
            bank,
            a,
            "confirm-return",
            {"received_on": today, "principal": "1000000.00", "fee": "400.00", "transfer_ref": "HS-1"},
        )
        assert retried.status == 200, retried
    assert application(a).state == State.REPAID.value
    assert reconcile(city_fund_id()).ok
    assert audit.verify().ok  # the chain did not fork under concurrent writers


@pytest.mark.app_config(DATABASE_LOCK_TIMEOUT_MS=300)
def test_a_page_whose_step_cannot_get_its_lock_asks_to_reload(app, client, auth, people, traveller, backend):
    flows = Flows(traveller)
    a = flows.to(State.RENEWED, **BRIDGE).id
    auth.login("bank1")
    page = client.get(f"/applications/{a}").get_data(as_text=True)
    url = f"/applications/{a}/confirm-return"
    data = {
        "received_on": clock.today().isoformat(),
        "principal": "1,000,000.00",
        "fee": "400.00",
        "transfer_ref": "HS-1",
        "confirmed": "1",
    }
    data |= form_tokens(page, url)
    fresh()
    with _locked(app, backend, a):
        response = client.post(url, data=data, headers={"Referer": f"http://localhost/applications/{a}"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "该记录正被他人同时处理，本次操作未生效。请刷新页面查看最新状态后重试。" in html
    assert f'href="/applications/{a}"' in html
    fresh()
    assert receipts_of(a) == []
    assert client.post(url, data=data).status_code == 302  # the same form, once the lock is gone: booked once
    assert len(receipts_of(a)) == 1


class _locked:
    """Hold what a step on ``application_id`` needs, from a connection of another program: the row lock on
    PostgreSQL, the write lock on SQLite."""

    def __init__(self, app, backend: str, application_id: int) -> None:  # type: ignore[no-untyped-def]
        self.url = app.config["SQLALCHEMY_DATABASE_URI"]
        self.backend = backend
        self.application_id = application_id

    def __enter__(self) -> None:
        if self.backend == "postgresql":
            self.connection = psycopg.connect(self.url.replace("postgresql+psycopg://", "postgresql://"))
            self.connection.execute("SELECT id FROM applications WHERE id = %s FOR UPDATE", (self.application_id,))
        else:
            self.connection = sqlite3.connect(self.url.removeprefix("sqlite:///"), isolation_level=None)
            self.connection.execute("BEGIN IMMEDIATE")

    def __exit__(self, *exc: object) -> None:
        self.connection.rollback()
        self.connection.close()


def test_concurrent_logins_are_answered_and_no_more_guesses_are_checked_than_the_limit(app, people):
    """Twelve wrong guesses at one account at once: each is counted before its password is checked, so exactly five
    are checked and seven held (before: 40 parallel guesses got 20 checked against a limit of 5). Twelve right
    logins of six other accounts beside them all succeed (a right password takes its try off the address's count)."""
    fresh()
    with live_server(app) as server:

        def guess(username: str, password: str):  # type: ignore[no-untyped-def]
            import base64

            basic = base64.b64encode(f"{username}:{password}".encode()).decode()
            return lambda: server.request("POST", "/api/v1/tokens", headers={"Authorization": f"Basic {basic}"})

        answers = at_once(
            [guess(name, DEMO_PASSWORD) for name in ("operator", "operator2", "admin", "bank1", "ent1", "group") * 2]
            + [guess("reviewer", "wrong-pass") for _ in range(12)]
        )
    no_server_errors(answers)
    assert [a.status for a in answers] == [201] * 12 + [401] * 12
    outcomes = db.session.scalars(
        select(LoginRecord.outcome).where(LoginRecord.username == "reviewer").order_by(LoginRecord.outcome)
    ).all()
    assert outcomes == ["throttled"] * 7 + ["wrong"] * 5
    held = db.session.scalar(
        select(LoginThrottle).where(LoginThrottle.scope == "account", LoginThrottle.user_id.is_not(None))
    )
    assert held is not None and held.attempts == 12 and held.locked_until is not None


def test_the_first_two_write_offs_at_once_both_book(app, people, traveller):
    """Both open the losses account, which does not exist yet; a write-off moves no cash, so nothing else orders
    them (every cash movement first updates the one position row, which queues the others)."""
    flows = Flows(traveller)
    first, second = bridges(flows, State.DISBURSED, 2)
    traveller.shift(timedelta(days=11))
    for a in (first, second):
        lifecycle.open_recovery(flows.user("operator"), a, "约谈企业")
    fresh()
    with live_server(app) as server:
        group = server.token("group", DEMO_PASSWORD)
        body = {"minutes_ref": "纪要〔2026〕9号"}
        answers = at_once([lambda a=a: server.act(group, a, "write-off", body) for a in (first, second)])
    assert [answer.status for answer in answers] == [200, 200], answers
    assert ledger.balance(city_fund_id(), "losses_written_off") == M("2,000,000.00")
    assert reconcile(city_fund_id()).ok
    assert audit.verify().ok  # the chain did not fork under concurrent writers


def test_a_disbursement_and_a_return_of_other_bridges_at_once_both_book(app, people, traveller):
    """The two take the same two shared rows — the audit record's head and the fund's position. A disbursement used to
    take the position first and the head at its next flush, a return (its receipt added first) the head first: on
    PostgreSQL the pair deadlocked now and then and one of them was refused (40P01, answered 409)."""
    flows = Flows(traveller)
    out = bridges(flows, State.APPROVED, 6)  # before the fix, PostgreSQL deadlocked in the first pair or two
    back = bridges(flows, State.RENEWED, 6)
    for a in out:
        lifecycle.prepare_disbursement(flows.user("operator"), a, clock.today(), f"HK-{a}")
    cash = fund.position(city_fund_id()).cash
    today = clock.today().isoformat()
    fresh()
    with live_server(app) as server:
        checker, bank = server.token("operator2", DEMO_PASSWORD), server.token("bank1", DEMO_PASSWORD)
        for n, (a, b) in enumerate(zip(out, back, strict=True)):
            answers = at_once(
                [
                    lambda a=a: server.act(checker, a, "authorise-disbursement", {}),
                    lambda b=b, n=n: server.act(
                        bank,
                        b,
                        "confirm-return",
                        {"received_on": today, "principal": "50000.00", "fee": "0.00", "transfer_ref": f"HS-{n}"},
                    ),
                ]
            )
            assert [answer.status for answer in answers] == [200, 200], answers
    # 6 × 1,000,000.00 out, 6 × 50,000.00 back
    assert fund.position(city_fund_id()).cash == cash - M("6,000,000.00") + M("300,000.00")
    assert reconcile(city_fund_id()).ok
    assert audit.verify().ok

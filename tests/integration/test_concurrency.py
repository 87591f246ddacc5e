"""R8 under concurrency: approvals racing for the same money never over-commit the fund.

Each thread is a separate operator session with its own connection, on a real file (SQLite) or server
(PostgreSQL) database — never in-memory SQLite, whose shared connection would mix the sessions' transactions.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from loanfund.domain.errors import RuleViolation
from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, User
from loanfund.services import lifecycle
from loanfund.services.books import fund
from loanfund.services.books.reconcile import reconcile
from tests.factories import city_fund_id

pytestmark = [pytest.mark.both_databases, pytest.mark.migrated]

M = Money.parse
THREADS = 20


def test_twenty_operators_approving_at_once_never_exceed_the_fund(app, flows):
    amount = M("15,000,000.00")  # 20 × 1500万 = 3亿 > the fund's 2亿
    ids = []
    for n in range(THREADS):
        application = flows.submit(
            enterprise=f"ent{n % 3 + 1}", amount=amount.format(), loan_due=amount.format(), own_funds="0.00"
        )
        flows.step(application, "accept")
        flows.step(application, "commit")
        ids.append(application.id)
    available = fund.position(city_fund_id()).available
    db.session.remove()

    barrier = threading.Barrier(THREADS)
    approved: list[int] = []
    refused: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def approve(application_id: int) -> None:
        with app.app_context():
            try:
                operator = db.session.scalar(select(User).where(User.username == "operator"))
                db.session.rollback()  # hold no lock or connection while waiting for the others
                barrier.wait(timeout=30)
                lifecycle.approve(operator, application_id, amount, Money.zero())
                with lock:
                    approved.append(application_id)
            except RuleViolation as exc:
                db.session.rollback()
                with lock:
                    refused.append(exc.violations[0].message)
            except BaseException as exc:
                with lock:
                    errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=approve, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert len(approved) + len(refused) == THREADS
    assert Money(amount.fen * len(approved)) <= available
    assert len(approved) == available.fen // amount.fen  # 13: every yuan that could be promised was, and no more
    assert all("超过专用账户可用余额" in message for message in refused)
    assert fund.position(city_fund_id()).reserved == Money(amount.fen * len(approved))
    states = {a.state for a in db.session.scalars(select(Application).where(Application.id.in_(ids)))}
    assert states == {State.APPROVED.value, State.BANK_COMMITTED.value}
    assert reconcile(city_fund_id()).ok


def test_two_operators_approving_the_same_application_approve_it_once(app, flows):
    application = flows.to(State.BANK_COMMITTED)
    db.session.remove()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def approve(username: str) -> None:
        with app.app_context():
            try:
                user = db.session.scalar(select(User).where(User.username == username))
                db.session.rollback()
                barrier.wait(timeout=30)
                lifecycle.approve(user, application.id, M("30,000,000.00"), M("10,000,000.00"))
                result = "approved"
            except Exception as exc:
                db.session.rollback()
                result = type(exc).__name__
            finally:
                db.session.remove()
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=approve, args=(u,)) for u in ("operator", "operator2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    # The loser either finds the application already approved (409) or loses the optimistic lock (409).
    assert sorted(outcomes) in (["NotAllowed", "approved"], ["StaleDataError", "approved"])
    assert fund.position(city_fund_id()).reserved == M("30,000,000.00")


@pytest.mark.postgres_only
def test_a_step_holding_its_application_does_not_block_rows_that_only_refer_to_it(app, flows, people):
    """A row that refers to the application (the sweep's event, a notice, a material) checks its foreign key with
    KEY SHARE. A step's lock must allow that: the sweep holds the audit head while it writes events, and a step
    holding its application with FOR UPDATE and waiting for the head deadlocked with it."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from loanfund.services import access

    application_id = flows.submit().id
    db.session.commit()
    access.application_for(people["reviewer"], application_id, for_update=True)  # as a step does, until it commits
    with db.engine.connect() as other:
        shared = other.execute(
            text("SELECT id FROM applications WHERE id = :id FOR KEY SHARE NOWAIT"), {"id": application_id}
        ).scalar_one()
        assert shared == application_id
        with pytest.raises(OperationalError, match="could not obtain lock"):  # a second step still waits for the first
            other.execute(
                text("SELECT id FROM applications WHERE id = :id FOR NO KEY UPDATE NOWAIT"), {"id": application_id}
            )
        other.rollback()
    db.session.rollback()

"""The ledger's database-level guards exist after `flask db upgrade` and work, on SQLite and PostgreSQL.

Alembic's batch mode rebuilds SQLite tables and silently drops their triggers: this is the test that notices.
"""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from loanfund import clock
from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from tests.flows import Flows

pytestmark = [pytest.mark.both_databases, pytest.mark.migrated]

HISTORY_TABLES = ("application_events", "receipts", "journal_entries", "journal_legs")


def trigger_names(backend: str) -> set[str]:
    if backend == "sqlite":
        rows = db.session.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
    else:
        rows = db.session.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"))
    return {name for (name,) in rows}


def test_guards_exist_after_upgrade(app, backend):
    names = trigger_names(backend)
    if backend == "sqlite":
        expected = {f"{t}_no_{verb}" for t in HISTORY_TABLES for verb in ("update", "delete")}
    else:
        expected = {f"{t}_append_only" for t in HISTORY_TABLES} | {"journal_entries_balanced", "journal_legs_balanced"}
    assert expected <= names


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE journal_legs SET debit = debit + 1",
        "DELETE FROM journal_legs",
        "UPDATE journal_entries SET description = 'x'",
        "DELETE FROM receipts",
        "UPDATE application_events SET note = 'rewritten'",
    ],
)
def test_history_refuses_update_and_delete(app, people, statement):
    with __import__("time_machine").travel("2026-11-01 09:00:00+08:00", tick=False) as traveller:
        Flows(traveller).to(State.REPAID)
    with pytest.raises(DBAPIError) as caught:
        db.session.execute(text(statement))
        db.session.commit()
    db.session.rollback()
    assert "append-only" in str(caught.value)


@pytest.mark.postgres_only  # SQLite has no deferred triggers: there ledger.post checks in the same transaction
def test_an_unbalanced_entry_cannot_commit(app, backend, people):
    account_id = db.session.execute(text("SELECT id FROM ledger_accounts WHERE code = 'cash'")).scalar_one()
    entry_id = db.session.execute(
        text(
            "INSERT INTO journal_entries (fund_id, key, posted_on, description, created_at) "
            "VALUES (1, 'tamper', :d, 'x', now()) RETURNING id"
        ),
        {"d": clock.today()},
    ).scalar_one()
    db.session.execute(
        text("INSERT INTO journal_legs (fund_id, entry_id, account_id, debit, credit) VALUES (1, :e, :a, 100, 0)"),
        {"e": entry_id, "a": account_id},
    )
    with pytest.raises(DBAPIError) as caught:
        db.session.commit()
    db.session.rollback()
    assert "does not balance" in str(caught.value)


def test_the_fund_position_refuses_an_over_commitment(app, people):
    with pytest.raises(DBAPIError):
        db.session.execute(text("UPDATE fund_balance SET reserved = cash + 1"))
        db.session.commit()
    db.session.rollback()
    with pytest.raises(DBAPIError):
        db.session.execute(text("UPDATE fund_balance SET cash = -1, reserved = 0"))
        db.session.commit()
    db.session.rollback()

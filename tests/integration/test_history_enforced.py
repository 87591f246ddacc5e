"""History the database enforces (issue 25, finding 5). Before: with the application's own database login one could
change a bank's payee account, delete a confirmed blacklist entry, make an enterprise user an operator and append a
forged audit record, and the tables' owner could edit a receipt together with its return event — and ``reconcile``
and ``verify-audit`` both stayed clean. Now PostgreSQL refuses at commit a change to a protected table that comes
without its own audit record; one who gets round that (by saying where the records begin, or as the owner with the
triggers off — on SQLite, the file's owner) leaves rows that ``verify-audit`` names, table, row and columns; and a
record not signed with the application's audit key is named as forged."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import date

import psycopg
import pytest
from sqlalchemy import select

from loanfund import clock
from loanfund.domain.ledger import CASH, LOSSES
from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import (
    ApplicationEvent,
    AuditRecord,
    BlacklistEntry,
    JournalEntry,
    JournalLeg,
    Receipt,
    User,
)
from loanfund.services.books import ledger
from loanfund.services.books.reconcile import reconcile
from loanfund.services.oversight import settings
from loanfund.services.record import audit, audit_words
from tests.factories import city_fund_id, county_fund
from tests.flows import Flows
from tests.web.test_forms import post_form

pytestmark = [pytest.mark.both_databases, pytest.mark.migrated]


def verify_audit(runner) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    answer = runner.invoke(args=["loanfund", "verify-audit"])
    db.session.remove()
    return answer.exit_code, answer.output.splitlines()


class login:
    """A connection with the application's own database login, outside the application (psql, a script)."""

    def __init__(self, app, backend: str, *, owner_off: tuple[str, ...] = ()) -> None:  # type: ignore[no-untyped-def]
        self.url = app.config["SQLALCHEMY_DATABASE_URI"]
        self.backend = backend
        self.owner_off = owner_off  # tables whose guards the owner turns off first

    def __enter__(self):  # type: ignore[no-untyped-def]
        db.session.remove()
        if self.backend == "postgresql":
            self.connection = psycopg.connect(self.url.replace("postgresql+psycopg://", "postgresql://"))
            for table in self.owner_off:
                self.connection.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            self.connection = sqlite3.connect(self.url.removeprefix("sqlite:///"))
            for table in self.owner_off:
                for name in ("no_update", "no_delete", "forward"):
                    self.connection.execute(f"DROP TRIGGER IF EXISTS {table}_{name}")
        return self.connection

    def __exit__(self, kind, *exc: object) -> None:  # type: ignore[no-untyped-def]
        try:
            if kind is None:
                self.connection.commit()
            else:
                self.connection.rollback()
            if self.backend == "postgresql":
                for table in self.owner_off:
                    self.connection.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
                self.connection.commit()
        finally:
            self.connection.close()


def sql(connection, statement: str, *values: object) -> None:  # type: ignore[no-untyped-def]
    if isinstance(connection, sqlite3.Connection):
        connection.execute(statement.replace("%s", "?"), values)
    else:
        connection.execute(statement, values)


def as_if_recorded(connection, backend: str) -> None:  # type: ignore[no-untyped-def]
    """What one who has read the code does first on PostgreSQL: say this transaction's records begin at the start."""
    if backend == "postgresql":
        connection.execute("SELECT set_config('loanfund.audit_from', '0', true)")


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE banks SET account_no = '6222000000000000666' WHERE id = %(bank)s",
        "DELETE FROM blacklist_entries WHERE id = %(entry)s",
        "UPDATE users SET role = 'operator', enterprise_id = NULL, fund_id = 1 WHERE id = %(ent)s",
    ],
    ids=["payee-account", "blacklist-entry", "user-role"],
)
def test_postgresql_refuses_a_change_to_a_protected_table_without_its_audit_record(app, people, statement):
    entry = confirmed_entry(people)
    ids = {"bank": people["bank1"].bank_id, "entry": entry, "ent": people["ent1"].id}
    db.session.remove()
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as connection:
        connection.execute(statement % ids)
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
            connection.commit()
    assert "has no audit record: change it through LoanFund" in str(refused.value)
    assert audit.compare() == []  # nothing changed


def confirmed_entry(people) -> int:  # type: ignore[no-untyped-def]
    entry = BlacklistEntry(
        fund_id=city_fund_id(),
        credit_code=people["ent2"].enterprise.credit_code,
        enterprise_name=people["ent2"].enterprise.name,
        reason="逾期不还",
        listed_on=date(2026, 3, 2),
        ends_on=date(2029, 3, 2),
        state="confirmed",
        basis="领导小组 2026 年第 1 次会议确认",
    )
    db.session.add(entry)
    db.session.commit()
    return entry.id


def test_a_payee_account_changed_outside_the_record_is_named(app, people, runner, backend):
    bank = people["bank1"].bank_id
    assert verify_audit(runner)[0] == 0
    with login(app, backend) as connection:
        as_if_recorded(connection, backend)
        sql(
            connection,
            "UPDATE banks SET account_no = %s, account_name = %s WHERE id = %s",
            "6222000000000000666",
            "某某贸易有限公司",
            bank,
        )
    code, lines = verify_audit(runner)
    assert code == 1
    assert "✗ 1 行与其审计记录不符（在记录之外被改动）：" in lines
    assert f"  合作银行（banks）第 {bank} 行：与最后一次审计记录不符：户名（account_name）、账号（account_no）" in lines


def test_a_confirmed_blacklist_entry_deleted_outside_the_record_is_named(app, people, runner, backend):
    entry = confirmed_entry(people)
    with login(app, backend) as connection:
        as_if_recorded(connection, backend)
        sql(connection, "DELETE FROM blacklist_entries WHERE id = %s", entry)
    code, lines = verify_audit(runner)
    assert code == 1
    assert f"  黑名单（blacklist_entries）第 {entry} 行：这一行已不在表中，审计记录中没有它的删除" in lines


def test_an_enterprise_user_made_an_operator_outside_the_record_is_named(app, people, runner, backend):
    user = people["ent1"].id
    with login(app, backend) as connection:
        as_if_recorded(connection, backend)
        sql(connection, "UPDATE users SET role = 'operator', enterprise_id = NULL, fund_id = 1 WHERE id = %s", user)
    code, lines = verify_audit(runner)
    assert code == 1
    assert (
        f"  用户（users）第 {user} 行：与最后一次审计记录不符：角色（role）、企业（enterprise_id）、转贷资金（fund_id）"
        in lines
    )


def test_a_forged_record_appended_to_the_chain_is_named(app, people, runner, backend):
    """The forger computes the chain as the code does, but has no audit key: unsigned, or signed with a guess."""
    last = db.session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(1)).one()
    seq, prev = last.seq, last.hash
    user, firm = people["ent1"].id, people["ent1"].enterprise_id
    forged = {
        "seq": seq + 1,
        "at": "2026-12-06T01:00:00+00:00",
        "actor_id": people["admin"].id,
        "actor_role": "admin",
        "action": "update",
        "subject": "users",
        "subject_id": user,
        "old": {"role": "enterprise", "enterprise_id": firm, "fund_id": None},
        "new": {"role": "operator", "enterprise_id": None, "fund_id": 1},
        "note": "",
    }
    unsigned = audit.chain(prev, forged)
    guessed = audit.chain(prev, forged, b"loanfund")
    for key_id, digest, problem in (
        (None, unsigned, f"第 {seq + 1} 条记录没有以审计密钥签署（伪造的记录）"),
        (last.key_id, guessed, f"第 {seq + 1} 条记录的内容与其哈希不符（被改动过）"),
        ("0123456789abcdef", guessed, f"第 {seq + 1} 条记录以未知的密钥签署（密钥标识 0123456789abcdef）"),
    ):
        with login(app, backend) as connection:
            as_if_recorded(connection, backend)
            sql(connection, "UPDATE users SET role = 'operator', enterprise_id = NULL, fund_id = 1 WHERE id = %s", user)
            sql(
                connection,
                "INSERT INTO audit_records (seq, at, actor_id, actor_role, action, subject, subject_id, old, new, note,"
                " prev_hash, hash, key_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                seq + 1,
                "2026-12-06 01:00:00+00:00",
                forged["actor_id"],
                "admin",
                "update",
                "users",
                user,
                json.dumps(forged["old"]),
                json.dumps(forged["new"]),
                "",
                prev,
                digest,
                key_id,
            )
            sql(connection, "UPDATE audit_head SET seq = %s, hash = %s WHERE id = 1", seq + 1, digest)
        code, lines = verify_audit(runner)
        assert code == 1
        assert f"✗ 审计记录链在第 {seq + 1} 条处断开：{problem}" in lines
        with login(app, backend, owner_off=("audit_records", "audit_head")) as connection:  # the next attempt
            sql(connection, "DELETE FROM audit_records WHERE seq = %s", seq + 1)
            sql(connection, "UPDATE audit_head SET seq = %s, hash = %s WHERE id = 1", seq, prev)
            as_if_recorded(connection, backend)
            back = "UPDATE users SET role = 'enterprise', enterprise_id = %s, fund_id = NULL WHERE id = %s"
            sql(connection, back, firm, user)
    assert verify_audit(runner)[0] == 0


def test_the_owners_edit_to_a_receipt_and_its_return_event_is_named(app, people, runner, backend):
    """The owner turns the append-only guards off and halves the fee on the receipt and on the event that booked it."""
    flows = Flows(people)
    application = flows.to(State.REPAID)
    receipt = db.session.scalars(select(Receipt).where(Receipt.application_id == application.id)).one()
    event = db.session.scalars(
        select(ApplicationEvent).where(
            ApplicationEvent.application_id == application.id, ApplicationEvent.to_state == State.REPAID.value
        )
    ).one()
    halved = receipt.fee.fen // 2
    payload = dict(event.payload) | {"fee": halved}
    assert verify_audit(runner)[0] == 0
    with login(app, backend, owner_off=("receipts", "application_events")) as connection:
        as_if_recorded(connection, backend)
        sql(connection, "UPDATE receipts SET fee = %s WHERE id = %s", halved, receipt.id)
        sql(connection, "UPDATE application_events SET payload = %s WHERE id = %s", json.dumps(payload), event.id)
    code, lines = verify_audit(runner)
    assert code == 1
    assert "✗ 2 行与其审计记录不符（在记录之外被改动）：" in lines
    assert f"  申请事件（application_events）第 {event.id} 行：与最后一次审计记录不符：记录内容（payload）" in lines
    assert f"  收款登记（receipts）第 {receipt.id} 行：与最后一次审计记录不符：用款费用（fee）" in lines


def test_a_password_set_outside_the_record_is_named_without_showing_it(app, people, runner, backend):
    """An administrator's password replaced by one the attacker knows: the record keeps a digest of the stored hash,
    so the change shows, and neither the hash nor the password is written out."""
    admin = people["admin"].id
    recorded = db.session.scalars(
        select(AuditRecord).where(AuditRecord.subject == "users", AuditRecord.subject_id == admin)
    ).first()
    assert recorded.new["password_hash"].startswith("摘要:")
    assert "argon2" not in json.dumps(recorded.new)
    with login(app, backend) as connection:
        as_if_recorded(connection, backend)
        sql(connection, "UPDATE users SET password_hash = %s WHERE id = %s", "$argon2id$v=19$forged", admin)
    code, lines = verify_audit(runner)
    assert code == 1
    assert f"  用户（users）第 {admin} 行：与最后一次审计记录不符：密码（password_hash）" in lines
    assert "forged" not in "\n".join(lines)


def test_a_row_put_in_outside_the_record_is_named(app, people, runner, backend):
    """A new row has no record to point at, so on PostgreSQL only the owner with the triggers off gets it in."""
    with login(app, backend, owner_off=("blacklist_entries",)) as connection:
        sql(
            connection,
            "INSERT INTO blacklist_entries (fund_id, credit_code, enterprise_name, reason, listed_on, ends_on, ground,"
            " basis, state, created_at) VALUES (1, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            "91320700MA1XXXXX9Q",
            "竞争对手有限公司",
            "逾期不还",
            date(2026, 1, 5),
            date(2029, 1, 5),
            "not_returned",
            "",
            "confirmed",
            clock.utcnow(),
        )
    entry = db.session.scalar(select(BlacklistEntry.id).where(BlacklistEntry.enterprise_name == "竞争对手有限公司"))
    differences = [audit_words.difference(found) for found in audit.compare()]
    assert differences == [f"黑名单（blacklist_entries）第 {entry} 行：表中有这一行，审计记录中没有它的新增"]


def test_the_key_the_chain_is_signed_with_is_not_in_the_database(app, people):
    """What the records carry is a name for the key, not the key: the chain cannot be extended from the database."""
    key, _known = audit.keys()
    record = db.session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(1)).one()
    assert record.key_id == audit.key_id(key) and len(record.key_id) == 16
    assert key.hex() not in json.dumps([record.new, record.old, record.note])
    assert hashlib.sha256(key).hexdigest() != record.key_id
    assert record.hash == audit.chain(record.prev_hash, audit._row_of(record), key)
    assert record.hash != audit.chain(record.prev_hash, audit._row_of(record))


def test_a_journal_entry_put_in_with_its_totals_kept_in_step_is_named(app, people, runner, backend):
    """Before: an entry moving 1,000,000.00 from the special account to losses, its legs balanced, the running totals
    and the fund's position moved with it, passed reconcile — nothing ties an entry to the step that made it but the
    record. Now the journal is audited: on PostgreSQL its rows are refused without their records; past the triggers
    they are named."""
    cash, losses = ledger_accounts()
    with login(app, backend, owner_off=("journal_entries", "journal_legs")) as connection:
        sql(
            connection,
            "INSERT INTO journal_entries (fund_id, key, posted_on, description, created_at) VALUES (1, %s, %s, %s, %s)",
            "writeoff:forged",
            date(2026, 12, 5),
            "核销",
            clock.utcnow(),
        )
        entry = "(SELECT id FROM journal_entries WHERE key = 'writeoff:forged')"
        for account, debit, credit in ((losses, 100_000_000, 0), (cash, 0, 100_000_000)):
            sql(
                connection,
                "INSERT INTO journal_legs (fund_id, entry_id, account_id, debit, credit)"
                f" VALUES (1, {entry}, %s, %s, %s)",
                account,
                debit,
                credit,
            )
        for line, name, kind, debit, credit in (
            (LOSSES, "核销损失", "expense", 100_000_000, 0),
            (CASH, "专用账户资金", "asset", 0, 100_000_000),
        ):
            sql(
                connection,
                "INSERT INTO ledger_totals (fund_id, line, name, kind, debit, credit) VALUES (1, %s, %s, %s, %s, %s)"
                " ON CONFLICT (fund_id, line) DO UPDATE SET debit = ledger_totals.debit + excluded.debit,"
                " credit = ledger_totals.credit + excluded.credit",
                line,
                name,
                kind,
                debit,
                credit,
            )
            sql(  # and the day's totals (issue 28), as ledger.post keeps them
                connection,
                "INSERT INTO ledger_days (fund_id, day, line, kind, debit, credit, entries)"
                " VALUES (1, %s, %s, 'writeoff', %s, %s, 1)",
                date(2026, 12, 5),
                line,
                debit,
                credit,
            )
        sql(connection, "UPDATE fund_balance SET cash = cash - 100000000")
    forged = db.session.scalar(select(JournalEntry.id).where(JournalEntry.key == "writeoff:forged"))
    legs = sorted(db.session.scalars(select(JournalLeg.id).where(JournalLeg.entry_id == forged)))
    assert [c for c in reconcile(city_fund_id()).checks if not c.ok] == []  # the books agree with themselves
    code, lines = verify_audit(runner)
    assert code == 1
    assert f"  记账分录（journal_entries）第 {forged} 行：表中有这一行，审计记录中没有它的新增" in lines
    for leg in legs:
        assert f"  分录明细（journal_legs）第 {leg} 行：表中有这一行，审计记录中没有它的新增" in lines


def ledger_accounts() -> tuple[int, int]:
    cash, losses = ledger.account(city_fund_id(), CASH).id, ledger.account(city_fund_id(), LOSSES).id
    db.session.commit()
    db.session.remove()
    return cash, losses


@pytest.mark.postgres_only
def test_postgresql_refuses_a_journal_entry_without_its_record(app, people):
    cash, losses = ledger_accounts()
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as connection:
        connection.execute("SELECT set_config('loanfund.audit_from', '0', true)")
        entry = connection.execute(
            "INSERT INTO journal_entries (fund_id, key, posted_on, description, created_at)"
            " VALUES (1, 'x', '2026-12-05', 'x', now()) RETURNING id"
        ).fetchone()[0]
        for account, debit, credit in ((losses, 5, 0), (cash, 0, 5)):
            connection.execute(
                "INSERT INTO journal_legs (fund_id, entry_id, account_id, debit, credit) VALUES (1, %s, %s, %s, %s)",
                (entry, account, debit, credit),
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
            connection.commit()
    assert "INSERT of journal_entries.id=" in str(refused.value)


def test_the_audit_page_check_names_the_rows_changed_outside_the_record(app, client, auth, people, backend):
    """The group (and the administrator) run the same check from the audit page."""
    bank = people["bank1"].bank_id
    with login(app, backend) as connection:
        as_if_recorded(connection, backend)
        sql(connection, "UPDATE banks SET account_no = %s WHERE id = %s", "6222000000000000666", bank)
    auth.login("group")
    checked = post_form(client, "/audit/verify", {}, page="/audit", follow_redirects=True).get_data(as_text=True)
    assert "审计记录链完整" in checked
    named = f"合作银行（banks）第 {bank} 行：与最后一次审计记录不符：账号（account_no）"
    assert f"1 行与其审计记录不符（在记录之外被改动）：{named}" in checked


def test_a_setting_changed_outside_the_record_is_named_with_its_fund(app, people, backend):
    """Settings are a fund's (DESIGN §7): two funds each set their thresholds, one of them is changed by hand, and the
    check names the setting and the fund it belongs to."""
    county = county_fund().id
    admin = db.session.scalars(select(User).where(User.username == "admin")).one()
    settings.save_thresholds(admin, city_fund_id(), "2", "30", "80")
    settings.save_thresholds(admin, county, "5", "40", "90")
    assert audit.compare() == []
    with login(app, backend, owner_off=("settings",)) as connection:
        sql(
            connection,
            "UPDATE settings SET value = %s WHERE fund_id = %s AND key = %s",
            "9",
            county,
            "due_within_days",
        )
    differences = [audit_words.difference(found) for found in audit.compare()]
    assert differences == [
        f"预警设置（settings）“due_within_days（资金 {county}）”：与最后一次审计记录不符：值（value）"
    ]

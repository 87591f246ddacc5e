"""The audit record (issue 13): every change with who, when, what, before and after; a SHA-256 chain that names the
first row changed, removed or cut off; ``verify-audit``; on PostgreSQL a runtime role that cannot truncate, disable
the triggers or switch them off for its session."""

from __future__ import annotations

import re
import sqlite3
from html import unescape

import psycopg
import pytest
from sqlalchemy import select

from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import AuditRecord, User
from loanfund.services.record import audit, audit_words
from tests.flows import Flows, attach, credit_ok
from tests.web.test_forms import NEW_POLICY, post_form

pytestmark = pytest.mark.both_databases


def records(subject: str) -> list[AuditRecord]:
    return list(db.session.scalars(select(AuditRecord).where(AuditRecord.subject == subject).order_by(AuditRecord.seq)))


def test_the_administrators_changes_to_users_are_recorded_with_who_and_before_and_after(client, people, auth):
    admin = people["admin"]
    before = len(records("users"))
    auth.login("admin")
    created = post_form(
        client,
        "/admin/users",
        {
            "username": "auditor1",
            "display_name": "审计员",
            "role": "group",
            "credit_code": "",
            "bank_id": "0",
            "password": "brass-kettle-harbour",
        },
    )
    assert created.status_code == 302
    new_user = db.session.scalar(select(User).where(User.username == "auditor1"))
    assert post_form(client, f"/admin/users/{new_user.id}/active", {}, page="/admin/users").status_code == 302
    added, switched = records("users")[before:]
    assert (added.action, added.actor_id, added.actor_role, added.subject_id) == (
        "insert",
        admin.id,
        "admin",
        new_user.id,
    )
    assert added.new["username"] == "auditor1" and added.new["role"] == "group" and added.new["active"] is True
    assert added.new["password_hash"].startswith("摘要:") and len(added.new["password_hash"]) == 3 + 64
    assert "argon2" not in str(added.new)
    assert (switched.action, switched.actor_id, switched.old, switched.new) == (
        "update",
        admin.id,
        {"active": True},
        {"active": False},
    )
    assert audit.verify().ok


def test_a_step_through_the_api_is_recorded_as_its_users(client, people, traveller):
    from tests.api.conftest import Api

    api = Api(client)
    flows = Flows(traveller)
    application = flows.to(State.SUBMITTED)
    reviewer = flows.user("reviewer")
    attach(reviewer, application, ("credit_report",))
    before = db.session.scalar(select(db.func.max(AuditRecord.seq)))
    findings = {k: str(v) for k, v in credit_ok().items()}
    answer = api.act("reviewer", application.id, "accept", findings)
    assert answer.status_code == 200, answer.get_json()
    written = db.session.scalars(select(AuditRecord).where(AuditRecord.seq > before).order_by(AuditRecord.seq)).all()
    assert {(r.action, r.subject) for r in written} >= {("update", "applications"), ("insert", "application_events")}
    assert {(r.actor_id, r.actor_role) for r in written} == {(reviewer.id, "reviewer")}
    change = next(r for r in written if r.subject == "applications")
    assert (change.subject_id, change.old["state"], change.new["state"]) == (application.id, "submitted", "accepted")
    assert audit.verify().ok


def test_a_busy_fund_leaves_an_unbroken_chain(busy):
    verdict = audit.verify()
    assert verdict.ok, verdict.problem
    assert verdict.records == db.session.scalar(select(db.func.count()).select_from(AuditRecord)) > 50
    assert verdict.head == db.session.scalar(select(AuditRecord.hash).order_by(AuditRecord.seq.desc()).limit(1))
    assert [audit_words.difference(found) for found in audit.compare()] == []  # every row is what its record says


@pytest.mark.migrated
def test_verify_audit_names_the_first_row_changed_removed_or_cut_off(app, people, runner, backend):
    """The database refuses UPDATE and DELETE; someone who gets round it (the file's owner on SQLite, the tables'
    owner on PostgreSQL) still leaves a broken chain, and the command names where."""
    count = db.session.scalar(select(db.func.count()).select_from(AuditRecord))
    assert count > 10
    good = runner.invoke(args=["loanfund", "verify-audit"])
    assert good.exit_code == 0, good.output
    assert f"✓ 审计记录链完整：{count} 条" in good.output
    db.session.remove()

    with raw(app, backend) as sql:
        sql("UPDATE audit_records SET new = '{\"active\": false}' WHERE seq = 7")
    verdict = audit.verify()
    assert (verdict.broken_seq, verdict.problem) == (7, "第 7 条记录的内容与其哈希不符（被改动过）")
    broken = runner.invoke(args=["loanfund", "verify-audit"])
    assert broken.exit_code == 1
    assert "✗ 审计记录链在第 7 条处断开：第 7 条记录的内容与其哈希不符（被改动过）" in broken.output
    db.session.remove()

    with raw(app, backend) as sql:
        sql("DELETE FROM audit_records WHERE seq >= 5 AND seq <= 7")
    assert (audit.verify().broken_seq, audit.verify().problem) == (5, "第 5 条记录缺失（下一条为第 8 条）")
    db.session.remove()

    with raw(app, backend) as sql:
        sql("DELETE FROM audit_records WHERE seq >= 5")
    cut = audit.verify()
    assert (cut.broken_seq, cut.problem) == (5, "链头与最后一条记录不符（记录被截去或链头被改）")


class raw:
    """A connection of the tables' owner with the guards taken off, as a tamperer would."""

    def __init__(self, app, backend: str) -> None:  # type: ignore[no-untyped-def]
        self.url = app.config["SQLALCHEMY_DATABASE_URI"]
        self.backend = backend

    def __enter__(self):  # type: ignore[no-untyped-def]
        if self.backend == "postgresql":
            self.connection = psycopg.connect(self.url.replace("postgresql+psycopg://", "postgresql://"))
            self.connection.execute("ALTER TABLE audit_records DISABLE TRIGGER USER")
        else:
            self.connection = sqlite3.connect(self.url.removeprefix("sqlite:///"))
            self.connection.execute("DROP TRIGGER IF EXISTS audit_records_no_update")
            self.connection.execute("DROP TRIGGER IF EXISTS audit_records_no_delete")
        return self.connection.execute

    def __exit__(self, *exc: object) -> None:
        if self.backend == "postgresql":
            self.connection.execute("ALTER TABLE audit_records ENABLE TRIGGER USER")
        self.connection.commit()
        self.connection.close()


@pytest.mark.postgres_only
def test_the_runtime_role_cannot_truncate_disable_triggers_or_replicate(app, people, runner):
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as owner:
        owner.execute("DROP ROLE IF EXISTS lf_runtime_test")
        owner.execute("CREATE ROLE lf_runtime_test LOGIN PASSWORD 'runtime-test-pw'")
    try:
        granted = runner.invoke(args=["loanfund", "grant-runtime-role", "lf_runtime_test"])
        assert granted.exit_code == 0, granted.output
        assert "已授权 lf_runtime_test" in granted.output
        as_runtime = _with_user(url, "lf_runtime_test", "runtime-test-pw")
        refused = {
            "TRUNCATE audit_records": "permission denied",
            "ALTER TABLE audit_records DISABLE TRIGGER USER": "must be owner",
            "DROP TRIGGER audit_records_append_only ON audit_records": "must be owner",
            "SET session_replication_role = replica": "permission denied",
            "UPDATE application_events SET note = 'x'": "permission denied",
            "DELETE FROM receipts": "permission denied",
            "UPDATE audit_head SET seq = 0": "only moves forward",
        }
        for statement, message in refused.items():
            with psycopg.connect(as_runtime) as runtime:
                with pytest.raises(psycopg.Error) as raised:
                    runtime.execute(statement)
                assert message in str(raised.value), statement
        with psycopg.connect(as_runtime) as runtime:  # and it can do the application's work
            runtime.execute("UPDATE users SET display_name = display_name WHERE id = %s", (people["admin"].id,))
            runtime.execute("SELECT count(*) FROM audit_records").fetchone()
    finally:
        db.session.remove()
        with psycopg.connect(url, autocommit=True) as owner:
            owner.execute("DROP OWNED BY lf_runtime_test")
            owner.execute("DROP ROLE lf_runtime_test")


def _with_user(url: str, user: str, password: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{user}:{password}@{rest.split('@', 1)[-1]}"


@pytest.mark.postgres_only
def test_the_grant_refuses_the_owner_itself(app, runner):
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as owner:
        me = owner.execute("SELECT current_user").fetchone()[0]
    answer = runner.invoke(args=["loanfund", "grant-runtime-role", me])
    assert answer.exit_code == 1
    assert "运行时角色不能是表的所有者本身" in answer.output


def field_messages(page: str) -> dict[str, str]:
    """Each invalid field's message, as the page shows it next to the field."""
    found = re.findall(r'id="([a-z_]+)-feedback" class="lf-feedback"><div class="invalid-feedback">([^<]+)</div>', page)
    return {name: unescape(message) for name, message in found}


@pytest.mark.parametrize("who", ["admin", "group"])
def test_the_audit_page_filters_pages_back_and_exports(client, people, auth, who):
    import io

    from openpyxl import load_workbook

    auth.login(who)
    page = client.get("/audit?subject=banks").get_data(as_text=True)
    banks = records("banks")
    assert f"共 {db.session.scalar(select(db.func.count()).select_from(AuditRecord))} 条" in page
    assert page.count("合作银行 #") == len(banks) > 0
    assert "用户 #" not in page
    wrong = client.get("/audit?since=2026-13-01&subject_id=x&subject=nothing").get_data(as_text=True)
    assert "请先更正筛选条件" in wrong and "合作银行 #" not in wrong
    assert field_messages(wrong) == {
        "subject": "请选择记录对象",
        "subject_id": "不是有效的整数，请用阿拉伯数字 0–9 填写",
        "since": "日期格式应为 YYYY-MM-DD",
    }
    backwards = client.get("/audit?subject_id=0&since=2026-11-02&until=2026-11-01").get_data(as_text=True)
    assert field_messages(backwards) == {"subject_id": "编号须为正整数", "until": "截止日期不能早于起始日期"}
    assert client.get("/audit/export?until=2026-02-30").mimetype == "text/html"  # the page with the message
    export = client.get("/audit/export?subject=banks")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.data)).active
    table = [row for row in sheet.iter_rows(min_row=5, values_only=True)]
    assert [row[0] for row in table] == [r.seq for r in reversed(banks)]
    assert {row[5] for row in table} == {"合作银行"}
    checked = post_form(client, "/audit/verify", {}, page="/audit", follow_redirects=True)
    assert "审计记录链完整" in checked.get_data(as_text=True)


@pytest.mark.parametrize("who", ["operator", "reviewer", "bank1", "ent1"])
def test_nobody_else_reads_the_audit_record(client, people, auth, who):
    auth.login(who)
    assert client.get("/audit").status_code == 404
    assert client.get("/audit/export").status_code == 404


def test_banks_policy_versions_and_contributions_are_recorded_as_the_administrators(client, people, auth, traveller):
    """Before: changes to banks, policy versions and contributions left no record of who did what."""
    from loanfund.models import Bank
    from tests.conftest import confirm

    admin = people["admin"]
    auth.login("admin")
    bank = db.session.scalar(select(Bank).where(Bank.code == "ICBC-LYG"))
    old_end = bank.agreement_end.isoformat()
    data = {
        "code": bank.code,
        "name": bank.name,
        "agreement_no": bank.agreement_no,
        "agreement_start": bank.agreement_start.isoformat(),
        "agreement_end": "2029-12-31",
        "account_name": bank.account_name,
        "account_no": bank.account_no,
        "account_bank": bank.account_bank,
    }
    assert post_form(client, f"/admin/banks/{bank.id}", data).status_code == 302
    assert confirm(client, "/admin/policies", NEW_POLICY, page="/admin/policies").status_code == 302
    typed = {
        "contributor_name": "东海县财政局",
        "kind": "county",
        "amount": "50,000,000.00",
        "received_on": "2026-11-01",
        "reference": "DH-001",
    }
    assert confirm(client, "/admin/contributions", typed, page="/admin/contributions").status_code == 302

    [bank_change] = [r for r in records("banks") if r.action == "update"]
    assert (bank_change.actor_id, bank_change.subject_id) == (admin.id, bank.id)
    assert (bank_change.old, bank_change.new) == ({"agreement_end": old_end}, {"agreement_end": "2029-12-31"})
    [policy_added] = [r for r in records("policy_versions") if r.actor_id == admin.id]
    assert (policy_added.action, policy_added.new["name"]) == ("insert", "连政规发〔2023〕8号（测试）")
    [contribution] = [r for r in records("contributions") if r.actor_id == admin.id]
    assert (contribution.action, contribution.new["amount"], contribution.new["reference"]) == (
        "insert",
        5_000_000_000,
        "DH-001",
    )
    assert audit.verify().ok

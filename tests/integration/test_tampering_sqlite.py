"""What only SQLite lets a file's owner do to history, and a damaged backup file: SQLite only (PostgreSQL's side of
both is in ``test_audit`` and ``test_backup``)."""

from __future__ import annotations

import sqlite3

import pytest

from loanfund.app import create_app
from loanfund.extensions import db
from loanfund.services.record import audit

pytestmark = pytest.mark.migrated


def test_insert_or_replace_breaks_the_chain_too(app, people):
    """Before: INSERT OR REPLACE (which fires no DELETE trigger) rewrote history on SQLite and nothing showed it."""
    db.session.remove()
    url = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    connection = sqlite3.connect(url)
    row = connection.execute(
        "SELECT id, seq, at, actor_id, actor_role, action, subject, subject_id, old, new, note,"
        " prev_hash, hash, key_id FROM audit_records WHERE seq = 4"
    ).fetchone()
    forged = list(row)
    forged[9] = '{"active": false}'
    columns = "id, seq, at, actor_id, actor_role, action, subject, subject_id, old, new, note, prev_hash, hash, key_id"
    connection.execute(f"INSERT OR REPLACE INTO audit_records ({columns}) VALUES ({','.join('?' * 14)})", forged)
    connection.commit()
    connection.close()
    verdict = audit.verify()
    assert (verdict.broken_seq, verdict.problem) == (4, "第 4 条记录的内容与其哈希不符（被改动过）")


def test_a_damaged_backup_is_refused(app, people, runner, tmp_path):
    """The manifest's check, the same for both databases."""
    assert runner.invoke(args=["loanfund", "backup", str(tmp_path)]).exit_code == 0
    [copy] = [p for p in tmp_path.iterdir() if p.suffix == ".sqlite3"]
    data = bytearray(copy.read_bytes())
    data[-10] ^= 0xFF
    copy.write_bytes(bytes(data))
    empty = create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.db'}"})
    with empty.app_context():
        answer = empty.test_cli_runner().invoke(args=["loanfund", "restore", str(copy)])
        assert answer.exit_code == 1
        assert "备份文件与其清单中的 SHA-256 不符：文件已损坏或被改动" in answer.output
        db.engine.dispose()

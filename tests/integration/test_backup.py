"""``loanfund backup`` and ``restore`` (issue 13): a copy taken while the fund is busy restores into an empty database
with the same books and an unbroken audit chain; a damaged copy or a database already in use is refused."""

from __future__ import annotations

import json

import pytest

from loanfund.app import create_app
from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.services.books.reconcile import reconcile
from loanfund.services.record import audit
from tests.factories import city_fund_id
from tests.flows import Flows

pytestmark = [pytest.mark.both_databases, pytest.mark.migrated]


def books() -> list[tuple[str, str, str, str]]:
    return [
        (r.name, r.debit.format(), r.credit.format(), r.balance.format())
        for r in reconcile(city_fund_id()).trial_balance
    ]


def test_a_backup_restores_into_an_empty_database_with_the_same_books_and_chain(
    app, people, traveller, runner, tmp_path, backend, request
):
    flows = Flows(traveller)
    flows.to(State.ARCHIVED)
    flows.to(State.DISBURSED)
    before, head = books(), audit.head()
    made = runner.invoke(args=["loanfund", "backup", str(tmp_path / "backups")])
    assert made.exit_code == 0, made.output
    [copy] = [p for p in (tmp_path / "backups").iterdir() if not p.name.endswith(".manifest.json")]
    manifest = json.loads((tmp_path / "backups" / f"{copy.name}.manifest.json").read_text())
    assert (manifest["audit_records"], manifest["audit_head"]) == head
    assert f"审计记录 {head[0]} 条，链头 {head[1]}" in made.output

    if backend == "postgresql":
        import os

        from tests.pg import create_database

        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        url = create_database(request.getfixturevalue("pg_server"), f"loanfund_restored{worker}")
    else:
        url = f"sqlite:///{tmp_path / 'restored.db'}"
    restored = create_app("test", {"SQLALCHEMY_DATABASE_URI": url})
    with restored.app_context():
        answer = restored.test_cli_runner().invoke(args=["loanfund", "restore", str(copy)])
        assert answer.exit_code == 0, answer.output
        assert f"✓ 已恢复：审计记录链完整，{head[0]} 条，链头 {head[1]}" in answer.output
        assert "✓ 专用账户与收款登记一致" in answer.output
        assert books() == before
        again = restored.test_cli_runner().invoke(args=["loanfund", "restore", str(copy)])
        assert again.exit_code == 1
        assert "目标数据库不是空的：请恢复到一个新建的空数据库" in again.output
        db.session.remove()
        db.engine.dispose()

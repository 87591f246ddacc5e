"""``flask loanfund create-user``: role and scope from options, password from standard input."""

import pytest
from sqlalchemy import select

from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import User
from loanfund.services.people import passwords

pytestmark = pytest.mark.both_databases


def test_create_bank_user_reads_the_password_from_stdin(runner, people):
    result = runner.invoke(
        args=[
            "loanfund",
            "create-user",
            "--username",
            "icbc2",
            "--role",
            "bank",
            "--bank",
            "ICBC-LYG",
            "--name",
            "钱专员",
        ],
        input="s3cret-pass\n",
    )
    assert result.exit_code == 0, result.output
    assert "已创建用户 icbc2（合作银行）" in result.output
    user = db.session.scalar(select(User).where(User.username == "icbc2"))
    assert user.bank.code == "ICBC-LYG"
    assert passwords.verify(user.password_hash, "s3cret-pass") == (True, None)


def test_create_enterprise_user_needs_its_enterprise(runner, people):
    result = runner.invoke(
        args=["loanfund", "create-user", "--username", "x", "--role", "enterprise"], input="long-enough-1\n"
    )
    assert result.exit_code != 0
    assert "企业用户须属于一家企业" in result.output


def test_short_password_and_taken_username_are_refused(runner, people):
    result = runner.invoke(
        args=["loanfund", "create-user", "--username", "operator", "--role", "operator"], input="short\n"
    )
    assert result.exit_code != 0
    assert "该用户名已被使用" in result.output


def test_unknown_bank_is_refused(runner, people):
    result = runner.invoke(
        args=["loanfund", "create-user", "--username", "y", "--role", "bank", "--bank", "NOPE"], input="long-enough-1\n"
    )
    assert result.exit_code != 0
    assert "没有代码为 NOPE 的合作银行" in result.output


def test_distribute_and_dissolution_commands(runner, busy):
    result = runner.invoke(args=["loanfund", "distribute", "--tax-rate", "abc"])
    assert result.exit_code != 0
    assert "税率格式不正确，如 0.06" in result.output
    result = runner.invoke(args=["loanfund", "distribute", "--tax-rate", "0.06", "--pay", "--bank-ref", "FP1"])
    assert result.exit_code == 0, result.output
    assert "可分配收入 3,840.00 元，税费 230.40 元" in result.output
    assert "连云港市工业投资集团有限公司：3,609.60 元" in result.output
    result = runner.invoke(args=["loanfund", "dissolution"])
    assert "净资产 199,999,999.99" not in result.output
    assert "连云港市工业投资集团有限公司：出资 200,000,000.00 元，应返还 200,000,000.00 元" in result.output
    assert runner.invoke(args=["loanfund", "reconcile"]).exit_code == 0


def test_the_sweep_command_says_what_it_found_and_what_stays_queued(runner, flows, traveller):
    application = flows.to(State.RENEWED)  # out 1 Nov 2026, due 11 Nov
    result = runner.invoke(args=["loanfund", "sweep", "--date", "2026-11-12"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "2026-11-12 日常巡查：在外转贷 1 笔，查看 1 笔，新发现 1 项"
    assert lines[1].startswith(
        f"  {application.reference} 用款逾期：用款到期日为 2026-11-11，截至 2026-11-12 已用款 11 天"
    )
    assert lines[2].startswith("未配置 MAIL_SERVER：") and lines[2].endswith(
        "封邮件留在发送队列中（管理员可在“邮件队列”查看）"
    )
    again = runner.invoke(args=["loanfund", "sweep", "--date", "2026-11-12"])
    assert again.output.splitlines()[0] == "2026-11-12 日常巡查：在外转贷 1 笔，查看 0 笔，新发现 0 项"


@pytest.mark.parametrize("day", ["2026-13-01", "２０２６-11-12", "tomorrow"])
def test_the_sweep_command_refuses_a_bad_date(runner, people, day):
    result = runner.invoke(args=["loanfund", "sweep", "--date", day])
    assert result.exit_code == 2
    assert f"日期格式不正确：{day}（应为 YYYY-MM-DD）" in result.output


def test_the_nightly_reconciliation_keeps_sqlites_planner_statistics(runner, busy, backend):
    """SQLite keeps no statistics by itself; without them its planner walked a fund's million applications to find
    its bridges out (issue 28). The nightly ``reconcile`` refreshes them on SQLite; PostgreSQL's autovacuum keeps its
    own, and nothing is said there."""
    result = runner.invoke(args=["loanfund", "reconcile"])
    assert result.exit_code == 0, result.output
    if backend == "sqlite":
        assert "已更新 SQLite 查询统计（ANALYZE）。" in result.output
        with db.engine.connect() as connection:
            analysed = set(connection.exec_driver_sql("SELECT tbl FROM sqlite_stat1").scalars())
        assert {"applications", "bridges_out", "journal_legs"} <= analysed
    else:
        assert "ANALYZE" not in result.output


def test_the_nightly_reconciliation_runs_on_a_sqlite_file(tmp_path):
    """The in-memory database of the tests takes no write lock; a file does (``BEGIN IMMEDIATE``): the command's own
    session must be done before ``ANALYZE`` takes its connection — run as cron runs it, on a migrated, seeded file."""
    import os
    import subprocess
    import sys

    env = os.environ | {"DATABASE_URL": f"sqlite:///{tmp_path / 'fund.db'}", "FLASK_APP": "wsgi"}

    def flask(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "flask", *args], env=env, capture_output=True, text=True, timeout=300, check=False
        )

    assert flask("db", "upgrade").returncode == 0
    assert flask("loanfund", "seed-demo").returncode == 0
    done = flask("loanfund", "reconcile")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "已更新 SQLite 查询统计（ANALYZE）。" in done.stdout

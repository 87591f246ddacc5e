"""The annual audit pack (第二十一条; issue 11): the command and the download write one zip with a folder per
application of the year, the journal, the trial balance, the submitted monthly reports, and a manifest that
``sha256sum -c`` verifies — on the month of ``tests.flows.november_2026``."""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import subprocess
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from loanfund import clock
from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import Application, AuditPackRun, Material, User
from loanfund.services.applications import materials
from loanfund.services.reports import audit_pack, audit_pack_runs, documents, monthly
from tests.conftest import csrf_token
from tests.factories import city_fund_id
from tests.web.test_forms import post_form

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def reference(application_id: int) -> str:
    return db.session.get(Application, application_id).reference  # type: ignore[union-attr]


@pytest.fixture
def year_2026(november):  # type: ignore[no-untyped-def]
    users = {u.username: u for u in db.session.scalars(select(User))}
    materials.upload(users["ent1"], november["A6"], "licence", [("营业执照.pdf", PDF_BYTES)])
    monthly.submit(users["operator"], 2026, 11, analysis="十一月运行平稳")
    return november


def unpack(path: Path, into: Path) -> set[str]:
    with zipfile.ZipFile(path) as pack:
        pack.extractall(into)
        return set(pack.namelist())


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="needs coreutils' sha256sum")
def test_the_command_writes_a_pack_the_manifest_verifies(runner, year_2026, tmp_path):
    result = runner.invoke(args=["loanfund", "audit-pack", "2026", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "7 笔申请" in result.output and "MANIFEST.sha256" in result.output
    names = unpack(tmp_path / "out" / "审计资料-2026.zip", tmp_path / "unpacked")
    a1, a2, a3, a6 = (reference(year_2026[k]) for k in ("A1", "A2", "A3", "A6"))
    licence = db.session.scalar(
        select(Material.id).where(Material.application_id == year_2026["A6"], Material.filename == "营业执照.pdf")
    )
    assert {
        f"applications/{a1}/usage-statement.pdf",
        f"applications/{a1}/usage-statement.xlsx",
        f"applications/{a1}/events.csv",
        f"applications/{a1}/ledger.csv",
        f"applications/{a2}/usage-statement.pdf",  # repaid, not yet archived: the draft
        f"applications/{a3}/events.csv",
        f"applications/{a6}/materials/{licence}-营业执照.pdf",
        "journal-2026.csv",
        "trial-balance-2026-12-31.csv",
        "monthly-reports/2026-11-revision-1.json",
        "monthly-reports/2026-11-revision-1.xlsx",
        "MANIFEST.sha256",
    } <= names
    assert f"applications/{a3}/usage-statement.pdf" not in names  # still out: no statement
    check = subprocess.run(
        ["sha256sum", "--check", "--strict", "MANIFEST.sha256"], cwd=tmp_path / "unpacked", capture_output=True
    )
    assert check.returncode == 0, check.stdout.decode() + check.stderr.decode()
    manifest = (tmp_path / "unpacked" / "MANIFEST.sha256").read_text().splitlines()
    assert len(manifest) == len(names) - 1  # every file but the manifest itself

    # a changed file fails the check
    (tmp_path / "unpacked" / "journal-2026.csv").write_text("篡改")
    check = subprocess.run(["sha256sum", "--check", "MANIFEST.sha256"], cwd=tmp_path / "unpacked", capture_output=True)
    assert check.returncode != 0 and b"journal-2026.csv: FAILED" in check.stdout


def test_the_journal_and_trial_balance_add_up(runner, year_2026, tmp_path):
    runner.invoke(args=["loanfund", "audit-pack", "2026", "--out", str(tmp_path)])
    with zipfile.ZipFile(tmp_path / "审计资料-2026.zip") as pack:
        journal = list(csv.reader(io.StringIO(pack.read("journal-2026.csv").decode("utf-8-sig"))))
        trial = list(csv.reader(io.StringIO(pack.read("trial-balance-2026-12-31.csv").decode("utf-8-sig"))))
        events = pack.read(f"applications/{reference(year_2026['A1'])}/events.csv").decode("utf-8-sig")
    assert journal[0] == [
        "分录号",
        "记账日期",
        "幂等键",
        "摘要",
        "银行凭证号",
        "申请",
        "科目代码",
        "科目",
        "借方（元）",
        "贷方（元）",
    ]
    # the bridges of 2026 that went out, as the ledger booked them: A0, A1, A2, A3 and A5
    out = [r for r in journal[1:] if r[6].startswith("receivable:") and r[8] != "0.00"]
    assert sorted(r[8] for r in out) == sorted(["4000000.00", "30000000.00", "10000000.00", "8000000.00", "2000000.00"])
    assert sorted(r[4] for r in out) == ["HK-A0", "HK-A1", "HK-A2", "HK-A3", "HK-A5"]  # each with its transfer
    fees = sum(int(r[9].replace(".", "")) for r in journal[1:] if r[6] == "fee_income")
    assert fees == 6_400_000  # 5,000.00 + 37,500.00 + 21,500.00, in fen
    total = trial[-1]
    assert total[0] == "合计" and total[3] == total[4]
    cash = next(r for r in trial if r[0] == "cash")
    assert cash[5] == "190064000.00" and cash[1] == "专用账户资金"  # 200,000,000.00 + 64,000.00 fees − A3, A5 out
    assert "提交申请" in events and "归档" in events


def test_a_year_outside_the_range_is_refused(runner, people, tmp_path):
    result = runner.invoke(args=["loanfund", "audit-pack", "1999", "--out", str(tmp_path)])
    assert result.exit_code != 0 and "年度须在 2000 至 2100 之间" in result.output


def test_the_group_asks_for_it_and_downloads_it_when_it_is_built(client, auth, year_2026, app, tmp_path):
    """Issue 25, finding 11: the pack was built inside the request. Now the group asks, the pack is built as a run
    outside the request (here: right after its commit), and the page lists it with its size and SHA-256."""
    app.config["AUDIT_PACK_DIR"] = str(tmp_path / "packs")
    auth.login("group")
    page = client.get("/reports/audit-pack")
    assert page.status_code == 200 and "生成 2026 年审计资料" in page.get_data(as_text=True)
    assert "尚未调取" in page.get_data(as_text=True)
    asked = post_form(client, "/reports/audit-pack/2026/runs", {}, page="/reports/audit-pack", follow_redirects=True)
    listed = asked.get_data(as_text=True)
    assert "2026 年度审计资料正在生成，完成后可在下方下载（刷新本页查看）" in listed
    run = db.session.scalars(select(AuditPackRun)).one()
    assert (run.year, run.state, run.requested_by.username, run.error) == (2026, "done", "group", "")
    stored = tmp_path / "packs" / str(run.id) / "审计资料-2026.zip"
    assert run.size == stored.stat().st_size and run.sha256 == hashlib.sha256(stored.read_bytes()).hexdigest()
    assert "已完成" in listed and run.sha256 in listed and f'href="/reports/audit-pack/runs/{run.id}.zip"' in listed
    first = run.id
    response = client.get(f"/reports/audit-pack/runs/{first}.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as pack:
        assert "MANIFEST.sha256" in pack.namelist()
    response.close()

    # asked again: a new run; when it is done the older file goes, and its link with it
    post_form(client, "/reports/audit-pack/2026/runs", {}, page="/reports/audit-pack")
    newer = db.session.scalars(select(AuditPackRun).order_by(AuditPackRun.id.desc())).first()
    assert newer.id != first and newer.state == "done"
    assert db.session.get(AuditPackRun, first).removed_at is not None and not stored.parent.exists()
    assert client.get(f"/reports/audit-pack/runs/{first}.zip").status_code == 404
    assert "已由新版本替换" in client.get("/reports/audit-pack").get_data(as_text=True)


def test_a_run_is_built_in_a_thread_and_once(app, people, year_2026, tmp_path):
    """The web's way: a thread of the process builds it while the request answers; a second runner finds it taken."""
    app.config["AUDIT_PACK_DIR"] = str(tmp_path)
    group = db.session.scalars(select(User).where(User.username == "group")).one()
    run = audit_pack_runs.ask(group, 2026).id
    assert audit_pack_runs.ask(group, 2026).id == run  # one waiting run a year, however often asked
    audit_pack_runs.in_background(app, run).join(timeout=120)
    db.session.expire_all()
    assert db.session.get(AuditPackRun, run).state == "done"
    assert audit_pack_runs.build(run) is None  # already built: nobody builds it twice


def test_a_run_that_fails_says_why_and_the_command_takes_up_one_left_behind(
    app, people, year_2026, tmp_path, runner, monkeypatch, traveller
):
    app.config["AUDIT_PACK_DIR"] = str(tmp_path / "packs")
    group = db.session.scalars(select(User).where(User.username == "group")).one()

    def no_pango(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise documents.PdfUnavailable("无法生成 PDF：服务器缺少 Pango")

    monkeypatch.setattr(audit_pack, "build", no_pango)
    failed = audit_pack_runs.build(audit_pack_runs.ask(group, 2026).id)
    assert (failed.state, failed.error) == ("failed", "无法生成 PDF：服务器缺少 Pango")
    assert list((tmp_path / "packs").glob("**/*.zip")) == []  # nothing half-written is left
    monkeypatch.undo()

    left = audit_pack_runs.ask(group, 2026).id  # its process died while building it
    db.session.execute(
        update(AuditPackRun).where(AuditPackRun.id == left).values(state="running", started_at=clock.utcnow())
    )
    db.session.commit()
    assert "没有等待生成的审计资料。" in runner.invoke(args=["loanfund", "audit-pack-runs"]).output  # not yet stale
    traveller.shift(timedelta(hours=2, minutes=1))
    answer = runner.invoke(args=["loanfund", "audit-pack-runs"])
    assert answer.exit_code == 0, answer.output
    assert "✓ 2026 年度审计资料：" in answer.output
    db.session.expire_all()
    assert db.session.get(AuditPackRun, left).state == "done"


def test_an_uploaded_name_cannot_leave_its_folder_in_the_pack(flows, tmp_path):  # type: ignore[no-untyped-def]
    """Issue 25, finding 11: entry names kept ``..`` and backslashes (``149-..\\..\\..\\evil.pdf``)."""
    application = flows.to(State.SUBMITTED, documents=False)
    materials.file_under(
        flows.user("ent1"), application, "licence", [("..\\..\\..\\evil.pdf", PDF_BYTES, "application/pdf")]
    )
    db.session.commit()
    packed = audit_pack.build(city_fund_id(), 2026, tmp_path)
    with zipfile.ZipFile(packed.path) as pack:
        names = [n for n in pack.namelist() if "/materials/" in n]
    assert len(names) == 1 and ".." not in names[0] and "\\" not in names[0]
    assert names[0].endswith("-______evil.pdf")


# the administrator reads no application anywhere else: not through the pack either (the group commissions the audit)
@pytest.mark.parametrize("username", ["admin", "reviewer", "operator", "bank1", "ent1"])
def test_no_one_else_downloads_it(client, auth, people, username):
    auth.login(username)
    assert client.get("/reports/audit-pack").status_code == 404
    assert client.get("/reports/audit-pack/runs/1.zip").status_code == 404
    page = client.get("/account/sessions").get_data(as_text=True)
    assert client.post("/reports/audit-pack/2026/runs", data={"csrf_token": csrf_token(page)}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(AuditPackRun)) == 0

"""The sample 台账 (``docs/ledger-import-sample.xlsx``, written by ``docs/ledger_import_sample.py``) imports cleanly
into the demo through ``loanfund import-ledger``: 24 past bridges of 2019–2022, 342,120,000.00 out and 748,491.00 of
fees (each worked out from the 2018 rules in the generator, not by LoanFund); a second run adds nothing; the books
reconcile; and the file in the repository is the one the generator writes."""

from __future__ import annotations

import csv
import importlib.util
import zipfile
from pathlib import Path

from sqlalchemy import func, select

from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, Fund, LedgerImport
from loanfund.services.books.reconcile import reconcile

DOCS = Path(__file__).resolve().parents[2] / "docs"
SAMPLE = DOCS / "ledger-import-sample.xlsx"


def test_the_sample_is_what_its_generator_writes(tmp_path):
    spec = importlib.util.spec_from_file_location("ledger_import_sample", DOCS / "ledger_import_sample.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    generator.write(tmp_path / "sample.xlsx")
    assert (tmp_path / "sample.xlsx").read_bytes() == SAMPLE.read_bytes()


def test_the_sample_imports_into_the_demo_once_and_reconciles(runner, app, tmp_path):
    assert runner.invoke(args=["loanfund", "seed-demo"]).exit_code == 0
    # without --by: the fund's only administrator answers for it
    dry = runner.invoke(args=["loanfund", "import-ledger", str(SAMPLE), "--fund", "LYG", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "试运行（未写入）：读取 24 行，可以导入 24 笔，此前已导入 0 笔，有问题 0 行" in dry.output
    done = runner.invoke(args=["loanfund", "import-ledger", str(SAMPLE), "--by", "admin", "--fund", "LYG"])
    assert done.exit_code == 0, done.output
    assert "ledger-import-sample.xlsx：读取 24 行，新增 24 笔，此前已导入 0 笔，拒收 0 行" in done.output
    imported = db.session.scalars(select(Application).where(Application.imported_key.is_not(None))).all()
    assert len(imported) == 24
    assert sum((a.approved_amount for a in imported), Money.zero()) == Money.parse("342,120,000.00")
    assert sum((a.fee_due for a in imported), Money.zero()) == Money.parse("748,491.00")
    assert min(a.value_date for a in imported).isoformat() == "2019-02-03"
    city = db.session.scalars(select(Fund).where(Fund.code == "LYG")).one()
    assert reconcile(city.id).ok
    again = runner.invoke(args=["loanfund", "import-ledger", str(SAMPLE), "--by", "admin", "--fund", "LYG"])
    assert "读取 24 行，新增 0 笔，此前已导入 24 笔" in again.output
    assert db.session.scalar(select(func.count()).select_from(LedgerImport)) == 2
    # the audit pack of 2020 holds its six bridges (rows 6–11): each out and back in the journal, with its voucher
    packed = runner.invoke(args=["loanfund", "audit-pack", "2020", "--out", str(tmp_path), "--fund", "LYG"])
    assert packed.exit_code == 0, packed.output
    assert "6 笔申请" in packed.output
    with zipfile.ZipFile(next(tmp_path.glob("*.zip"))) as pack:
        journal = list(csv.reader(pack.read("journal-2020.csv").decode("utf-8-sig").splitlines()))
    refs = sorted({line[4] for line in journal[1:] if line[4]})  # a line a leg: each entry's reference once
    assert refs[:2] == ["HK20200209006", "HK20200414007"] and refs[6:8] == ["ZD20200205006", "ZD20200412007"]
    assert len(refs) == 12

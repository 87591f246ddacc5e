"""The fund's past from its 台账 (issue 29), on both databases: 200 past bridges of 2020 under the 2018 rules
(连政办发〔2018〕162号: 0.40‰ a day for the first 2 days, 0.45‰ beyond, for a bridge up to 4000万; the bridge at most
80 % of the renewal), with four deliberate errors — a wrong fee, an unknown bank, a bad credit code, dates out of
order — refused with every error named; corrected, imported, reconciled and in the month's report; imported twice,
nothing more.

Row n (0–199): an enterprise of its own, ``(n % 20 + 1) × 100,000.00`` out on day ``n % 28 + 1`` of month
``n // 20 + 1`` of 2020 (January to October, 20 a month), renewed the next day and back after ``n % 4 + 2`` days; the
fee written out below (``fee_fen``) as the regulation says it, not as the code computes it."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import xlsxwriter
from sqlalchemy import func, select

from loanfund.domain.eligibility import credit_code_check_character
from loanfund.domain.errors import InvalidInput
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, Bank, Enterprise, Fund, JournalEntry, LedgerImport, User
from loanfund.services.books import ledger_import
from loanfund.services.books.ledger_import import COLUMNS
from loanfund.services.books.reconcile import reconcile
from loanfund.services.reports import reporting
from tests.factories import city_fund_id

pytestmark = pytest.mark.both_databases

M = Money.parse
HEADER = [header for _, header, _ in COLUMNS]


def credit_code(n: int) -> str:
    first17 = f"91320700MA1T{n:05d}"
    return first17 + credit_code_check_character(first17)


def fee_fen(amount_fen: int, days: int) -> int:
    """0.40‰ a day for the first 2 days, 0.45‰ beyond (2018, the first band), in fen: exact for these amounts."""
    return amount_fen * (40 * min(days, 2) + 45 * max(days - 2, 0)) // 100_000


def row(n: int) -> list[object]:
    amount = (n % 20 + 1) * 10_000_000  # fen
    out = date(2020, n // 20 + 1, n % 28 + 1)
    days = n % 4 + 2
    back = out + timedelta(days=days)
    return [
        f"过往企业{n:03d}有限公司",
        credit_code(n),
        "海州区",
        "工业",
        "50",
        "3000",
        "2000",
        "ICBC-LYG" if n % 2 else "JSB-LYG",
        f"借字2020第{n:04d}号",
        f"{amount * 125 // 100 / 100:.2f}",  # the loan due: the bridge is 80 % of it
        f"{amount / 100:.2f}",
        out.isoformat(),
        f"HK2020{n:04d}",
        (out + timedelta(days=1)).isoformat(),
        f"{amount * 125 // 100 / 100:.2f}",
        back.isoformat(),
        f"HS2020{n:04d}",
        f"{amount / 100:.2f}",
        f"{fee_fen(amount, days) / 100:.2f}",
        "已归还",
    ]


def workbook(rows: list[list[object]], title: bool = True) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("台账")
    start = 0
    if title:
        sheet.write_string(0, 0, "中小企业应急转贷资金使用台账（2020年）")
        start = 2
    sheet.write_row(start, 0, HEADER)
    for i, values in enumerate(rows, start=start + 1):
        for j, value in enumerate(values):
            sheet.write_string(i, j, str(value))
    book.close()
    return buffer.getvalue()


def count(model: type, where: object) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(where))  # type: ignore[arg-type]


def _admin() -> User:
    return db.session.scalars(select(User).where(User.username == "admin")).one()


def _rows_with_errors() -> list[list[object]]:
    rows = [row(n) for n in range(200)]
    rows[3][18] = "1,000.00"  # n=3: 400,000.00 for 5 days is 400,000.00 × (2 × 0.40‰ + 3 × 0.45‰) = 860.00
    rows[10][7] = "某农村商业银行"
    rows[57][1] = "91320700MA1T000570"  # a check character that does not fit
    rows[120][13] = "2020-06-30"  # renewed a month before it went out (out 2020-07-09)
    return rows


def test_a_ledger_with_errors_is_refused_with_every_error_named_and_imports_nothing(people):
    before = db.session.scalar(select(func.count()).select_from(Application))
    result = ledger_import.run(_admin(), city_fund_id(), "台账2020.xlsx", workbook(_rows_with_errors()))
    # header at row 3: row n of the ledger is row n + 4 of the sheet
    assert [str(problem) for problem in result.problems] == [
        "第 7 行「收取用款费用（元）」：用款费用应为 860.00 元（连政办发〔2018〕162号，用款 5 天），"
        "台账为 1,000.00 元，相差 140.00 元",
        "第 14 行「合作银行」：“某农村商业银行”不是本资金的合作银行",
        "第 61 行「统一社会信用代码」：统一社会信用代码校验位不正确，请核对后重新输入",
        "第 124 行「续贷日期」：续贷日期早于放款日期 2020-07-09",
    ]
    assert result.created == 0
    assert db.session.scalar(select(func.count()).select_from(Application)) == before
    [record] = db.session.scalars(select(LedgerImport)).all()
    assert (record.outcome, record.rows_read, record.rows_created, record.rows_refused) == ("refused", 200, 0, 4)


def test_corrected_it_imports_reconciles_and_is_in_the_months_report_and_twice_adds_nothing(people, traveller):
    rows = [row(n) for n in range(200)]
    rows[1][7] = db.session.scalars(select(Bank.name).where(Bank.code == "ICBC-LYG")).one()  # by its name too
    data = workbook(rows)
    dry = ledger_import.run(_admin(), city_fund_id(), "台账2020.xlsx", data, dry_run=True)
    assert (dry.created, dry.skipped, dry.problems) == (200, 0, [])
    assert db.session.scalar(select(func.count()).select_from(LedgerImport)) == 0  # a dry run writes nothing
    steps: list[tuple[int, int]] = []
    result = ledger_import.run(
        _admin(), city_fund_id(), "台账2020.xlsx", data, progress=lambda done, of: steps.append((done, of))
    )
    assert (result.created, result.skipped, steps[-1], len(steps)) == (200, 0, (200, 200), 200)
    imported = db.session.scalars(select(Application).where(Application.imported_key.is_not(None))).all()
    assert len(imported) == 200 and {a.state for a in imported} == {"archived"}
    assert count(Enterprise, Enterprise.name.like("过往企业%")) == 200
    assert reconcile(city_fund_id()).ok
    march = reporting.report(db.session.get(Fund, city_fund_id()), date(2020, 3, 1), date(2020, 3, 31))
    # March 2020: rows 40–59 out, amounts 100,000.00 to 2,000,000.00 (21,000,000.00); the fees of the bridges back in
    # March, by their days (row 27, out 28 February for 5 days, is back on 4 March; row 55, out 28 March for 5 days,
    # on 2 April)
    expected_fees = sum(
        fee_fen((n % 20 + 1) * 10_000_000, n % 4 + 2)
        for n in range(200)
        if (date(2020, n // 20 + 1, n % 28 + 1) + timedelta(days=n % 4 + 2)).month == 3
    )
    assert (march.summary.bridges, march.summary.disbursed) == (20, M("21,000,000.00"))
    assert march.summary.fee_income == Money(expected_fees)
    again = ledger_import.run(_admin(), city_fund_id(), "台账2020-再次.xlsx", data)
    assert (again.created, again.skipped) == (0, 200)
    assert count(Application, Application.imported_key.is_not(None)) == 200
    assert count(JournalEntry, JournalEntry.bank_ref.like("H_2020%")) == 400  # out and back, each with its voucher
    records = db.session.scalars(select(LedgerImport).order_by(LedgerImport.id)).all()
    expected = [("imported", 200, 0), ("imported", 0, 200)]
    assert [(r.outcome, r.rows_created, r.rows_skipped) for r in records] == expected


def test_row_by_row_imports_the_good_rows_and_records_the_refused(people, traveller):
    result = ledger_import.run(
        _admin(), city_fund_id(), "台账2020.xlsx", workbook(_rows_with_errors()), row_by_row=True
    )
    assert (result.created, len(result.refused)) == (196, 4)
    record = result.record
    assert record is not None and (record.outcome, record.rows_created, record.rows_refused) == ("partial", 196, 4)
    assert record.problems[1] == "第 14 行「合作银行」：“某农村商业银行”不是本资金的合作银行"
    assert reconcile(city_fund_id()).ok


def test_only_the_administrator_imports_and_a_file_that_is_no_ledger_is_named(people):
    operator = db.session.scalars(select(User).where(User.username == "operator")).one()
    with pytest.raises(Exception) as refused:
        ledger_import.run(operator, city_fund_id(), "x.xlsx", workbook([row(0)]))
    assert getattr(refused.value, "code", "") == "role_not_allowed"
    with pytest.raises(InvalidInput) as caught:
        ledger_import.run(_admin(), city_fund_id(), "x.csv", b"a,b\n")
    assert caught.value.errors == {"file": ["请使用台账模板的 .xlsx 文件（docs/ledger-import.md）"]}
    with pytest.raises(InvalidInput) as caught:
        ledger_import.run(_admin(), city_fund_id(), "x.xlsx", workbook([["a"]], title=False)[:0] or _no_header())
    assert caught.value.errors == {"file": ["前 30 行中找不到表头（应有“统一社会信用代码”等列，见台账模板）"]}


def _no_header() -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet("x").write_string(0, 0, "没有表头")
    book.close()
    return buffer.getvalue()


def test_the_command_names_every_problem_exits_1_and_imports_nothing(runner, people, tmp_path):
    path = tmp_path / "台账2020.xlsx"
    path.write_bytes(workbook(_rows_with_errors()))
    refused = runner.invoke(args=["loanfund", "import-ledger", str(path), "--by", "admin"])
    assert refused.exit_code == 1
    assert "✗ 第 14 行「合作银行」：“某农村商业银行”不是本资金的合作银行" in refused.output
    assert "✗ 第 124 行「续贷日期」：续贷日期早于放款日期 2020-07-09" in refused.output
    assert "台账2020.xlsx：读取 200 行，新增 0 笔，此前已导入 0 笔，拒收 4 行（整份未导入）" in refused.output
    assert count(Application, Application.imported_key.is_not(None)) == 0
    partial = runner.invoke(args=["loanfund", "import-ledger", str(path), "--by", "admin", "--row-by-row"])
    assert partial.exit_code == 0, partial.output
    assert "读取 200 行，新增 196 笔，此前已导入 0 笔，拒收 4 行" in partial.output
    nobody = runner.invoke(args=["loanfund", "import-ledger", str(path), "--by", "nobody"])
    assert nobody.exit_code == 2 and "没有用户“nobody”" in nobody.output


def test_a_credit_code_is_one_enterprise_in_the_file_and_in_the_register(people, traveller):
    registered = people["ent1"].enterprise
    assert registered is not None
    rows = [row(n) for n in range(3)]
    rows[0][1] = registered.credit_code  # known as another name
    rows[2][1] = rows[1][1]  # one code, two names in the file
    result = ledger_import.run(_admin(), city_fund_id(), "台账.xlsx", workbook(rows), dry_run=True)
    assert [str(problem) for problem in result.problems] == [
        f"第 4 行「企业名称」：该统一社会信用代码已登记为“{registered.name}”，请核对企业名称或信用代码",
        "第 6 行「企业名称」：与第 5 行信用代码相同而企业名称不同（“过往企业001有限公司”）",
    ]
    rows[0][0] = registered.name
    rows[2][0] = rows[1][0]
    imported = ledger_import.run(_admin(), city_fund_id(), "台账.xlsx", workbook(rows))
    assert (imported.created, imported.problems) == (3, [])
    assert count(Enterprise, Enterprise.credit_code == rows[1][1]) == 1  # the two rows' bridges, one enterprise
    assert count(Application, Application.enterprise_id == registered.id) >= 1


def test_the_documented_template_is_the_one_read():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "ledger-import.md").read_text(encoding="utf-8")
    table = [line for line in doc.splitlines() if line.startswith("| ") and "`" in line]
    assert table == [f"| {header} | `{name}` | {hint} |" for name, header, hint in COLUMNS]


def test_a_negative_figure_is_named(people):
    rows = [row(0)]
    rows[0][5] = "-1"
    rows[0][9] = "-250,000.00"
    result = ledger_import.run(_admin(), city_fund_id(), "台账.xlsx", workbook(rows), dry_run=True)
    assert [str(problem) for problem in result.problems] == [
        "第 4 行「营业收入（万元）」：不能为负数：-1",
        "第 4 行「到期贷款金额（元）」：不能为负数：-250,000.00",
    ]


def test_the_special_account_never_goes_below_zero_in_the_past(people, traveller):
    """2亿 paid in on 2018-12-20 (the cast's); six bridges of 40,000,000.00 out together on 2 March 2020 would take
    2.4亿: the file is refused, naming the day and the balance, even row by row."""
    rows = []
    for n in range(6):
        values = row(n)
        values[9:19] = [
            "50,000,000.00",
            "40,000,000.00",
            "2020-03-02",
            f"HK-BIG-{n}",
            "2020-03-03",
            "50,000,000.00",
            "2020-03-05",
            f"HS-BIG-{n}",
            "40,000,000.00",
            "50,000.00",  # 40,000,000.00 × (2 × 0.40‰ + 0.45‰)
        ]
        rows.append(values)
    for row_by_row in (False, True):
        result = ledger_import.run(_admin(), city_fund_id(), "台账.xlsx", workbook(rows), row_by_row=row_by_row)
        assert [str(problem) for problem in result.problems] == [
            "文件：导入后专用账户 2020-03-02 的日终余额将为 -40,000,000.00 元：专用账户余额不能为负，"
            "请先在“出资登记”中补录当时的出资（含入账日期与银行凭证号）"
        ]
        assert result.record is not None and (result.record.outcome, result.created) == ("refused", 0)
    assert ledger_import.run(_admin(), city_fund_id(), "台账.xlsx", workbook(rows[:5])).created == 5  # 2亿 exactly


@pytest.mark.migrated  # SQLite as a file, its writers serialised as in production
def test_two_imports_of_one_file_at_once_write_it_once(people, traveller, app):
    """PostgreSQL: both runs find the rows new, the second meets the first's keys in the unique index and is told so
    (nothing of it kept); SQLite: the second waits for the writer and finds the rows imported. Either way once."""
    import threading

    from loanfund.domain.errors import Conflict

    data = workbook([row(n) for n in range(5)])
    db.session.remove()
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(2)

    def run_import() -> None:
        with app.app_context():
            try:
                admin = _admin()
                db.session.rollback()
                barrier.wait(timeout=30)
                result = ledger_import.run(admin, city_fund_id(), "台账.xlsx", data)
                outcome = f"created {result.created}, skipped {result.skipped}"
            except Conflict as exc:
                db.session.rollback()
                outcome = exc.code
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=run_import) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert "created 5, skipped 0" in outcomes and len(outcomes) == 2
    assert set(outcomes) - {"created 5, skipped 0"} <= {"imported_beside", "created 0, skipped 5"}
    assert count(Application, Application.imported_key.is_not(None)) == 5
    assert reconcile(city_fund_id()).ok

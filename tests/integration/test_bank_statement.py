"""The special account's statement matched with the books (issue 29), on both databases.

The month of ``flows.november_2026`` with a contribution (东海县财政局 5,000,000.00 on 20 Nov, CZ-1120) and a
distribution paid on 25 Nov (the 64,000.00 of fees so far: A0 5,000.00, A1 37,500.00, A2 21,500.00; FP-1125). The
special account, worked out by hand from 200,005,000.00 at the end of October:

| day | movement | balance |
|---|---|---:|
| 2 Nov | A1 out 30,000,000.00 (HK-A1) | 170,005,000.00 |
| 5 Nov | A1 back 30,037,500.00 (HS-A1) | 200,042,500.00 |
| 9 Nov | A2 out 10,000,000.00 (HK-A2) | 190,042,500.00 |
| 14 Nov | A2 back 10,021,500.00 (HS-A2) | 200,064,000.00 |
| 16 Nov | A3 out 8,000,000.00 (HK-A3) | 192,064,000.00 |
| 20 Nov | contribution 5,000,000.00 (CZ-1120) | 197,064,000.00 |
| 25 Nov | distribution paid 64,000.00 (FP-1125) | 197,000,000.00 |
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
import xlsxwriter
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select, text

from loanfund.domain.errors import Conflict, InvalidInput
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import StatementImport, StatementLine, StatementMatch, User
from loanfund.services.books import bank_statement, capital
from loanfund.services.books.bank_statement import FileRefused
from tests.factories import city_fund_id
from tests.flows import november_2026

pytestmark = pytest.mark.both_databases

M = Money.parse
NOV = (date(2026, 11, 1), date(2026, 11, 30))
HEADER = "交易日期,收入金额,支出金额,对方户名,摘要,余额"
MONTH = [
    "2026-11-02,,30000000.00,中国工商银行连云港分行,应急转贷划款 HK-A1,170005000.00",
    "2026-11-05,30037500.00,,中国工商银行连云港分行,HS-A1,200042500.00",
    "2026-11-09,,10000000.00,江苏银行连云港分行,应急转贷划款 HK-A2,190042500.00",
    "2026-11-14,10021500.00,,江苏银行连云港分行,HS-A2,200064000.00",
    "2026-11-16,,8000000.00,中国工商银行连云港分行,应急转贷划款 HK-A3,192064000.00",
    "2026-11-20,5000000.00,,东海县财政局,出资 CZ-1120,197064000.00",
    "2026-11-25,,64000.00,连云港市工业投资集团有限公司等,收益分配 FP-1125,197000000.00",
]
COLUMNS = {
    "date": "交易日期",
    "credit": "收入金额",
    "debit": "支出金额",
    "counterparty": "对方户名",
    "reference": "摘要",
    "balance": "余额",
}


def _csv(*lines: str, title: bool = True, encoding: str = "utf-8") -> bytes:
    above = ["中国工商银行 账户明细", "账号：1107 0201 0900 0123 456,币种：人民币"] if title else []
    return "\n".join([*above, HEADER, *lines, "合计,45059000.00,48064000.00,,,"]).encode(encoding)


def _month(traveller) -> dict[str, int]:  # type: ignore[no-untyped-def]
    made = november_2026(traveller)
    county = capital.contributor_named(city_fund_id(), "东海县财政局", "county")
    capital.record_contribution(county, M("5,000,000.00"), date(2026, 11, 20), "CZ-1120")
    capital.run_distribution(city_fund_id(), date(2026, 11, 25), Decimal("0.06"))
    capital.pay_distributions(city_fund_id(), date(2026, 11, 25), "FP-1125")
    admin = _user("admin")
    bank_statement.save_format(admin, city_fund_id(), "工商银行网银明细", "table", COLUMNS)
    bank_statement.save_format(admin, city_fund_id(), "CAMT.053", "camt053", {})
    return made


def _user(name: str) -> User:
    return db.session.scalars(select(User).where(User.username == name)).one()


def _count(model: type) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_month_with_money_out_back_in_and_paid_out_matches_every_line(people, traveller):
    _month(traveller)
    operator = _user("operator")
    record = bank_statement.import_file(operator, city_fund_id(), "工商银行网银明细", "2026-11.csv", _csv(*MONTH))
    assert (record.lines_read, record.lines_added, record.lines_known, record.matched) == (7, 7, 0, 7)
    assert (record.period_start, record.period_end) == (date(2026, 11, 2), date(2026, 11, 25))
    standing = bank_statement.standing(operator, city_fund_id(), *NOV)
    assert (standing.lines, standing.matched, standing.open_lines, standing.open_movements) == (7, 7, [], [])
    assert standing.reconciled and len(standing.days) == 24  # 2 to 25 November, the days the statement covers
    assert {d.difference for d in standing.days} == {M("0.00")}  # every day, carried over the days without lines
    closing = {d.day: (d.bank_closing, d.books_closing) for d in standing.days if d.day.day in (2, 5, 15, 16, 25)}
    assert closing == {
        date(2026, 11, 2): (M("170,005,000.00"), M("170,005,000.00")),
        date(2026, 11, 5): (M("200,042,500.00"), M("200,042,500.00")),
        date(2026, 11, 15): (M("200,064,000.00"), M("200,064,000.00")),  # no line that day: the 14th's balance
        date(2026, 11, 16): (M("192,064,000.00"), M("192,064,000.00")),
        date(2026, 11, 25): (M("197,000,000.00"), M("197,000,000.00")),
    }
    day = next(d for d in standing.days if d.day == date(2026, 11, 5))
    assert (day.bank_in, day.bank_out, day.books_in, day.books_out) == (
        M("30,037,500.00"),
        M("0.00"),
        M("30,037,500.00"),
        M("0.00"),
    )


def test_a_file_imported_again_or_overlapping_adds_nothing(people, traveller):
    _month(traveller)
    operator = _user("operator")
    bank_statement.import_file(operator, city_fund_id(), "工商银行网银明细", "2026-11.csv", _csv(*MONTH))
    again = bank_statement.import_file(operator, city_fund_id(), "工商银行网银明细", "2026-11.csv", _csv(*MONTH))
    assert (again.lines_read, again.lines_added, again.lines_known, again.matched) == (7, 0, 7, 0)
    overlapping = _csv(*MONTH[3:], title=False, encoding="gb18030")  # 14 to 25 November, as GBK without a title
    later = bank_statement.import_file(operator, city_fund_id(), "工商银行网银明细", "后半月.csv", overlapping)
    assert (later.lines_read, later.lines_added, later.lines_known) == (4, 0, 4)
    assert (_count(StatementLine), _count(StatementMatch), _count(StatementImport)) == (7, 7, 3)


def test_a_missing_an_extra_and_a_wrong_line_are_each_shown(people, traveller):
    _month(traveller)
    operator = _user("operator")
    lines = [
        *MONTH[:3],
        "2026-11-14,10021400.00,,江苏银行连云港分行,HS-A2,200063900.00",  # 100.00 short of the books
        # HK-A3 of 16 November missing
        "2026-11-18,,500.00,中国工商银行连云港分行,账户管理费,200063400.00",  # the books have no such payment
        *MONTH[5:],
    ]
    record = bank_statement.import_file(operator, city_fund_id(), "工商银行网银明细", "2026-11.csv", _csv(*lines))
    assert record.matched == 5
    standing = bank_statement.standing(operator, city_fund_id(), *NOV)
    shown = {
        (o.line.booked_on, o.line.amount): [(n.movement.bank_ref, n.differences) for n in o.near]
        for o in standing.open_lines
    }
    assert shown == {
        (date(2026, 11, 14), M("10,021,400.00")): [
            ("HS-A2", ("金额不同：银行 10,021,400.00 元，账面 10,021,500.00 元，相差 -100.00 元",))
        ],
        (date(2026, 11, 18), -M("500.00")): [],
    }
    assert [(m.posted_on, m.amount, m.bank_ref) for m in standing.open_movements] == [
        (date(2026, 11, 14), M("10,021,500.00"), "HS-A2"),
        (date(2026, 11, 16), -M("8,000,000.00"), "HK-A3"),
    ]
    late = {d.day: (d.unmatched_lines, d.unmatched_movements, d.difference) for d in standing.unreconciled}
    assert late == {  # bank against books at each day's end, the bank's balance carried over days without lines
        date(2026, 11, 14): (1, 1, M("-100.00")),  # 200,063,900.00 against 200,064,000.00
        date(2026, 11, 15): (0, 0, M("-100.00")),
        date(2026, 11, 16): (0, 1, M("7,999,900.00")),  # against 192,064,000.00 once A3 is out in the books
        date(2026, 11, 17): (0, 0, M("7,999,900.00")),
        date(2026, 11, 18): (1, 0, M("7,999,400.00")),  # the bank's 500.00 fee
        date(2026, 11, 19): (0, 0, M("7,999,400.00")),
    }  # from the 20th the file's balances are the books' again
    wrong = next(o.line for o in standing.open_lines if o.line.amount == M("10,021,400.00"))
    hs_a2 = standing.open_movements[0].entry_id
    with pytest.raises(InvalidInput) as caught:
        bank_statement.match_by_hand(operator, city_fund_id(), wrong.id, hs_a2, "银行少记")
    assert caught.value.errors == {
        "entry_id": ["金额不一致（银行 10,021,400.00 元，账面 10,021,500.00 元），不能对账：请先查明差额"]
    }


def test_a_hand_match_needs_a_reason_holds_once_and_is_undone_with_one(people, traveller):
    _month(traveller)
    operator = _user("operator")
    other_ref = [*MONTH[:5], "2026-11-20,5000000.00,,东海县财政局,县财政拨款,197064000.00", *MONTH[6:]]
    bank_statement.import_file(operator, city_fund_id(), "工商银行网银明细", "2026-11.csv", _csv(*other_ref))
    standing = bank_statement.standing(operator, city_fund_id(), *NOV)
    [line] = [o.line for o in standing.open_lines]
    [movement] = standing.open_movements
    assert movement.bank_ref == "CZ-1120"
    with pytest.raises(InvalidInput) as caught:
        bank_statement.match_by_hand(operator, city_fund_id(), line.id, movement.entry_id, " ")
    assert caught.value.errors == {"reason": ["人工对账须写明理由"]}
    made = bank_statement.match_by_hand(
        operator, city_fund_id(), line.id, movement.entry_id, "摘要未写凭证号，金额、日期相符"
    )
    assert (made.how, made.reason) == ("hand", "摘要未写凭证号，金额、日期相符")
    assert bank_statement.standing(operator, city_fund_id(), *NOV).reconciled
    with pytest.raises(Conflict):
        bank_statement.match_by_hand(operator, city_fund_id(), line.id, movement.entry_id, "再对一次")
    with pytest.raises(InvalidInput):
        bank_statement.undo(operator, city_fund_id(), made.id, "")
    undone = bank_statement.undo(operator, city_fund_id(), made.id, "对错了")
    assert (undone.undone_at is not None, undone.undo_reason) == (True, "对错了")
    assert not bank_statement.standing(operator, city_fund_id(), *NOV).reconciled
    again = bank_statement.match_by_hand(operator, city_fund_id(), line.id, movement.entry_id, "复核后确认")
    assert again.id != made.id and _count(StatementMatch) == 8  # the undone one stays, marked


def test_a_file_with_problems_is_refused_row_by_row_and_stores_nothing(people, traveller):
    _month(traveller)
    operator = _user("operator")
    bad = [
        "2026-11-02,,30000000.00,中国工商银行连云港分行,HK-A1,170005000.00",
        "2026-13-05,30037500.00,,中国工商银行连云港分行,HS-A1,200042500.00",
        "2026-11-09,,10000000.005,江苏银行连云港分行,HK-A2,190042500.00",
        "2026-11-14,10021500.00,5.00,江苏银行连云港分行,HS-A2,200064000.00",
        "2026-11-16,,,中国工商银行连云港分行,HK-A3,192064000.00",
    ]
    with pytest.raises(FileRefused) as caught:
        bank_statement.import_file(operator, city_fund_id(), "工商银行网银明细", "bad.csv", _csv(*bad))
    assert caught.value.errors == {
        "file": [
            "第 5 行「交易日期」：无法识别的日期 2026-13-05",
            "第 6 行「支出金额」：金额最多保留两位小数（精确到分）：10000000.005",
            "第 7 行「收入金额」：同一行收入、支出金额不能都有",
            "第 8 行「收入金额」：收入、支出金额均为空",
        ]
    }
    assert (_count(StatementLine), _count(StatementImport)) == (0, 0)
    with pytest.raises(FileRefused) as caught:
        bank_statement.import_file(operator, city_fund_id(), "工商银行网银明细", "x.csv", b"a,b\n1,2\n")
    assert caught.value.errors == {"file": ["文件「交易日期」：前 30 行中找不到这一列的表头，请核对所选的银行格式"]}
    with pytest.raises(InvalidInput) as caught:
        bank_statement.import_file(operator, city_fund_id(), "农业银行", "x.csv", _csv(*MONTH))
    assert caught.value.errors == {
        "bank_format": ["没有名为“农业银行”的银行流水格式；可选：CAMT.053、工商银行网银明细"]
    }


def test_a_workbook_with_title_rows_numbers_and_dates_is_read_as_the_bank_wrote_it(people, traveller):
    _month(traveller)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("明细")
    sheet.write_row(0, 0, ["中国工商银行账户明细查询"])
    sheet.write_row(2, 0, HEADER.split(","))
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for n, written in enumerate(MONTH, start=3):
        cells = written.split(",")
        sheet.write_datetime(n, 0, date.fromisoformat(cells[0]), day)  # type: ignore[arg-type]
        for col in (1, 2, 5):
            if cells[col]:
                sheet.write_number(n, col, float(cells[col]))  # as a bank's export has them: numbers
        sheet.write_string(n, 3, cells[3])
        sheet.write_string(n, 4, cells[4])
    book.close()
    record = bank_statement.import_file(
        _user("operator"), city_fund_id(), "工商银行网银明细", "2026-11.xlsx", buffer.getvalue()
    )
    assert (record.lines_added, record.matched) == (7, 7)
    amounts = db.session.scalars(select(StatementLine.amount).order_by(StatementLine.booked_on)).all()
    assert amounts[:2] == [-M("30,000,000.00"), M("30,037,500.00")]


CAMT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
 <BkToCstmrStmt>
  <GrpHdr><MsgId>STMT-202611</MsgId><CreDtTm>2026-12-01T08:00:00</CreDtTm></GrpHdr>
  <Stmt>
   <Id>LYG-SPECIAL-202611</Id>
   <FrToDt><FrDtTm>2026-11-01T00:00:00</FrDtTm><ToDtTm>2026-11-05T23:59:59</ToDtTm></FrToDt>
   <Acct><Id><Othr><Id>110702010900012345</Id></Othr></Id><Ccy>CNY</Ccy></Acct>
   <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">200042500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
    <Dt><Dt>2026-11-05</Dt></Dt></Bal>
   <Ntry><Amt Ccy="CNY">30000000.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
    <BookgDt><Dt>2026-11-02</Dt></BookgDt><AcctSvcrRef>ICBC20261102000001</AcctSvcrRef>
    <NtryDtls><TxDtls><Refs><EndToEndId>HK-A1</EndToEndId></Refs>
     <RltdPties><Cdtr><Nm>中国工商银行连云港分行</Nm></Cdtr></RltdPties></TxDtls></NtryDtls></Ntry>
   <Ntry><Amt Ccy="CNY">30037500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
    <BookgDt><Dt>2026-11-05</Dt></BookgDt><AcctSvcrRef>ICBC20261105000007</AcctSvcrRef>
    <NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
     <RmtInf><Ustrd>归还应急转贷 HS-A1</Ustrd></RmtInf>
     <RltdPties><Dbtr><Nm>中国工商银行连云港分行</Nm></Dbtr></RltdPties></TxDtls></NtryDtls></Ntry>
   <Ntry><Amt Ccy="CNY">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts>
    <BookgDt><Dt>2026-11-05</Dt></BookgDt></Ntry>
  </Stmt>
 </BkToCstmrStmt>
</Document>"""


def test_a_camt053_statement_is_read_with_its_period_and_closing_balance(people, traveller):
    _month(traveller)
    operator = _user("operator")
    record = bank_statement.import_file(operator, city_fund_id(), "CAMT.053", "202611.xml", CAMT.encode())
    assert (record.period_start, record.period_end, record.lines_added, record.matched) == (
        date(2026, 11, 1),
        date(2026, 11, 5),
        2,  # the pending entry is not a booked line
        2,
    )
    standing = bank_statement.standing(operator, city_fund_id(), date(2026, 11, 1), date(2026, 11, 5))
    assert standing.reconciled and len(standing.days) == 5
    assert standing.days[-1].bank_closing == M("200,042,500.00")
    again = bank_statement.import_file(operator, city_fund_id(), "CAMT.053", "202611-again.xml", CAMT.encode())
    assert (again.lines_added, again.lines_known) == (0, 2)  # the bank's own ids: the same lines


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><Document>&b;</Document>',
            "文件：不是有效的 CAMT.053 XML 文件（或含有不允许的实体、DTD）",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document>&x;</Document>',
            "文件：不是有效的 CAMT.053 XML 文件（或含有不允许的实体、DTD）",
        ),
        (b"<Document><Other/></Document>", "文件：不是 CAMT.053 对账单：找不到 BkToCstmrStmt/Stmt"),
        (
            CAMT.replace('Ccy="CNY">30000000.00', 'Ccy="USD">30000000.00').encode(),
            "第 1 笔「Amt」：币种为 USD，专用账户只收付人民币（CNY）",
        ),
    ],
)
def test_a_hostile_or_foreign_xml_file_is_refused(people, traveller, data, message):
    _month(traveller)
    with pytest.raises(FileRefused) as caught:
        bank_statement.import_file(_user("operator"), city_fund_id(), "CAMT.053", "x.xml", data)
    assert caught.value.errors == {"file": [message]}
    assert _count(StatementLine) == 0


def test_only_the_operator_imports_and_matches_and_the_group_reads(people, traveller):
    _month(traveller)
    for name in ("group", "admin", "reviewer", "bank1"):
        with pytest.raises(Exception) as caught:
            bank_statement.import_file(_user(name), city_fund_id(), "工商银行网银明细", "x.csv", _csv(*MONTH))
        assert getattr(caught.value, "code", "") == "role_not_allowed"
    assert bank_statement.standing(_user("group"), city_fund_id(), *NOV).lines == 0
    with pytest.raises(Exception) as caught:
        bank_statement.standing(_user("bank1"), city_fund_id(), *NOV)
    assert getattr(caught.value, "code", "") == "role_not_allowed"


def test_a_format_names_its_columns_or_says_what_is_missing(people, traveller):
    admin = _user("admin")
    with pytest.raises(InvalidInput) as caught:
        bank_statement.save_format(admin, city_fund_id(), " ", "table", {"credit": "收入", "amount": "发生额"})
    assert caught.value.errors == {
        "name": ["请填写格式名称"],
        "date": ["请填写交易日期所在列的列名"],
        "amount": ["发生额与收入、支出金额只能二选一"],
    }
    with pytest.raises(InvalidInput) as caught:
        bank_statement.save_format(
            admin, city_fund_id(), "某行", "table", {"date": "日期", "credit": "金额", "debit": "金额"}
        )
    assert caught.value.errors == {"date": ["同一列名不能用于两项：金额"]}
    signed = bank_statement.save_format(admin, city_fund_id(), "某行", "table", {"date": "日期", "amount": "发生额"})
    assert signed.columns["amount"] == "发生额"
    with pytest.raises(Exception) as refused:
        bank_statement.save_format(_user("operator"), city_fund_id(), "另一行", "camt053", {})
    assert getattr(refused.value, "code", "") == "role_not_allowed"


@pytest.mark.migrated
def test_the_banks_lines_are_append_only_and_a_match_changes_only_with_its_record(people, traveller, backend):
    _month(traveller)
    bank_statement.import_file(_user("operator"), city_fund_id(), "工商银行网银明细", "2026-11.csv", _csv(*MONTH))
    for statement in (
        "UPDATE bank_statement_lines SET amount = 1",
        "DELETE FROM bank_statement_lines",
        "UPDATE bank_statement_balances SET balance = 1",
    ):
        with pytest.raises(sa_exc.DBAPIError) as refused:
            db.session.execute(text(statement))
            db.session.commit()
        assert "append-only" in str(refused.value) or "append_only" in str(refused.value)
        db.session.rollback()
    if backend == "postgresql":  # a match undone outside LoanFund: refused at commit, it has no audit record
        db.session.execute(text("UPDATE bank_statement_matches SET undone_at = now(), undo_reason = 'x'"))
        with pytest.raises(sa_exc.DBAPIError) as refused:
            db.session.commit()
        assert "has no audit record" in str(refused.value)
        db.session.rollback()
    assert (
        _count(StatementMatch) == 7
        and db.session.scalar(select(func.count()).where(StatementMatch.undone_at.is_not(None))) == 0
    )


def test_the_days_apart_from_the_bank_are_warned_and_the_sweep_tells_once(people, traveller):
    from loanfund.models import Message
    from loanfund.services.oversight import risk
    from loanfund.services.oversight.sweep import sweep

    _month(traveller)  # today: 1 December
    lines = [*MONTH[:3], "2026-11-14,10021400.00,,江苏银行连云港分行,HS-A2,200063900.00", *MONTH[4:]]
    bank_statement.import_file(_user("operator"), city_fund_id(), "工商银行网银明细", "2026-11.csv", _csv(*lines))
    expected = [
        "2 天与银行对账单未对平（2026-11-14、2026-11-15），已超过 2 天",  # 100.00 short, carried to the 15th
        "银行对账单只导入到 2026-11-25，此后 5 天未导入（超过 2 天）",
    ]
    found = risk.report(city_fund_id())
    assert [w.why for w in found.warnings if w.risk.value == "bank-unreconciled"] == expected
    assert sweep().statements == [str(city_fund_id())]
    told = db.session.scalars(select(Message).where(Message.kind == "bank_unreconciled")).all()
    assert {m.user.username for m in told} == {"operator", "operator2", "group"}
    assert told[0].body.startswith("；".join(expected))
    assert sweep().statements == []  # once
    assert len(db.session.scalars(select(Message).where(Message.kind == "bank_unreconciled")).all()) == 3


def test_the_months_report_and_the_audit_pack_carry_the_bank_check(people, traveller, runner, tmp_path):
    import csv
    import zipfile

    from loanfund.models import Fund
    from loanfund.services.reports import reporting

    _month(traveller)
    operator = _user("operator")
    city = db.session.get(Fund, city_fund_id())
    assert reporting.report(city, *NOV).bank is None  # nothing imported: the report says so
    lines = [*MONTH[:3], "2026-11-14,10021400.00,,江苏银行连云港分行,HS-A2,200063900.00", *MONTH[4:]]
    bank_statement.import_file(operator, city_fund_id(), "工商银行网银明细", "2026-11.csv", _csv(*lines))
    check = reporting.report(city, *NOV).bank
    assert check is not None
    assert (check.period_days, check.covered_days, check.reconciled_days) == (30, 24, 22)
    assert (check.bank_in, check.bank_out) == (M("45,058,900.00"), M("48,064,000.00"))
    assert (check.books_in, check.books_out) == (M("45,059,000.00"), M("48,064,000.00"))
    assert (check.unmatched_lines, check.unmatched_movements) == (1, 1)
    assert (check.closing_day, check.bank_closing, check.books_closing) == (
        date(2026, 11, 25),
        M("197,000,000.00"),
        M("197,000,000.00"),
    )
    assert check.apart == [
        "2026-11-14：银行 1 笔、账面 1 笔未对账；日终余额相差 -100.00 元",
        "2026-11-15：日终余额相差 -100.00 元",
    ]
    report = reporting.report(city, *NOV)
    assert reporting.Report.from_json(report.to_json()).bank == check  # a filed revision keeps it
    result = runner.invoke(args=["loanfund", "audit-pack", "2026", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "审计资料-2026.zip") as pack:
        rows = list(csv.reader(pack.read("bank-statement/lines-2026.csv").decode("utf-8-sig").splitlines()))
        days = list(csv.reader(pack.read("bank-statement/days-2026.csv").decode("utf-8-sig").splitlines()))
        manifest = pack.read("MANIFEST.sha256").decode()
    assert rows[0][-2:] == ["对应分录号", "对账方式"] and len(rows) == 8
    assert rows[4][:2] == ["2026-11-14", "10021400.00"] and rows[4][-2:] == ["", ""]  # the line 100.00 short
    assert rows[1][-1] == "自动"
    assert [d[0] for d in days[1:] if d[-1] == "否"] == ["2026-11-14", "2026-11-15"]
    assert "  bank-statement/lines-2026.csv\n" in manifest and "  bank-statement/imports.csv\n" in manifest


def test_the_command_imports_once_and_names_every_problem(people, traveller, runner, tmp_path):
    _month(traveller)
    month = tmp_path / "2026-11.csv"
    month.write_bytes(_csv(*MONTH))

    def command(path: object, fmt: str = "工商银行网银明细"):  # type: ignore[no-untyped-def]
        return runner.invoke(args=["loanfund", "bank-statement", "import", str(path), "--bank-format", fmt])

    done = command(month)
    assert done.exit_code == 0, done.output
    assert "2026-11.csv（2026-11-02 至 2026-11-25）：读取 7 笔，新增 7 笔，已有 0 笔，自动对账 7 笔" in done.output
    again = command(month)
    assert "读取 7 笔，新增 0 笔，已有 7 笔，自动对账 0 笔" in again.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv("2026-13-05,30037500.00,,中国工商银行连云港分行,HS-A1,200042500.00"))
    refused = command(bad)
    assert refused.exit_code == 1 and "第 4 行「交易日期」：无法识别的日期 2026-13-05" in refused.output
    unknown = command(month, "某银行")
    assert unknown.exit_code == 1
    assert _count(StatementLine) == 7

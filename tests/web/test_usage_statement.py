"""The usage statement (使用情况说明表, 第十九条; issue 11): complete, frozen at archiving with the archive date as its
填表日期, recorded as filed with the group office, and downloadable as PDF and .xlsx — for the application's parties
only.

The bridge: ent1 asks ICBC's bank for 30,000,000.00 on 1 November 2026; ICBC commits 40,000,000.00 under seal
承诺函〔2026〕18号; 张经办 prepares it (HK-2026-0001) and 赵复核 authorises it the same day; ICBC renews on 2 November
and the money is back on 4 November (HS-2026-0001): 3 days, 2 × 12,000.00 + 13,500.00 = 37,500.00 (R1–R3)."""

from __future__ import annotations

import io
import os
import re
from datetime import date, timedelta

import openpyxl
import pypdf
import pytest
from sqlalchemy import select

from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, Bank, Enterprise, UsageStatement, User
from loanfund.services import lifecycle
from loanfund.services.applications import materials

M = Money.parse
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def bridge(people, traveller):  # type: ignore[no-untyped-def]
    users = {u.username: u for u in db.session.scalars(select(User))}
    icbc = db.session.scalar(select(Bank).where(Bank.code == "ICBC-LYG"))
    data = lifecycle.ApplicationInput(
        bank_id=icbc.id,
        loan_contract_no="工银借字2025第0318号",
        loan_amount_due=M("40,000,000.00"),
        loan_due_date=date(2026, 11, 3),
        loan_overdue=False,
        requested_amount=M("30,000,000.00"),
        requested_days=3,
        own_funds=M("10,000,000.00"),
        purpose="归还到期贷款",
    )
    a = lifecycle.submit_application(users["ent1"], data).id
    materials.upload(users["ent1"], a, "licence", [("营业执照.pdf", PDF_BYTES)])
    lifecycle.accept(
        users["reviewer"],
        a,
        credit_report_date=date(2026, 10, 28),
        credit_adverse="none",
        credit_industry="fits",
        credit_operating="good",
        credit_check_note="人行征信无不良记录，无对外担保",
        note="材料齐全",
        missing_materials_reason="借款合同、财务报表、征信报告已核原件，扫描件后补",
    )
    materials.upload(users["bank1"], a, "commitment", [("承诺函.pdf", PDF_BYTES)])
    lifecycle.commit(users["bank1"], a, M("40,000,000.00"), "同意续贷", "承诺函〔2026〕18号")
    lifecycle.approve(users["operator"], a, M("30,000,000.00"), M("10,000,000.00"))
    lifecycle.prepare_disbursement(users["operator"], a, date(2026, 11, 1), "HK-2026-0001")
    lifecycle.authorise_disbursement(users["operator2"], a)
    traveller.shift(timedelta(days=1))
    lifecycle.confirm_renewal(users["bank1"], a, "工银借字2026第1102号", M("40,000,000.00"), date(2026, 11, 2))
    traveller.shift(timedelta(days=2))
    lifecycle.confirm_return(users["bank1"], a, date(2026, 11, 4), M("30,000,000.00"), M("37,500.00"), "HS-2026-0001")
    return a


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


EXPECTED = [
    "连云港市中小企业应急转贷资金使用情况说明表",
    "统一社会信用代码 91320706MA1Q8RXL4A",
    "征信报告日期 2026年10月28日",
    "资格和信用审查 无不良信用记录；符合产业发展政策；运营状况良好",
    "审查结论 人行征信无不良记录，无对外担保",
    "银行承诺续贷额度 40,000,000.00 元",
    "银行经办人 / 承诺函（盖章）编号 王立新 / 承诺函〔2026〕18号",
    "批准使用金额 30,000,000.00 元",
    "批准金额大写 人民币叁仟万元整",
    "费率档次 第 ",
    "日费率 前 2 天 0.40‰，其后 0.45‰（超出部分按较高费率）",
    "起息日 / 最迟收回日 2026年11月1日 / 2026年11月11日",
    "划出凭证号 HK-2026-0001",
    "收款户名 中国工商银行连云港分行转贷资金过渡户",
    "收款账号 1107 0201 0900 0123 456",
    "制单（经办） / 复核 张经办 2026年11月1日 / 赵复核 2026年11月1日",
    "续贷合同 / 金额 / 日期 工银借字2026第1102号 · 40,000,000.00 元 · 2026年11月2日",
    "收回（第 1 笔） 2026年11月4日 本金 30,000,000.00 元、费用 37,500.00 元 · 划回凭证号 HS-2026-0001",
    "实际使用天数 3 天（算头不算尾）",
    "应收费用 37,500.00 元",
    "费用计算 30,000,000.00 元 × 0.40‰ × 2 天 = 24,000.00 元；30,000,000.00 元 × 0.45‰ × 1 天 = 13,500.00 元",
    "费用大写 人民币叁万柒仟伍佰元整",
    "营业执照 营业执照.pdf（2026年11月1日 上传",
]


def test_a_draft_before_archiving_has_no_filing_date(client, auth, bridge):
    auth.login("operator")
    page = text_of(client.get(f"/applications/{bridge}/statement").get_data(as_text=True))
    assert "填表日期 （尚未归档，本表为草稿）" in page
    for line in EXPECTED:
        assert line in page, line
    assert db.session.scalars(select(UsageStatement)).all() == []


def test_archiving_freezes_the_statement_with_the_archive_date(client, auth, bridge, traveller):
    operator = db.session.scalar(select(User).where(User.username == "operator"))
    traveller.shift(timedelta(days=1))  # archived on 5 November
    lifecycle.archive(operator, bridge, "资料已立卷归档")
    (row,) = db.session.scalars(select(UsageStatement)).all()
    assert (row.application_id, row.filed_on, row.filed_with) == (
        bridge,
        date(2026, 11, 5),
        "连云港市中小企业应急转贷资金领导小组办公室",
    )
    # weeks later the enterprise changes its contact and the bank its officer: the filed statement does not move
    traveller.shift(timedelta(days=20))
    db.session.scalar(select(Enterprise).where(Enterprise.credit_code == "91320706MA1Q8RXL4A")).contact_name = "新会计"
    db.session.commit()
    auth.login("group")
    page = text_of(client.get(f"/applications/{bridge}/statement").get_data(as_text=True))
    assert "填表日期 2026年11月5日 · 已报连云港市中小企业应急转贷资金领导小组办公室备案" in page
    for line in EXPECTED:
        assert line in page, line
    assert "刘海润 / 孙会计" in page and "新会计" not in page
    assert "归档 张经办（平台运营（市工业投资集团）） 资料已立卷归档" in page


def needs_pango() -> None:
    """WeasyPrint draws with the system's Pango: without it the PDF test skips, except under CI (which installs it)."""
    try:
        import weasyprint  # noqa: F401
    except OSError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the PDF test, and WeasyPrint cannot load Pango: {exc}")
        pytest.skip(f"WeasyPrint cannot load Pango (apt install libpango-1.0-0 libpangoft2-1.0-0): {exc}")


def test_the_statement_as_pdf_and_xlsx(client, auth, bridge):
    needs_pango()
    operator = db.session.scalar(select(User).where(User.username == "operator"))
    lifecycle.archive(operator, bridge, "资料已立卷归档")
    auth.login("ent1")  # the enterprise has its own statement
    pdf = client.get(f"/applications/{bridge}/statement.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    document = pypdf.PdfReader(io.BytesIO(pdf.data))
    printed = re.sub(r"\s+", "", "".join(page.extract_text() for page in document.pages))
    for line in (
        "连云港市中小企业应急转贷资金使用情况说明表",
        "填表日期2026年11月4日",
        "HK-2026-0001",
        "HS-2026-0001",
        "人民币叁万柒仟伍佰元整",
        "承诺函〔2026〕18号",
        "张经办",
        "赵复核",
        "第1页/共",
    ):
        assert line in printed, line
    fonts = {str(f) for page in document.pages for f in page["/Resources"]["/Font"].values()}
    assert fonts  # the text is drawn with an embedded font (no font needed on the reader's side)
    assert "attachment" in pdf.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/applications/{bridge}/statement.xlsx").data))
    sheet = book["说明表"]
    assert sheet["A2"].value.endswith("填表日期 2026年11月4日，已报连云港市中小企业应急转贷资金领导小组办公室备案")
    rows = {(r[1].value): r[2] for r in sheet.iter_rows(min_row=5)}
    assert rows["批准使用金额"].value == 30000000 and rows["批准使用金额"].number_format == '#,##0.00"元"'
    assert rows["应收费用"].value == 37500
    assert rows["费用大写"].value == "人民币叁万柒仟伍佰元整"
    assert rows["划出凭证号"].value == "HK-2026-0001"
    assert [c.value for c in book["办理过程"][5]][1] == "提交申请"


@pytest.mark.parametrize("suffix", ["", ".pdf", ".xlsx"])
def test_other_parties_do_not_get_the_statement(client, auth, bridge, suffix):
    for outsider in ("ent2", "bank2"):
        auth.login(outsider)
        assert client.get(f"/applications/{bridge}/statement{suffix}").status_code == 404


def test_a_long_history_fits_two_a4_pages_with_the_signatures_whole_and_named(people, traveller, flows):
    """Issue 23: the statement ran to three pages with its signature block orphaned and 经办人/复核人 blank. A bridge
    with a long record — the bank a week late to renew and short, the money back in two parts, recovery opened, the
    sweep's findings — still fits two A4 pages, and the last page carries the whole signature block, named."""
    from loanfund.domain.lifecycle import State
    from loanfund.services.oversight.sweep import sweep
    from loanfund.services.reports import documents

    needs_pango()
    users = {u.username: u for u in db.session.scalars(select(User))}
    a = flows.to(State.DISBURSED).id
    for _ in range(7):
        traveller.shift(timedelta(days=1))
        sweep()
    lifecycle.confirm_renewal(users["bank1"], a, "工银借字2026第1108号", M("35,000,000.00"), date(2026, 11, 8))
    lifecycle.confirm_return(users["bank1"], a, date(2026, 11, 8), M("10,000,000.00"), Money.zero(), "HS-1")
    traveller.shift(timedelta(days=5))
    sweep()
    lifecycle.open_recovery(users["operator"], a, "约谈企业，督促归还余款")
    account = lifecycle.account_of(db.session.get(Application, a))  # type: ignore[arg-type]
    lifecycle.confirm_return(
        users["bank1"], a, date(2026, 11, 13), account.principal_outstanding, account.fee_outstanding, "HS-2"
    )
    lifecycle.archive(users["operator"], a, "资料已立卷归档")
    statement = lifecycle.usage_statement(db.session.get(Application, a))  # type: ignore[arg-type]
    assert len(statement.events) >= 14
    assert (statement.maker, statement.checker) == ("张经办", "赵复核")
    document = pypdf.PdfReader(io.BytesIO(documents.statement_pdf(statement)))
    assert len(document.pages) == 2
    last = re.sub(r"\s+", "", document.pages[-1].extract_text())
    assert "资金管理平台（盖章）经办人：张经办复核人：赵复核日期：2026年11月13日" in last
    printed = "".join(page.extract_text() for page in document.pages)
    assert not re.search(r"\bR\d{1,2}\b", printed)  # the group reads it: words, no rule codes
    assert not re.search(r"renewal-|return-shortfall|overdue\b", printed)  # nor the sweep's own codes
    assert "续贷金额少于承诺" in printed and "银行逾期未续贷" in printed

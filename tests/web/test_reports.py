"""The monthly analysis and the statistics in the browser and as .xlsx (issue 11): who reads them, what they say,
submission as frozen revisions, and the workbook's cells — all on the month of ``tests.flows.november_2026``."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Message, MonthlyReport, User
from loanfund.services.oversight import recovery_file
from loanfund.services.reports import reporting
from tests.conftest import confirmation_values, form_tokens

M = Money.parse
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def page(client, url: str, status: int = 200) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    return response.get_data(as_text=True)


@pytest.mark.parametrize("username", ["reviewer", "admin"])  # the group and the operator read it in later tests
def test_staff_the_group_and_the_administrator_read_the_month(client, auth, november, username):
    auth.login(username)
    html = page(client, "/reports/monthly/2026/11")
    assert "连云港市中小企业应急转贷资金2026年11月使用情况分析" in html
    assert "48,000,000.00 元" in html  # disbursed
    assert "59,000.00 元" in html  # fee income
    assert "<svg" in html and 'aria-label="专用账户每日余额（万元）"' in html
    assert re.findall(r'(?:src|href)="(?:https?:)?//', html) == []  # nothing from another site (no CDN)


@pytest.mark.parametrize("username", ["bank1", "ent1"])
@pytest.mark.parametrize(
    "url",
    [
        "/reports/monthly",
        "/reports/monthly/2026/11",
        "/reports/monthly/2026/11.xlsx",
        "/reports/monthly/2026/11/r1",
        "/reports/monthly/2026/11/r1.xlsx",
        "/reports/statistics",
        "/reports/statistics?format=xlsx",
    ],
)
def test_a_bank_or_an_enterprise_does_not_reach_the_fund_figures(client, auth, people, username, url):
    auth.login(username)
    page(client, url, 404)


def test_the_default_month_is_the_last_one_ended(client, auth, november):
    auth.login("group")
    response = client.get("/reports/monthly")
    assert response.status_code == 302 and response.headers["Location"].endswith("/reports/monthly/2026/11")
    response = client.get("/reports/monthly?month=2026-13")
    assert response.status_code == 302 and response.headers["Location"].endswith("/reports/monthly/2026/11")
    page(client, "/reports/monthly/2026/13", 404)


ANALYSIS = "11月放款3笔4,800万元，收回2笔；ZD2026A3逾期未收回，已启动追偿并报送原因分析。\n下月督促中国工商银行续贷。"


def submit(client, note: str = "", analysis: str = ANALYSIS):  # type: ignore[no-untyped-def]
    """The operator's submission as a person makes it: the form, its confirmation, 确认 (a refusal comes first)."""
    html = page(client, "/reports/monthly/2026/11")
    action = "/reports/monthly/2026/11/submit"
    shown = client.post(action, data=form_tokens(html, action) | {"note": note, "analysis": analysis})
    if shown.status_code != 200:
        return shown
    assert "请确认：报送2026年11月资金使用分析" in shown.get_data(as_text=True)
    assert db.session.scalars(select(MonthlyReport)).all() == [] or note  # shown, not filed
    return client.post(action, data=confirmation_values(shown.get_data(as_text=True)))


def test_a_submitted_month_is_frozen_and_a_correction_is_revision_2(client, auth, november):
    auth.login("operator")
    without = submit(client, analysis="")
    assert without.status_code == 422
    assert "请填写本月运行情况分析（第二十一条）" in without.get_data(as_text=True)
    response = submit(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/reports/monthly/2026/11/r1")
    first = page(client, "/reports/monthly/2026/11/r1")
    assert "报送第 1 版" in first and "40,000,000.00 元" in first
    words = " ".join(re.sub(r"<[^>]+>", " ", first).split())
    assert "六、运行情况分析 11月放款3笔4,800万元" in words and "下月督促中国工商银行续贷" in words
    assert "报送单位 资金管理平台（连云港市中小企业应急转贷资金） 报送至 领导小组办公室" in words
    assert "经办人 张经办 报送日期 2026-12-02 09:00 版次 第 1 版" in words
    book = workbook(client, "/reports/monthly/2026/11/r1.xlsx")
    filing = {row[0].value: row[1].value for row in book["分析与报送"].iter_rows(min_row=5)}
    assert filing["运行情况分析"] == ANALYSIS
    assert (filing["报送至"], filing["经办人"], filing["版次"]) == ("领导小组办公室", "张经办", "第 1 版")

    # On 2 December the enterprise pays back A3 in full, booked on 30 November (the day the money arrived):
    # 8,000,000.00 and the fee for 14 days — 2 × 3,200.00 + 12 × 3,600.00 = 49,600.00 (R1–R3).
    operator = db.session.scalar(select(User).where(User.username == "operator"))
    recovery_file.record_measure(
        operator, november["A3"], date(2026, 11, 30), "企业筹款归还", M("8,049,600.00"), "HS-A3"
    )
    live = page(client, "/reports/monthly/2026/11")
    assert "48,000,000.00 元" in live and "108,600.00 元" in live  # returned principal and fee income now
    assert "期末没有逾期未收回的资金" in live
    again = page(client, "/reports/monthly/2026/11/r1")
    assert "40,000,000.00 元" in again and "59,000.00 元" in again and "108,600.00" not in again
    assert "企业下游货款未到" in again  # the overdue list as it was submitted

    refused = submit(client)  # a correction needs its reason
    assert refused.status_code == 422
    assert "已报送第 1 版，更正须说明原因" in refused.get_data(as_text=True)
    response = submit(client, "A3 于11月30日全额归还，更正收回与费用")
    assert response.headers["Location"].endswith("/reports/monthly/2026/11/r2")
    second = page(client, "/reports/monthly/2026/11/r2")
    assert "报送第 2 版" in second and "108,600.00 元" in second and "更正原因：A3 于11月30日全额归还" in second
    rows = db.session.scalars(select(MonthlyReport).order_by(MonthlyReport.revision)).all()
    assert [(r.month, r.revision) for r in rows] == [(date(2026, 11, 1), 1), (date(2026, 11, 1), 2)]
    assert rows[0].data["summary"]["fee_income"] == 5_900_000  # fen, as submitted
    assert rows[1].data["summary"]["fee_income"] == 10_860_000
    # the group hears of each submission
    group = db.session.scalar(select(User).where(User.username == "group"))
    subjects = db.session.scalars(select(Message.subject).where(Message.user_id == group.id)).all()
    assert "2026年11月资金使用分析已报送（第 1 版）" in subjects
    assert "2026年11月资金使用分析已报送（第 2 版）" in subjects


def test_only_an_operator_submits_and_only_a_month_that_has_ended(client, auth, november):
    auth.login("group")
    html = page(client, "/reports/monthly/2026/11")
    assert "报送本月分析" not in html
    response = client.post("/reports/monthly/2026/11/submit", data=form_tokens(html, "/reports/monthly/2026/11"))
    assert response.status_code == 404
    auth.login("operator")
    december = page(client, "/reports/monthly/2026/12")
    assert "报送本月分析" not in december and "本月尚未结束" in december
    assert db.session.scalars(select(MonthlyReport)).all() == []


def test_a_double_submission_files_one_revision(client, auth, november):
    auth.login("operator")
    html = page(client, "/reports/monthly/2026/11")
    action = "/reports/monthly/2026/11/submit"
    shown = client.post(action, data=form_tokens(html, action) | {"analysis": ANALYSIS})
    confirmed = confirmation_values(shown.get_data(as_text=True))
    client.post(action, data=confirmed)
    client.post(action, data=confirmed)
    assert [r.revision for r in db.session.scalars(select(MonthlyReport))] == [1]


def workbook(client, url: str) -> openpyxl.Workbook:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == XLSX
    return openpyxl.load_workbook(io.BytesIO(response.data))


def test_the_month_as_a_workbook(client, auth, november):
    auth.login("group")
    book = workbook(client, "/reports/monthly/2026/11.xlsx")
    assert book.sheetnames == [
        "概况",
        "状态",
        "合作银行",
        "县区",
        "企业规模",
        "行业",
        "贷款种类",
        "每日资金",
        "逾期",
        "银行违约",
        "办理时限",  # each stage's time by party (issue 30)
        "超时环节",
    ]
    summary = book["概况"]
    assert summary["A1"].value == "连云港市中小企业应急转贷资金 · 2026年11月资金使用分析（当前数据）"
    assert summary.freeze_panes == "A5"
    assert [c.value for c in summary[4]] == ["指标", "本期", "上期", "环比", "去年同期", "同比"]
    disbursed = summary[8]
    assert disbursed[0].value == "放款金额"
    assert disbursed[1].value == Decimal("48000000") and disbursed[1].number_format == '#,##0.00"元"'
    assert disbursed[2].value == Decimal("4000000")
    assert disbursed[3].value == Decimal("11") and disbursed[3].number_format == "0.0%"  # +1,100 %
    assert disbursed[5].value is None  # nothing a year before to compare with
    fee = summary[10]
    assert (fee[0].value, fee[1].value) == ("费用收入（实现）", Decimal("59000"))
    distributed = summary[11]
    assert (distributed[0].value, distributed[1].value) == ("收益分配（分出的费用收入）", Decimal("0"))
    count = summary[7]
    assert (count[0].value, count[1].value, count[1].number_format) == ("放款笔数", 3, '#,##0"笔"')

    banks = book["合作银行"]
    assert [c.value for c in banks[5]] == ["中国工商银行连云港分行", 3, Decimal("4000"), 2, Decimal("3800")]
    assert banks["C5"].number_format == '#,##0.00"万元"'
    assert [c.value for c in banks[7]] == ["合计", 5, Decimal("5500"), 3, Decimal("4800")]

    daily = book["每日资金"]
    assert daily.freeze_panes == "A5"
    nov_30 = daily[34]
    assert nov_30[0].value.date() == date(2026, 11, 30)
    assert [c.value for c in nov_30[1:4]] == [Decimal("192064000"), Decimal("2000000"), Decimal("8000000")]
    assert str(nov_30[4].value) == "0.05"  # 5.0 %, written as the decimal 0.05
    assert nov_30[1].number_format == '#,##0.00"元"' and nov_30[4].number_format == "0.0%"

    overdue = book["逾期"]
    assert overdue["B5"].value == "东海县晶华硅材料有限公司"
    assert overdue["G5"].value == Decimal("8000000") and overdue["F5"].value == 4
    assert overdue["I5"].value == "企业下游货款未到"
    assert book["银行违约"]["A5"].value == "江苏银行连云港分行"


def test_statistics_over_any_period(client, auth, november):
    auth.login("reviewer")
    html = page(client, "/reports/statistics?start=2026-10-01&end=2026-11-30")
    assert "2026年10月1日至2026年11月30日" in html
    assert "52,000,000.00 元" in html  # 4,000,000.00 in October and 48,000,000.00 in November went out
    assert "64,000.00 元" in html  # fees 5,000.00 + 59,000.00
    book = workbook(client, "/reports/statistics?start=2026-10-01&end=2026-11-30&format=xlsx")
    assert book["概况"]["B8"].value == Decimal("52000000")
    bad = client.get("/reports/statistics?start=2026-11-30&end=2026-10-01")
    assert bad.status_code == 422 and "截止日不能早于起始日" in bad.get_data(as_text=True)
    bad = client.get("/reports/statistics?start=2026-13-01")
    assert bad.status_code == 422


def test_the_group_finds_each_submitted_report_in_its_queue(client, auth, november):
    auth.login("operator")
    submit(client)
    submit(client, "更正：补录收回")
    auth.login("group")
    home = page(client, "/home")
    assert "2026年11月 · 第 2 版" in home and "2026年11月 · 第 1 版" in home
    assert "更正原因：更正：补录收回" in home
    assert 'href="/reports/monthly/2026/11/r2"' in home


def test_the_dashboard_reads_the_month_so_far_from_the_reporting_service(client, auth, november):
    auth.login("group")  # on 2 December: A5's 2,000,000.00 went out on the 1st, and A6 was submitted
    home = page(client, "/home")
    assert "放款</span> 1 笔 200.00 万元" in home and "新提交申请</span> 1 笔" in home
    auth.login("bank1")
    assert "本月至今" not in page(client, "/home")


def test_the_workbook_carries_the_pages_charts_on_its_own_numbers(client, auth, november):
    auth.login("group")
    book = workbook(client, "/reports/monthly/2026/11.xlsx")

    def ref(text: str) -> str:  # the cells a series reads, however the writer quotes the sheet's name
        return text.replace("$", "").replace("'", "")

    (daily,) = book["每日资金"]._charts
    assert daily.tagname == "lineChart"
    assert [ref(s.tx.strRef.f) for s in daily.series] == ["每日资金!B4", "每日资金!D4", "每日资金!C4"]
    assert ref(daily.series[0].val.numRef.f) == "每日资金!B5:B34"  # 30 days, 1–30 November
    (banks,) = book["合作银行"]._charts
    assert banks.tagname == "barChart"
    assert ref(banks.series[0].val.numRef.f) == "合作银行!E5:E6"  # the two banks, not the total
    (sizes,) = book["企业规模"]._charts
    assert sizes.tagname == "pieChart"
    assert ref(sizes.series[0].val.numRef.f) == "企业规模!C5:C8"


def test_a_long_overdue_list_shows_its_first_lines_its_count_and_the_way_to_all(client, auth, november, monkeypatch):
    """At a million applications the list is thousands of lines (issue 28): the page says how many and how much, lists
    the first ones (oldest value date first) and links to every line; the .xlsx carries every line."""
    auth.login("operator")
    words = " ".join(re.sub(r"<[^>]+>", " ", page(client, "/reports/monthly/2026/11")).split())
    assert "期末逾期未收回 共 1 笔，未收回合计 8,000,000.00 元。" in words  # one line: all of it shown, no link
    assert "东海县晶华硅材料有限公司" in words

    monkeypatch.setattr(reporting, "OVERDUE_SHOWN", 0)  # as if the list were longer than a page lists
    short = page(client, "/reports/monthly/2026/11")
    words = " ".join(re.sub(r"<[^>]+>", " ", short).split())
    assert (
        "共 1 笔，未收回合计 8,000,000.00 元；按起息日先后列出前 0 笔， 列出全部 1 笔 （导出的 Excel 也列出全部）。"
        in words
    )
    assert 'href="/reports/monthly/2026/11?lines=all#sec-overdue"' in short
    assert "企业下游货款未到" not in short
    every = page(client, "/reports/monthly/2026/11?lines=all")
    assert "企业下游货款未到" in every and "列出全部" not in every
    assert workbook(client, "/reports/monthly/2026/11.xlsx")["逾期"]["I5"].value == "企业下游货款未到"


def test_a_report_page_counts_every_late_renewal_and_lists_each_banks_first(client, auth, november, monkeypatch):
    """A page's report builds the first lines only (issue 28) and still says how many: the same figures as the whole
    document, which the .xlsx and a filed revision keep."""
    auth.login("operator")
    fund = db.session.scalar(select(User).where(User.username == "operator")).fund
    whole = reporting.report(fund, date(2026, 11, 1), date(2026, 11, 30))
    monkeypatch.setattr(reporting, "OVERDUE_SHOWN", 0)
    monkeypatch.setattr(reporting, "LATE_SHOWN", 0)
    first = reporting.report(fund, date(2026, 11, 1), date(2026, 11, 30), page=True)
    assert (first.overdue, first.overdue_number, first.overdue_total) == ([], 1, M("8,000,000.00"))
    assert (whole.overdue_number, whole.overdue_total) == (1, M("8,000,000.00"))
    assert [(b.bank, b.renewals_late, b.late_number) for b in first.breaches] == [("江苏银行连云港分行", [], 1)]
    assert [(b.bank, b.late_number) for b in whole.breaches] == [("江苏银行连云港分行", 1)]
    words = " ".join(re.sub(r"<[^>]+>", " ", page(client, "/reports/monthly/2026/11")).split())
    assert "江苏银行连云港分行 1 笔 — 另有 1 笔，列出全部" in words
    words = " ".join(re.sub(r"<[^>]+>", " ", page(client, "/reports/monthly/2026/11?lines=all")).split())
    assert "江苏银行连云港分行 1 笔 ZD202600003（起息" in words

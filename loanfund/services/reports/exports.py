"""The files the fund hands out: the monthly analysis and the statistics as .xlsx, the application list as .xlsx.
Each reads what the screen reads (``reporting``, ``views``), so a figure is the same on paper and on screen."""

from __future__ import annotations

from decimal import Decimal

from loanfund import clock
from loanfund.domain.money import Money
from loanfund.domain.time_limits import Late, Timeliness
from loanfund.models import Application, MonthlyReport
from loanfund.services.reports import reporting
from loanfund.services.reports.workbook import COUNT, DAY, DAYS, PERCENT, WAN, YUAN, Book, Cell, Column, wan, yuan


def change(now: Money | int | Decimal, before: Money | int | Decimal) -> Decimal | None:
    """Change as a fraction (0.25 = +25 %); None when there is nothing to compare with."""
    a = Decimal(now.fen if isinstance(now, Money) else now)
    b = Decimal(before.fen if isinstance(before, Money) else before)
    if not b:
        return None
    return ((a - b) / b).quantize(Decimal("0.0001"))


def summary_rows(
    report: reporting.Report,
) -> list[tuple[str, str, Money | int | Decimal, Money | int | Decimal, Money | int | Decimal]]:
    """(label, kind, this period, previous period, a year before) — kind: yuan, count or days."""
    s, p, y = report.summary, report.previous, report.last_year
    return [
        ("新提交申请", "count", s.submitted, p.submitted, y.submitted),
        ("申请金额", "yuan", s.requested, p.requested, y.requested),
        ("放款笔数", "count", s.bridges, p.bridges, y.bridges),
        ("放款金额", "yuan", s.disbursed, p.disbursed, y.disbursed),
        ("收回本金", "yuan", s.returned, p.returned, y.returned),
        ("费用收入（实现）", "yuan", s.fee_income, p.fee_income, y.fee_income),
        ("收益分配（分出的费用收入）", "yuan", s.fee_distributed, p.fee_distributed, y.fee_distributed),
        ("收回笔数", "count", s.closed, p.closed, y.closed),
        ("平均使用天数", "days", s.days_average, p.days_average, y.days_average),
        ("最长使用天数", "days", s.days_longest, p.days_longest, y.days_longest),
    ]


def _timeliness(book: Book, title: str, timeliness: Timeliness) -> None:
    """办理时限 (issue 30): each stage's time by party, then every stage completed over its limit."""

    def shown(value: int | None) -> int | str:
        return "—" if value is None else value

    book.sheet(
        "办理时限",
        f"{title} 办理时限（工作日，自开始之次日起计；中位数、90% 按最近秩）"
        + (f"：{timeliness.calendar_note}" if timeliness.calendar_note else ""),
        [
            Column("环节", width=16),
            Column("办理方", width=18),
            Column("时限（工作日）", width=14),
            Column("本期办结", COUNT, 12),
            Column("中位数", width=10),
            Column("90% 在", width=10),
            Column("最快（工作日）", width=14),
            Column("最快（小时）", width=12),
            Column("超时", COUNT, 10),
        ],
        [
            (
                s.label,
                s.party,
                s.limit,
                s.count,
                shown(s.median),
                shown(s.p90),
                shown(s.fastest_days),
                "—" if s.fastest_hours is None else str(s.fastest_hours),
                s.over,
            )
            for s in timeliness.spreads
        ],
    )
    book.sheet(
        "超时环节",
        f"{title} 本期办结的环节中超过时限的（按开始时间先后）",
        [
            Column("编号", width=14),
            Column("企业", width=26),
            Column("环节", width=16),
            Column("办理方", width=18),
            Column("开始", width=18),
            Column("办结", width=18),
            Column("用时（工作日）", width=14),
            Column("时限（工作日）", width=14),
            Column("应于", DAY, 14),
        ],
        [_late_row(late) for late in timeliness.late],
    )


def _late_row(late: Late) -> tuple[object, ...]:
    t = late.timed
    return (
        late.reference,
        late.enterprise,
        t.stage.label,
        t.party,
        f"{t.started:%Y-%m-%d %H:%M}",
        f"{t.ended:%Y-%m-%d %H:%M}" if t.ended else "",
        t.working_days,
        t.limit,
        t.due,
    )


def report_workbook(report: reporting.Report, subject: str, filed: MonthlyReport | None = None) -> bytes:
    """The report as a workbook; a submitted revision (``filed``) adds its analysis and its 报送 block."""
    book = Book(report.fund_name, subject)
    formats = {"yuan": YUAN, "count": COUNT, "days": DAYS}

    def value(kind: str, v: Money | int | Decimal) -> Cell:
        return Cell(yuan(v) if isinstance(v, Money) else v, formats[kind])

    book.sheet(
        "概况",
        f"{report.title} 主要指标（与上期、去年同期比较）",
        [
            Column("指标", width=16),
            Column("本期", width=20),
            Column("上期", width=20),
            Column("环比", PERCENT, 10),
            Column("去年同期", width=20),
            Column("同比", PERCENT, 10),
        ],
        [
            (label, value(kind, now), value(kind, before), change(now, before), value(kind, ago), change(now, ago))
            for label, kind, now, before, ago in summary_rows(report)
        ],
    )
    for breakdown in report.breakdowns:
        total = breakdown.total
        sheet = book.sheet(
            breakdown.title.removeprefix("按"),
            f"{report.title} 申请与放款{breakdown.title}（申请按提交日、放款按起息日统计）",
            [
                Column(breakdown.title.removeprefix("按"), width=26),
                Column("申请笔数", COUNT, 10),
                Column("申请金额", WAN, 16),
                Column("放款笔数", COUNT, 10),
                Column("放款金额", WAN, 16),
            ],
            [
                (line.label, line.submitted, wan(line.requested), line.disbursed_count, wan(line.disbursed))
                for line in [*breakdown.lines, total]
            ],
        )
        rows = len(breakdown.lines)
        if breakdown.key == "bank":  # the page's charts, live on the sheet's numbers
            book.chart(sheet, "bar", "各合作银行放款金额（万元）", 1, [5], rows, "G4")
        elif breakdown.key == "size":
            book.chart(sheet, "pie", "申请金额按企业规模（万元）", 1, [3], rows, "G4")
    daily = book.sheet(
        "每日资金",
        f"{report.title} 专用账户每日余额与使用率（日终）",
        [
            Column("日期", DAY, 16),
            Column("专用账户资金", YUAN, 20),
            Column("已批准待放款", YUAN, 20),
            Column("在外资金", YUAN, 20),
            Column("使用率", PERCENT, 10),
        ],
        [(d.day, yuan(d.cash), yuan(d.reserved), yuan(d.out), d.utilisation / 100) for d in report.days],
    )
    book.chart(daily, "line", "专用账户每日余额（元）", 1, [2, 4, 3], len(report.days), "G4")
    book.sheet(
        "逾期",
        f"{report.title} 期末逾期未收回（原因、追偿方案与已采取措施）",
        [
            Column("编号", width=14),
            Column("企业", width=26),
            Column("合作银行", width=20),
            Column("起息日", DAY, 14),
            Column("最迟收回日", DAY, 14),
            Column("逾期天数", '0"天"', 10),
            Column("未收回本金", YUAN, 18),
            Column("状态", width=10),
            Column("逾期原因", width=28),
            Column("追偿方案", width=28),
            Column("已采取措施", width=36),
        ],
        [
            (
                o.reference,
                o.enterprise,
                o.bank,
                o.value_date,
                o.due,
                o.days_overdue,
                yuan(o.outstanding),
                o.state,
                o.cause,
                o.plan,
                "\n".join(o.steps),
            )
            for o in report.overdue
        ],
    )
    book.sheet(
        "银行违约",
        f"{report.title} 合作银行未履约（逾期续贷，承担清偿责任）",
        [
            Column("合作银行", width=22),
            Column("逾期续贷", width=48),
            Column("清偿责任", width=48),
            Column("追偿金额", YUAN, 18),
        ],
        [(b.bank, "\n".join(b.renewals_late), "\n".join(b.claims), yuan(b.claimed)) for b in report.breaches],
    )
    if report.bank is not None:
        b = report.bank
        book.sheet(
            "银行对账",
            f"{report.title} 专用账户与银行对账单核对（第十一条）",
            [Column("项目", width=30), Column("内容", width=60)],
            [
                ("对账单覆盖天数", f"{b.covered_days} / {b.period_days}"),
                ("已对平天数", str(b.reconciled_days)),
                ("银行收入（元）", yuan(b.bank_in)),
                ("银行支出（元）", yuan(b.bank_out)),
                ("账面收入（元）", yuan(b.books_in)),
                ("账面支出（元）", yuan(b.books_out)),
                ("未对账银行流水（笔）", str(b.unmatched_lines)),
                ("未对账账面收付（笔）", str(b.unmatched_movements)),
                (
                    f"{b.closing_day.isoformat()} 银行日终余额（元）",
                    yuan(b.bank_closing) if b.bank_closing is not None else "—",
                ),
                (f"{b.closing_day.isoformat()} 账面余额（元）", yuan(b.books_closing)),
                *(("未对平", line) for line in b.apart),
            ],
        )
    if report.timeliness is not None:
        _timeliness(book, report.title, report.timeliness)
    if filed is not None:
        book.sheet(
            "分析与报送",
            f"{report.title} 运行情况分析（第二十一条）及报送",
            [Column("项目", width=16), Column("内容", width=90)],
            [
                ("运行情况分析", filed.analysis or "（本版报送时未附分析）"),
                ("报送单位", f"资金管理平台（{report.fund_name}）"),
                ("报送至", "领导小组办公室"),
                ("经办人", filed.submitted_by.display_name),
                ("报送日期", f"{clock.local(filed.submitted_at):%Y年%m月%d日 %H:%M}"),
                ("版次", f"第 {filed.revision} 版" + (f"（更正原因：{filed.note}）" if filed.note else "")),
            ],
        )
    return book.bytes()


def list_workbook(fund_name: str, applications: list[Application], described: str, more: int) -> bytes:
    """The application list as it was filtered (``described``); ``more`` rows beyond the export's limit are named."""
    book = Book(fund_name, "应急转贷申请清单")
    heading = f"筛选条件：{described or '全部'}；共 {len(applications) + more} 笔"
    if more:
        heading += f"（本文件列出最新的 {len(applications)} 笔，请缩小筛选范围导出其余 {more} 笔）"
    book.sheet(
        "申请清单",
        heading,
        [
            Column("编号", width=14),
            Column("企业", width=28),
            Column("统一社会信用代码", width=21),
            Column("县区", width=12),
            Column("规模", width=8),
            Column("行业", width=16),
            Column("合作银行", width=20),
            Column("贷款种类", width=14),
            Column("申请金额", YUAN, 18),
            Column("申请天数", '0"天"', 9),
            Column("批准金额", YUAN, 18),
            Column("起息日", DAY, 14),
            Column("收回日", DAY, 14),
            Column("应收费用", YUAN, 14),
            Column("状态", width=12),
            Column("提交时间", "yyyy-mm-dd hh:mm", 17),
        ],
        [
            (
                a.reference,
                a.enterprise.name,
                a.enterprise.credit_code,
                a.enterprise.district_name,
                a.enterprise.size_enum.label,
                a.enterprise.industry_name,
                a.bank.name,
                a.loan_type_label,
                yuan(a.requested_amount),
                a.requested_days,
                yuan(a.approved_amount) if a.approved_amount is not None else None,
                a.value_date,
                a.received_on,
                yuan(a.fee_due) if a.fee_due is not None else None,
                a.state_enum.label,
                a.submitted_at,
            )
            for a in applications
        ],
    )
    return book.bytes()

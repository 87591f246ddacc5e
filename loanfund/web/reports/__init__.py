"""What the leading group reads (第六、二十一条; DESIGN §6): the monthly analysis — live, as submitted, each revision —
with charts, print and .xlsx; the statistics over any period. Platform staff, the group and the administrator read
them; a bank or an enterprise does not reach them (404). Figures come from ``services.reports.reporting`` only."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from loanfund import clock
from loanfund.domain.errors import InvalidInput, NotAllowed, NotFound
from loanfund.domain.lifecycle import Role
from loanfund.models import MonthlyReport
from loanfund.services import uow
from loanfund.services.applications.preview import Confirmation
from loanfund.services.funds import own_fund
from loanfund.services.group import group_register
from loanfund.services.reports import audit_pack, audit_pack_runs, exports, monthly, reporting
from loanfund.web import charts, confirming
from loanfund.web.downloads import XLSX, attachment
from loanfund.web.forms import field_errors
from loanfund.web.group.forms import HeardForm
from loanfund.web.reports.forms import PeriodForm, SubmitForm
from loanfund.web.roles import roles_required
from loanfund.web.submitting import submit_once

bp = Blueprint("reports", __name__, url_prefix="/reports")
readers = roles_required(*monthly.READERS)

MONTH = "<int(min=2000,max=2100):year>/<int(min=1,max=12):month>"


def _last_month() -> tuple[int, int]:
    first = clock.today().replace(day=1) - timedelta(days=1)
    return first.year, first.month


def _charts(report: reporting.Report) -> dict[str, object]:
    days = report.days
    by_bank = report.breakdown("bank").lines
    by_size = report.breakdown("size").lines
    return {
        "position": charts.lines(
            "专用账户每日余额（万元）",
            [f"{d.day.month}/{d.day.day}" for d in days],
            [
                ("专用账户资金", [d.cash.fen for d in days]),
                ("在外资金", [d.out.fen for d in days]),
                ("已批准待放款", [d.reserved.fen for d in days]),
            ],
        ),
        "banks": charts.bars("各合作银行放款金额（万元）", [(line.label, line.disbursed.fen) for line in by_bank]),
        "sizes": charts.pie("申请金额按企业规模", [(line.label, line.requested.fen) for line in by_size]),
    }


@bp.get("/monthly")
@readers
def monthly_index() -> WerkzeugResponse:
    """The month asked for (``?month=2026-11``), by default the last month that has ended."""
    text = request.args.get("month", "")
    try:
        year, month = (int(part) for part in text.split("-")) if text else _last_month()
        date(year, month, 1)
    except ValueError:
        year, month = _last_month()
        flash("月份格式应为 2026-11，已显示上月", "warning")
    return redirect(url_for("reports.month", year=year, month=month, fund=request.args.get("fund")))


@bp.get(f"/monthly/{MONTH}")
@readers
def month(year: int, month: int) -> tuple[str, int]:
    """The month as the books stand now, its submitted revisions, and (operator, month ended) the submission."""
    return _month_page(year, month)


def _first_lines() -> bool:
    """A report page shows the first lines of its long lists, or — ``?lines=all`` — every one."""
    return request.args.get("lines") != "all"


def _month_page(year: int, month: int, form: SubmitForm | None = None, status: int = 200) -> tuple[str, int]:
    fund_code = request.args.get("fund")
    report = monthly.live(current_user, year, month, fund_code, page=_first_lines())
    revisions = monthly.revisions(current_user, year, month, fund_code)
    ended = reporting.month_period(year, month)[1] < clock.today()
    may_submit = current_user.role_enum is Role.OPERATOR and ended
    return (
        render_template(
            "reports/monthly.html",
            report=report,
            charts=_charts(report),
            revisions=revisions,
            filed=None,
            form=(form or SubmitForm(formdata=None)) if may_submit else None,
            year=year,
            month=month,
            ended=ended,
            rows=exports.summary_rows(report),
            fund_code=fund_code,
        ),
        status,
    )


@bp.get(f"/monthly/{MONTH}/r<int(min=1,max=10000):revision>")
@readers
def revision(year: int, month: int, revision: int) -> str:
    """A submitted revision as it was submitted. :raise 404: no such revision."""
    fund_code = request.args.get("fund")
    filed = monthly.filed(current_user, year, month, revision, fund_code)
    return render_template(
        "reports/monthly.html",
        report=filed.report,
        charts=_charts(filed.report),
        revisions=monthly.revisions(current_user, year, month, fund_code),
        fund_code=fund_code,
        filed=filed.row,
        heard=group_register.heard(filed.row.id),
        heard_form=HeardForm(formdata=None) if current_user.role_enum in group_register.RECORDERS else None,
        form=None,
        year=year,
        month=month,
        ended=True,
        rows=exports.summary_rows(filed.report),
    )


@bp.get(f"/monthly/{MONTH}.xlsx")
@readers
def month_xlsx(year: int, month: int) -> Response:
    report = monthly.live(current_user, year, month, request.args.get("fund"))
    content = exports.report_workbook(report, f"{report.title}资金使用分析（当前数据）")
    return attachment(content, XLSX, f"月度分析-{year}-{month:02d}.xlsx")


@bp.get(f"/monthly/{MONTH}/r<int(min=1,max=10000):revision>.xlsx")
@readers
def revision_xlsx(year: int, month: int, revision: int) -> Response:
    filed = monthly.filed(current_user, year, month, revision, request.args.get("fund"))
    content = exports.report_workbook(
        filed.report, f"{filed.report.title}资金使用分析（报送第 {revision} 版）", filed.row
    )
    return attachment(content, XLSX, f"月度分析-{year}-{month:02d}-第{revision}版.xlsx")


@bp.post(f"/monthly/{MONTH}/submit")
@roles_required(Role.OPERATOR)
def submit(year: int, month: int) -> tuple[str, int] | str | WerkzeugResponse:
    """File the month with the group office: shown first (the month, the revision, the analysis, what it freezes)
    and taken on 确认."""
    form = SubmitForm()
    if not form.validate() or confirming.revising():
        return _month_page(year, month, form=form, status=422 if form.errors else 200)

    def call() -> MonthlyReport:
        return monthly.submit(current_user, year, month, form.note.data or "", form.analysis.data or "")

    url = url_for("reports.submit", year=year, month=month)
    taken = submit_once(
        form,
        call,
        confirm=lambda: confirming.ask_first(form, call, _submission_shown, url, "月度资金使用分析（第二十一条）"),
        on_invalid=lambda exc: field_errors(form, exc.errors),
    )
    if taken.page is not None:
        return taken.page
    if taken.invalid:
        return _month_page(year, month, form=form, status=422)
    if taken.result is not None:
        flash(f"已报送领导小组办公室（第 {taken.result.revision} 版）", "success")
        return redirect(url_for("reports.revision", year=year, month=month, revision=taken.result.revision))
    return redirect(url_for("reports.month", year=year, month=month, fund=request.args.get("fund")))


def _submission_shown(row: MonthlyReport) -> Confirmation:
    report = reporting.Report.from_json(row.data)
    s = report.summary
    return Confirmation(
        title=f"报送{report.title}资金使用分析",
        lines=(
            ("报送至", "领导小组办公室"),
            ("版次", f"第 {row.revision} 版" + ("（更正版）" if row.revision > 1 else "")),
            ("本月放款", f"{s.bridges} 笔，{s.disbursed.format()} 元"),
            ("收回本金 / 费用收入", f"{s.returned.format()} 元 / {s.fee_income.format()} 元"),
            ("期末逾期", f"{report.overdue_number} 笔"),
        ),
        warning="报送后本版数据与分析即封存，不能修改；如需更正，须说明原因另行报送新的一版，原版保留。",
    )


def _period(form: PeriodForm) -> tuple[date, date]:
    today = clock.today()
    end = form.end.data or today
    start = form.start.data or end.replace(day=1)
    return start, end


@bp.get("/statistics")
@roles_required(*monthly.FUND_READERS)
def statistics() -> tuple[str, int] | Response:
    """第六条: the reviewer's statistics — the monthly report's aggregates over any period (``?start=&end=``);
    ``?format=xlsx`` downloads them."""
    form = PeriodForm(request.args)
    if not form.validate():
        return render_template("reports/statistics.html", form=form, report=None), 422
    as_file = request.args.get("format") == "xlsx"
    try:
        report = reporting.report(own_fund(current_user), *_period(form), page=not as_file and _first_lines())
    except InvalidInput as exc:
        field_errors(form, exc.errors)
        return render_template("reports/statistics.html", form=form, report=None), 422
    if as_file:
        content = exports.report_workbook(report, f"{report.title}统计")
        return attachment(content, XLSX, f"统计-{report.start.isoformat()}-{report.end.isoformat()}.xlsx")
    return (
        render_template(
            "reports/statistics.html",
            form=form,
            report=report,
            charts=_charts(report),
            rows=exports.summary_rows(report),
        ),
        200,
    )


@bp.get("/audit-pack")
@roles_required(*audit_pack.READERS)
def audit_pack_index() -> str:
    """The years whose audit pack the group may ask for, and the packs asked for: waiting, being built, ready."""
    this_year = clock.today().year
    fund_id = current_user.fund_id  # the group's own (an inline build in the same context leaves the user detached)
    years = [(year, len(audit_pack.applications_of(fund_id, year))) for year in range(this_year, this_year - 6, -1)]
    return render_template("reports/audit_pack.html", years=years, runs=audit_pack_runs.recent(fund_id))


@bp.post("/audit-pack/<int(min=2000,max=2100):year>/runs")
@roles_required(*audit_pack.READERS)
def audit_pack_ask(year: int) -> WerkzeugResponse:
    """Ask for the year's pack: it is built outside this request (a thread here; ``loanfund audit-pack-runs`` takes
    up one whose process died) and listed on the page when ready."""
    try:
        run = audit_pack_runs.ask(current_user, year)
    except (InvalidInput, NotAllowed) as exc:
        uow.discard()
        flash(exc.message, "danger")
        return redirect(url_for("reports.audit_pack_index"))
    audit_pack_runs.start(run)
    flash(f"{year} 年度审计资料正在生成，完成后可在下方下载（刷新本页查看）", "success")
    return redirect(url_for("reports.audit_pack_index"))


@bp.get("/audit-pack/runs/<int(max=2147483647):run_id>.zip")
@roles_required(*audit_pack.READERS)
def audit_pack_zip(run_id: int) -> WerkzeugResponse:
    """A finished pack, streamed from its file."""
    try:
        run, path = audit_pack_runs.file_of(current_user, run_id)
    except NotFound:
        abort(404)
    return send_file(path, mimetype="application/zip", as_attachment=True, download_name=f"审计资料-{run.year}.zip")

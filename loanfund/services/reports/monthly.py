"""Monthly analyses filed with the leading group office (第二十一条; DESIGN §6). The operator submits a month once it
has ended; what was submitted is kept exactly as it read then (the report as JSON), and a correction is the next
revision, with its reason — every revision stays. The group finds each one in its queue and inbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from loanfund import clock
from loanfund.domain.errors import Conflict, FieldErrors, InvalidInput, NotAllowed, NotFound
from loanfund.domain.lifecycle import Role
from loanfund.extensions import db
from loanfund.models import Fund, MonthlyReport, User
from loanfund.services.funds import named_or_sole, own_fund
from loanfund.services.oversight import notices
from loanfund.services.reports import reporting
from loanfund.services.uow import discard, finish

# who reads the fund's figures over a period (the fund's position is the platform's: DESIGN §2)
# a fund's platform staff, group and administrator read their fund's months; the overseer every fund's (DESIGN §7)
READERS = frozenset({Role.REVIEWER, Role.OPERATOR, Role.GROUP, Role.ADMIN, Role.OVERSEER})
FUND_READERS = READERS - {Role.OVERSEER}  # what reads one's own fund only (the statistics of any period)


@dataclass(frozen=True)
class Filed:
    """One submitted revision with its report as it was submitted."""

    row: MonthlyReport
    report: reporting.Report


def can_read(actor: User) -> bool:
    return actor.role_enum in READERS


def _reader(actor: User, fund_code: str | None) -> Fund:
    """The fund whose months ``actor`` reads: a fund's people their own (another named: 404); the overseer the one
    named, or the only one.

    :raise NotAllowed: a role that reads no analysis. :raise NotFound: another fund's, none named where there are
    several, or no such fund."""
    if not can_read(actor):
        raise NotAllowed("只有平台人员、领导小组、管理员和监管部门可以查看资金使用分析", code="role_not_allowed")
    if actor.fund is not None:
        if fund_code and fund_code.strip().upper() != actor.fund.code:
            raise NotFound("未找到该转贷资金")
        return actor.fund
    try:
        return named_or_sole(fund_code)
    except InvalidInput as exc:
        raise NotFound("请从各转贷资金汇总中选择要查看的转贷资金") from exc


def live(actor: User, year: int, month: int, fund_code: str | None = None, *, page: bool = False) -> reporting.Report:
    """The month as the books stand now (``page``: a page's, ``reporting.report``)."""
    return reporting.report(_reader(actor, fund_code), *reporting.month_period(year, month), page=page)


def submit(actor: User, year: int, month: int, note: str = "", analysis: str = "") -> MonthlyReport:
    """File the month with the group office as it stands now, with the operator's own analysis (第二十一条 "分析"):
    revision 1, or the next one (a correction, which needs its reason). Commits. :raise NotAllowed: not an operator.
    :raise InvalidInput: the month has not ended, no analysis, or a correction without a reason. :raise Conflict:
    another submission of the same month got in first."""
    if actor.role_enum is not Role.OPERATOR:
        raise NotAllowed("只有平台运营人员可以报送月度分析", code="role_not_allowed")
    start, end = reporting.month_period(year, month)
    note = (note or "").strip()
    analysis = (analysis or "").strip()
    fund_id = own_fund(actor).id
    revision = (
        db.session.scalar(
            select(func.max(MonthlyReport.revision)).where(
                MonthlyReport.fund_id == fund_id, MonthlyReport.month == start
            )
        )
        or 0
    ) + 1
    errors = FieldErrors()
    if end >= clock.today():
        errors.add("month", f"{year}年{month}月尚未结束，月末之后才能报送")
    if not analysis:
        errors.add("analysis", "请填写本月运行情况分析（第二十一条）：资金使用、逾期与风险、合作银行履约和下一步措施")
    if revision > 1 and not note:
        errors.add("note", f"{year}年{month}月已报送第 {revision - 1} 版，更正须说明原因")
    errors.raise_if_any()
    report = reporting.report(own_fund(actor), start, end)
    row = MonthlyReport(
        fund_id=fund_id,
        month=start,
        revision=revision,
        data=report.to_json(),
        note=note,
        analysis=analysis,
        submitted_by_id=actor.id,
        submitted_at=clock.utcnow(),
    )
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        discard()
        raise Conflict(
            f"{year}年{month}月的第 {revision} 版刚由他人报送，请刷新后再试", code="report_submitted"
        ) from None
    what = "更正版" if revision > 1 else ""
    notices.notify(
        notices.staff(fund_id, Role.GROUP),
        "monthly_report",
        f"{report.title}资金使用分析已报送（第 {revision} 版）",
        f"{actor.display_name}报送了{report.title}应急转贷资金使用分析{what}（第 {revision} 版）"
        + (f"，更正原因：{note}" if note else "")
        + f"。本月放款 {report.summary.bridges} 笔 {report.summary.disbursed.format()} 元，"
        f"收回本金 {report.summary.returned.format()} 元，费用收入 {report.summary.fee_income.format()} 元。",
        None,
    )
    return finish(row)


def revisions(actor: User, year: int, month: int, fund_code: str | None = None) -> list[MonthlyReport]:
    fund = _reader(actor, fund_code)
    start, _ = reporting.month_period(year, month)
    return list(
        db.session.scalars(
            select(MonthlyReport)
            .where(MonthlyReport.fund_id == fund.id, MonthlyReport.month == start)
            .options(joinedload(MonthlyReport.submitted_by))
            .order_by(MonthlyReport.revision)
        )
    )


def filed(actor: User, year: int, month: int, revision: int, fund_code: str | None = None) -> Filed:
    """A submitted revision, as it was submitted. :raise NotFound: no such revision."""
    fund = _reader(actor, fund_code)
    start, _ = reporting.month_period(year, month)
    row = db.session.scalar(
        select(MonthlyReport)
        .where(
            MonthlyReport.fund_id == fund.id,
            MonthlyReport.month == start,
            MonthlyReport.revision == revision,
        )
        .options(joinedload(MonthlyReport.submitted_by))
    )
    if row is None:
        raise NotFound(f"{year}年{month}月没有第 {revision} 版报告")
    return Filed(row, reporting.Report.from_json(row.data))


def queue(actor: User, limit: int = 12) -> list[MonthlyReport]:
    """The latest submissions of the actor's fund, newest first (the group's queue)."""
    fund = _reader(actor, None)
    return list(
        db.session.scalars(
            select(MonthlyReport)
            .where(MonthlyReport.fund_id == fund.id)
            .options(joinedload(MonthlyReport.submitted_by))
            .order_by(MonthlyReport.submitted_at.desc(), MonthlyReport.id.desc())
            .limit(limit)
        )
    )


def all_filed(fund_id: int, year: int | None = None) -> list[MonthlyReport]:
    """Every submitted revision of the fund (of one year's months), oldest first — for the audit pack."""
    query = (
        select(MonthlyReport).where(MonthlyReport.fund_id == fund_id).options(joinedload(MonthlyReport.submitted_by))
    )
    if year is not None:
        query = query.where(MonthlyReport.month >= date(year, 1, 1), MonthlyReport.month <= date(year, 12, 1))
    return list(db.session.scalars(query.order_by(MonthlyReport.month, MonthlyReport.revision)))

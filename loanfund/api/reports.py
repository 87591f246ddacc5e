"""The monthly analysis and the statistics as JSON (第六、二十一条) — the same reporting service as the pages and the
workbooks. Platform staff, the group and the administrator only (403 for a bank or an enterprise)."""

from __future__ import annotations

from flask import Response, jsonify, request

from loanfund.api import api_bp
from loanfund.api.auth import current_api_user, token_required
from loanfund.api.documented import documented
from loanfund.api.schemas import MonthlyRevisionSchema, ReportSchema, StatisticsQuerySchema
from loanfund.services.funds import own_fund
from loanfund.services.reports import monthly, reporting

READERS = tuple(monthly.READERS)


@api_bp.get("/reports/monthly/<int(min=2000,max=2100):year>/<int(min=1,max=12):month>")
@documented(
    "月度资金使用分析（当前数据）及已报送的各版（平台人员、领导小组、管理员）",
    answer={
        "type": "object",
        "properties": {"report": ReportSchema, "revisions": {"type": "array", "items": MonthlyRevisionSchema}},
    },
    problems=(403, 404),
)
@token_required(*READERS)
def monthly_report(year: int, month: int) -> Response:
    """The month as the books stand now, with the revisions submitted so far."""
    user = current_api_user()
    return jsonify(
        {
            "report": ReportSchema().dump(monthly.live(user, year, month)),
            "revisions": MonthlyRevisionSchema(many=True).dump(monthly.revisions(user, year, month)),
        }
    )


@api_bp.get(
    "/reports/monthly/<int(min=2000,max=2100):year>/<int(min=1,max=12):month>/revisions/<int(min=1,max=10000):revision>"
)
@documented(
    "已报送的某一版月度分析（报送时的数据）",
    answer={"type": "object", "properties": {"report": ReportSchema, "revision": MonthlyRevisionSchema}},
    problems=(403, 404),
)
@token_required(*READERS)
def monthly_revision(year: int, month: int, revision: int) -> Response:
    """A submitted revision exactly as it was submitted. :raise 404: no such revision."""
    filed = monthly.filed(current_api_user(), year, month, revision)
    return jsonify({"report": ReportSchema().dump(filed.report), "revision": MonthlyRevisionSchema().dump(filed.row)})


@api_bp.get("/reports/statistics")
@documented(
    "任意区间的统计（口径同月度分析；第六条）",
    query=StatisticsQuerySchema,
    answer={"type": "object", "properties": {"report": ReportSchema}},
    problems=(403, 422),
)
@token_required(*READERS)
def statistics() -> Response:
    """The monthly report's aggregates over any period (``?start=YYYY-MM-DD&end=YYYY-MM-DD``, both included, at most
    two years, within 2000–2100). :raise 422: a missing or malformed date, or a period a report does not cover."""
    query = StatisticsQuerySchema().load(request.args.to_dict())
    found = reporting.report(own_fund(current_api_user()), query["start"], query["end"])
    return jsonify({"report": ReportSchema().dump(found)})

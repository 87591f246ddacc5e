"""The monthly analysis and the statistics as JSON (第六、二十一条) — the same reporting service as the pages and the
workbooks. Platform staff, the group and the administrator only (403 for a bank or an enterprise)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, send_file

from loanfund.api import api_bp
from loanfund.api.auth import current_api_user, token_required
from loanfund.api.documented import documented, items_of
from loanfund.api.schemas import (
    AuditPackRunSchema,
    AuditVerdictSchema,
    MonthlyFiledSchema,
    MonthlyRevisionSchema,
    MonthlySubmissionSchema,
    ReportLinesSchema,
    ReportSchema,
    StatisticsQuerySchema,
)
from loanfund.domain.lifecycle import Role
from loanfund.services.funds import own_fund
from loanfund.services.record import audit, audit_words
from loanfund.services.reports import audit_pack, audit_pack_runs, monthly, reporting

READERS = tuple(monthly.READERS)
# the fund whose month the overseer reads (a fund's people read their own)
FUND_QUERY = {"name": "fund", "in": "query", "schema": {"type": "string", "maxLength": 16}}


@api_bp.get("/reports/monthly/<int(min=2000,max=2100):year>/<int(min=1,max=12):month>")
@documented(
    "月度资金使用分析（当前数据）及已报送的各版（平台人员、领导小组、管理员）",
    answer={
        "type": "object",
        "properties": {"report": ReportSchema, "revisions": {"type": "array", "items": MonthlyRevisionSchema}},
    },
    query=ReportLinesSchema,
    problems=(403, 404, 422),
    more_query=(FUND_QUERY,),
)
@token_required(*READERS)
def monthly_report(year: int, month: int) -> Response:
    """The month as the books stand now, with the revisions submitted so far: the caller's fund's, or (the
    overseer) the fund ``?fund=CODE`` names; its long lists' first lines with the count and amount of all, as the
    page shows them, or (``?lines=all``) every line. :raise 404: another fund's, or none named where there are
    several. :raise 422: ``lines`` neither ``first`` nor ``all``."""
    user = current_api_user()
    code = request.args.get("fund")
    first = ReportLinesSchema().load(request.args.to_dict())["lines"] == "first"
    return jsonify(
        {
            "report": ReportSchema().dump(monthly.live(user, year, month, code, page=first)),
            "revisions": MonthlyRevisionSchema(many=True).dump(monthly.revisions(user, year, month, code)),
        }
    )


@api_bp.get(
    "/reports/monthly/<int(min=2000,max=2100):year>/<int(min=1,max=12):month>/revisions/<int(min=1,max=10000):revision>"
)
@documented(
    "已报送的某一版月度分析（报送时的数据）",
    answer={"type": "object", "properties": {"report": ReportSchema, "revision": MonthlyRevisionSchema}},
    problems=(403, 404),
    more_query=(FUND_QUERY,),
)
@token_required(*READERS)
def monthly_revision(year: int, month: int, revision: int) -> Response:
    """A submitted revision exactly as it was submitted (the overseer names the fund: ``?fund=CODE``).
    :raise 404: no such revision."""
    filed = monthly.filed(current_api_user(), year, month, revision, request.args.get("fund"))
    return jsonify({"report": ReportSchema().dump(filed.report), "revision": MonthlyRevisionSchema().dump(filed.row)})


@api_bp.get("/reports/statistics")
@documented(
    "任意区间的统计（口径同月度分析；第六条）",
    query=StatisticsQuerySchema,
    answer={"type": "object", "properties": {"report": ReportSchema}},
    problems=(403, 422),
)
@token_required(*monthly.FUND_READERS)
def statistics() -> Response:
    """The monthly report's aggregates over any period (``?start=YYYY-MM-DD&end=YYYY-MM-DD``, both included, at most
    two years, within 2000–2100; ``lines``: as the month's). :raise 422: a missing or malformed date, a period a
    report does not cover, or ``lines`` neither ``first`` nor ``all``."""
    query = StatisticsQuerySchema().load(request.args.to_dict())
    found = reporting.report(own_fund(current_api_user()), query["start"], query["end"], page=query["lines"] == "first")
    return jsonify({"report": ReportSchema().dump(found)})


# -- filing the month, the annual audit pack, checking the audit record (the pages' work, issue 27) ------------------


@api_bp.post("/reports/monthly/<int(min=2000,max=2100):year>/<int(min=1,max=12):month>/submission")
@documented(
    "报送月度资金使用分析（运营人员）",
    body=MonthlySubmissionSchema,
    status=201,
    answer=MonthlyFiledSchema,
    problems=(403, 409, 422),
)
@token_required(Role.OPERATOR)
def submit_month(year: int, month: int) -> tuple[Response, int]:
    """File the month of the caller's fund with its group office as it stands now, with the operator's analysis:
    revision 1, or the next (a correction, with its reason). :raise 422: the month not ended, no analysis, or a
    correction without a reason. :raise 409: another submission of the month got in first."""
    body: Any = request.get_json(silent=True)
    data = MonthlySubmissionSchema().load(body)
    row = monthly.submit(current_api_user(), year, month, data["note"], data["analysis"])
    return jsonify(MonthlyFiledSchema().dump(row)), 201


@api_bp.get("/reports/audit-pack/runs")
@documented("年度审计资料（领导小组）", answer=items_of(AuditPackRunSchema), problems=(403,))
@token_required(*audit_pack.READERS)
def list_audit_pack_runs() -> Response:
    """The packs of the caller's fund asked for: waiting, being built, ready (with the way to download), failed."""
    return jsonify(
        {"items": AuditPackRunSchema(many=True).dump(audit_pack_runs.recent(own_fund(current_api_user()).id))}
    )


@api_bp.post("/reports/audit-pack/<int(min=2000,max=2100):year>/runs")
@documented("调取年度审计资料（领导小组）", status=202, answer=AuditPackRunSchema, problems=(403, 422))
@token_required(*audit_pack.READERS)
def ask_audit_pack(year: int) -> tuple[Response, int]:
    """The year's pack of the caller's fund, built outside the request (a run of that year already waiting is the
    answer instead): follow it at ``GET /api/v1/reports/audit-pack/runs``."""
    run = audit_pack_runs.ask(current_api_user(), year)
    audit_pack_runs.start(run)
    return jsonify(AuditPackRunSchema().dump(audit_pack_runs.run(run.id))), 202


@api_bp.get("/reports/audit-pack/runs/<int(max=2147483647):run_id>.zip")
@documented("下载年度审计资料", answer="application/zip", problems=(403, 404))
@token_required(*audit_pack.READERS)
def audit_pack_zip(run_id: int) -> Response:
    """:raise 404: another fund's, not finished, or replaced by a newer one."""
    run, path = audit_pack_runs.file_of(current_api_user(), run_id)
    return send_file(path, mimetype="application/zip", as_attachment=True, download_name=f"审计资料-{run.year}.zip")


@api_bp.post("/audit/verify")
@documented("核验审计记录（管理员、领导小组）", answer=AuditVerdictSchema, problems=(403,))
@token_required(Role.ADMIN, Role.GROUP)
def verify_audit() -> Response:
    """The chain checked from its first record, and every audited row compared with its last record."""
    verdict = audit.verify()
    differences = [audit_words.difference(found) for found in audit.compare()]
    body = {
        "ok": verdict.ok and not differences,
        "records": verdict.records,
        "head": verdict.head,
        "broken_seq": verdict.broken_seq,
        "problem": verdict.problem or None,
        "differences": differences,
    }
    return jsonify(AuditVerdictSchema().dump(body))

"""The leading group's register over the API (第四、二十条): the year's meetings and decisions, and the platform's
管理制度 — read by the group, the platform and the administrator, as on the pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, jsonify, request

from loanfund import clock
from loanfund.api import api_bp
from loanfund.api.auth import current_api_user, token_required
from loanfund.api.documented import documented, items_of
from loanfund.api.idempotency import run_idempotent
from loanfund.api.schemas import (
    DissolutionApprovalSchema,
    DissolutionClosingSchema,
    DissolutionDecisionSchema,
    DissolutionProposalSchema,
    DissolutionSchema,
    GroupDecisionCreateSchema,
    GroupDecisionRecordSchema,
    GroupMeetingSchema,
    ReportHeardSchema,
    RulesDocumentSchema,
)
from loanfund.domain.lifecycle import Role
from loanfund.models import Dissolution
from loanfund.services.funds import own_fund
from loanfund.services.group import dissolution, group_register
from loanfund.uploads import uploaded


def _body() -> Any:
    return request.get_json(silent=True)


def _year(asked: int | None) -> int:
    return min(max(asked or clock.today().year, 2000), 2100)


@api_bp.get("/group/register")
@documented(
    "领导小组登记簿：当年的会议与决定（领导小组、平台、管理员）",
    more_query=({"name": "year", "in": "query", "schema": {"type": "integer", "minimum": 2000, "maximum": 2100}},),
    answer={
        "type": "object",
        "properties": {
            "year": {"type": "integer"},
            "meetings": {
                "type": "array",
                "items": {
                    "allOf": [
                        GroupMeetingSchema,
                        {
                            "type": "object",
                            "properties": {"decisions": {"type": "array", "items": GroupDecisionRecordSchema}},
                        },
                    ]
                },
            },
            "unregistered": {"type": "array", "items": GroupDecisionRecordSchema},
        },
    },
    problems=(403,),
)
@token_required(*group_register.READERS)
def group_register_of_year() -> Response:
    """The year's meetings (each with its decisions) and the decisions whose minutes are not registered."""
    year = _year(request.args.get("year", type=int))
    lines = group_register.register(current_api_user(), year)
    return jsonify(
        {
            "year": year,
            "meetings": [
                GroupMeetingSchema().dump(line.meeting)
                | {"decisions": GroupDecisionRecordSchema(many=True).dump(line.decisions)}
                for line in lines
                if line.meeting is not None
            ],
            "unregistered": [
                GroupDecisionRecordSchema().dump(d) for line in lines if line.meeting is None for d in line.decisions
            ],
        }
    )


@api_bp.get("/group/rules")
@documented("管理制度及其报备案日期", answer=items_of(RulesDocumentSchema), problems=(403,))
@token_required(*group_register.READERS)
def group_rules() -> Response:
    """Every version of every rules document, with the date it was filed with the group."""
    return jsonify({"items": RulesDocumentSchema(many=True).dump(group_register.rules_documents(current_api_user()))})


# -- what the group's office records, and the platform's rules (the pages' work, issue 27) ---------------------------

MINUTES_FORM = {
    "type": "object",
    "required": ["held_on", "title", "attendees", "minutes_ref", "file"],
    "properties": {
        "held_on": {"type": "string", "format": "date", "description": "会议日期"},
        "title": {"type": "string", "maxLength": 100, "description": "会议名称"},
        "attendees": {"type": "string", "description": "出席人员"},
        "minutes_ref": {"type": "string", "maxLength": 64, "description": "会议纪要编号（本资金内唯一）"},
        "file": {"type": "string", "format": "binary", "description": "会议纪要：PDF、JPG、PNG，10 MB 以内"},
    },
}
RULES_FORM = {
    "type": "object",
    "required": ["title", "filed_on", "file"],
    "properties": {
        "title": {"type": "string", "maxLength": 100, "description": "制度名称（同名为新版本）"},
        "filed_on": {"type": "string", "format": "date", "description": "报领导小组备案日期"},
        "note": {"type": "string", "description": "修订说明"},
        "file": {"type": "string", "format": "binary", "description": "制度文件：PDF、JPG、PNG，10 MB 以内"},
    },
}


def _day(given: str | None) -> date | None:
    """A date field of a multipart form, as the page's (the service names a missing or wrong one)."""
    text = (given or "").strip()
    try:
        return date.fromisoformat(text) if text.isascii() and len(text) == 10 else None
    except ValueError:
        return None


@api_bp.post("/group/meetings")
@documented(
    "登记领导小组会议（附会议纪要）", form=MINUTES_FORM, status=201, answer=GroupMeetingSchema, problems=(403, 422)
)
@token_required(*group_register.RECORDERS)
def record_group_meeting() -> tuple[Response, int]:
    """A meeting of the caller's fund's group with its minutes file (multipart/form-data). :raise 422: every field
    missing or wrong at once, the minutes number taken in the fund."""
    meeting = group_register.record_meeting(
        current_api_user(),
        _day(request.form.get("held_on")),
        request.form.get("title", ""),
        request.form.get("attendees", ""),
        request.form.get("minutes_ref", ""),
        uploaded("file"),
    )
    return jsonify(GroupMeetingSchema().dump(meeting)), 201


@api_bp.post("/group/decisions")
@documented(
    "登记领导小组其他重大事项决定",
    body=GroupDecisionCreateSchema,
    status=201,
    answer=GroupDecisionRecordSchema,
    problems=(403, 422),
)
@token_required(*group_register.RECORDERS)
def record_group_decision() -> tuple[Response, int]:
    """Another 重大事项 the group decided (第四条), at a meeting already registered. :raise 422: a field missing, or
    the minutes not registered."""
    data = GroupDecisionCreateSchema().load(_body())
    row = group_register.record_other(
        current_api_user(), data["minutes_ref"], data["subject"], data["outcome"], data["note"]
    )
    return jsonify(GroupDecisionRecordSchema().dump(row)), 201


@api_bp.post("/group/reports/<int(max=2147483647):report_id>/heard")
@documented(
    "登记听取月度报告",
    body=ReportHeardSchema,
    status=201,
    answer=GroupDecisionRecordSchema,
    problems=(403, 404, 422),
)
@token_required(*group_register.RECORDERS)
def record_report_heard(report_id: int) -> tuple[Response, int]:
    """The group heard a submitted monthly report (第四、二十一条), at a registered meeting. :raise 404: no such
    report of the caller's fund. :raise 422: the minutes not registered."""
    user = current_api_user()
    group_register.filed_report(user, report_id)  # another fund's: 404 before the body is read
    data = ReportHeardSchema().load(_body())
    row = group_register.hear_report(user, report_id, data["minutes_ref"], data["note"])
    return jsonify(GroupDecisionRecordSchema().dump(row)), 201


@api_bp.post("/group/rules")
@documented("报备管理制度（新版本）", form=RULES_FORM, status=201, answer=RulesDocumentSchema, problems=(403, 422))
@token_required(*group_register.RULES_FILERS)
def file_group_rules() -> tuple[Response, int]:
    """A new version of one of the platform's rules documents (version 1 for a new title) with the date it was filed
    with the group (multipart/form-data). :raise 422: every field missing or wrong at once."""
    document = group_register.file_rules(
        current_api_user(),
        request.form.get("title", ""),
        _day(request.form.get("filed_on")),
        request.form.get("note", ""),
        uploaded("file"),
    )
    return jsonify(RulesDocumentSchema().dump(document)), 201


# -- the fund's dissolution (第二十六条) ------------------------------------------------------------------------------


@api_bp.get("/fund/dissolution")
@documented("转贷资金的解散事项", answer=items_of(DissolutionSchema), problems=(403,))
@token_required(*dissolution.READERS)
def list_dissolutions() -> Response:
    """The caller's fund's dissolutions, proposed, decided, approved or closed, the newest first."""
    return jsonify({"items": DissolutionSchema(many=True).dump(dissolution.history(own_fund(current_api_user()).id))})


@api_bp.post("/fund/dissolution")
@documented(
    "提议解散转贷资金（运营人员）",
    body=DissolutionProposalSchema,
    status=201,
    answer=DissolutionSchema,
    problems=(403, 409, 422),
)
@token_required(Role.OPERATOR)
def propose_dissolution() -> tuple[Response, int]:
    """:raise 409: one is under way or done. :raise 422: no reason."""
    data = DissolutionProposalSchema().load(_body())
    return jsonify(DissolutionSchema().dump(dissolution.propose(current_api_user(), data["reason"]))), 201


@api_bp.post("/fund/dissolution/<int(max=2147483647):dissolution_id>/decision")
@documented(
    "领导小组决定是否解散", body=DissolutionDecisionSchema, answer=DissolutionSchema, problems=(403, 404, 409, 422)
)
@token_required(Role.GROUP)
def decide_dissolution(dissolution_id: int) -> Response:
    """At a registered meeting (its minutes). :raise 404: another fund's. :raise 409: not proposed.
    :raise 422: the minutes not registered, or not dissolving without a reason."""
    user = current_api_user()
    dissolution.of(user, dissolution_id)
    data = DissolutionDecisionSchema().load(_body())
    row = dissolution.decide(user, dissolution_id, data["dissolve"], data["minutes_ref"], data["note"])
    return jsonify(DissolutionSchema().dump(row))


@api_bp.post("/fund/dissolution/<int(max=2147483647):dissolution_id>/approval")
@documented("登记政府批准解散", body=DissolutionApprovalSchema, answer=DissolutionSchema, problems=(403, 404, 409, 422))
@token_required(Role.OPERATOR)
def approve_dissolution(dissolution_id: int) -> Response:
    """From now the fund takes no application and lends no more. :raise 404: another fund's.
    :raise 409: not decided to dissolve. :raise 422: the reference or date missing or wrong."""
    user = current_api_user()
    dissolution.of(user, dissolution_id)
    data = DissolutionApprovalSchema().load(_body())
    row = dissolution.record_approval(user, dissolution_id, data["approval_ref"], data["approved_on"])
    return jsonify(DissolutionSchema().dump(row))


@api_bp.post("/fund/dissolution/<int(max=2147483647):dissolution_id>/closing")
@documented(
    "结清账目并返还净资产",
    body=DissolutionClosingSchema,
    answer=DissolutionSchema,
    problems=(400, 403, 404, 409, 422),
    idempotency="required",
)
@token_required(Role.OPERATOR)
def close_dissolution(dissolution_id: int) -> Response:
    """One entry brings every account to zero and pays each contributor its share of the net assets out of the
    special account (money: an ``Idempotency-Key`` is required). :raise 404: another fund's.
    :raise 409: not approved, or money still out."""
    user = current_api_user()
    dissolution.of(user, dissolution_id)

    def step() -> Dissolution:
        data = DissolutionClosingSchema().load(_body())
        return dissolution.close(user, dissolution_id, data["closed_on"] or clock.today(), data["bank_ref"])

    return run_idempotent(user, required=True, step=step, render=lambda row: DissolutionSchema().dump(row))

"""The leading group's register over the API (第四、二十条): the year's meetings and decisions, and the platform's
管理制度 — read by the group, the platform and the administrator, as on the pages."""

from __future__ import annotations

from flask import Response, jsonify, request

from loanfund import clock
from loanfund.api import api_bp
from loanfund.api.auth import current_api_user, token_required
from loanfund.api.documented import documented, items_of
from loanfund.api.schemas import GroupDecisionRecordSchema, GroupMeetingSchema, RulesDocumentSchema
from loanfund.services.group import group_register


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

"""The leading group's register over the API (第四、二十条): the year's meetings and decisions, and the platform's
管理制度 — read by the group, the platform and the administrator, as on the pages."""

from __future__ import annotations

from flask import Response, jsonify, request

from loanfund import clock
from loanfund.api import api_bp
from loanfund.api.auth import current_api_user, token_required
from loanfund.api.schemas import GroupDecisionRecordSchema, GroupMeetingSchema, RulesDocumentSchema
from loanfund.services import group_register


def _year() -> int:
    year = request.args.get("year", type=int) or clock.today().year
    return min(max(year, 2000), 2100)


@api_bp.get("/group/register")
@token_required(*group_register.READERS)
def group_register_of_year() -> Response:
    """The year's meetings (each with its decisions) and the decisions whose minutes are not registered."""
    lines = group_register.register(current_api_user(), _year())
    return jsonify(
        {
            "year": _year(),
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
@token_required(*group_register.READERS)
def group_rules() -> Response:
    """Every version of every rules document, with the date it was filed with the group."""
    return jsonify({"items": RulesDocumentSchema(many=True).dump(group_register.rules_documents(current_api_user()))})

"""``GET /api/v1/openapi.json``: the OpenAPI 3 document, generated from the marshmallow schemas with apispec."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Response, jsonify

from loanfund.api import api_bp
from loanfund.api import schemas as s
from loanfund.api.fields import MoneyField, WholeNumber
from loanfund.services import lifecycle

PROBLEM = {"$ref": "#/components/schemas/Problem"}


def _problems(*codes: int) -> dict[str, Any]:
    return {
        str(c): {"description": "problem+json", "content": {"application/problem+json": {"schema": PROBLEM}}}
        for c in codes
    }


def _json(schema: Any, description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _money_field(converter: Any, field: Any, **kwargs: Any) -> dict[str, Any]:
    if isinstance(field, MoneyField):
        return {"type": "string", "pattern": r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$", "example": "30000000.00"}
    if isinstance(field, WholeNumber):
        return {"type": "integer"}
    return {}


def _schema_name(schema: Any) -> str | None:
    """Named components for whole schemas; a trimmed one (``only``/``exclude``) is written inline."""
    if not isinstance(schema, type) and (schema.only or schema.exclude):
        return None
    cls = schema if isinstance(schema, type) else type(schema)
    return cls.__name__.removesuffix("Schema")


def build_spec() -> APISpec:
    marshmallow = MarshmallowPlugin(schema_name_resolver=_schema_name)
    spec = APISpec(
        title="LoanFund API — 应急转贷资金管理系统接口",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[marshmallow],
        info={"description": "金额以两位小数的字符串传递（单位：元）；错误以 application/problem+json 返回。"},
        servers=[{"url": "/api/v1"}],
    )
    marshmallow.converter.add_attribute_function(_money_field)  # type: ignore[union-attr]
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme("basic", {"type": "http", "scheme": "basic"})
    spec.components.schema(
        "Problem",
        {
            "type": "object",
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            },
            "required": ["title", "status"],
        },
    )
    for name, schema in (
        ("QuoteRequest", s.QuoteRequestSchema),
        ("Quote", s.QuoteSchema),
        ("Token", s.TokenSchema),
        ("TokenInfo", s.TokenInfoSchema),
        ("Bank", s.BankSchema),
        ("Enterprise", s.EnterpriseSchema),
        ("ApplicationCreate", s.ApplicationCreateSchema),
        ("Application", s.ApplicationSchema),
        ("ApplicationPage", s.ApplicationPageSchema),
    ):
        spec.components.schema(name, schema=schema)
    bearer = [{"bearer": []}]
    spec.path(
        "/quotes",
        operations={
            "post": {
                "summary": "用款费用测算",
                "security": [],
                "requestBody": {"required": True, "content": {"application/json": {"schema": "QuoteRequest"}}},
                "responses": {"200": _json("Quote"), **_problems(422)},
            }
        },
    )
    spec.path(
        "/tokens",
        operations={
            "post": {
                "summary": "获取访问令牌（HTTP Basic）",
                "security": [{"basic": []}],
                "responses": {"201": _json("Token", "Created"), **_problems(401)},
            },
            "get": {
                "summary": "本人有效的访问令牌",
                "security": bearer,
                "responses": {
                    "200": _json({"type": "object", "properties": {"items": {"type": "array", "items": "TokenInfo"}}}),
                    **_problems(401),
                },
            },
            "delete": {
                "summary": "吊销当前令牌（退出）",
                "security": bearer,
                "responses": {"204": {"description": "已吊销"}, **_problems(401)},
            },
        },
    )
    spec.path(
        "/tokens/{token_id}",
        operations={
            "delete": {
                "summary": "吊销本人的某个令牌",
                "security": bearer,
                "parameters": [
                    {"name": "token_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
                ],
                "responses": {"204": {"description": "已吊销"}, **_problems(401, 404)},
            }
        },
    )
    spec.path(
        "/banks",
        operations={
            "get": {
                "summary": "合作银行",
                "security": bearer,
                "responses": {
                    "200": _json({"type": "object", "properties": {"items": {"type": "array", "items": "Bank"}}}),
                    **_problems(401),
                },
            }
        },
    )
    spec.path(
        "/enterprises/me",
        operations={
            "get": {
                "summary": "本企业信息（企业用户）",
                "security": bearer,
                "responses": {"200": _json("Enterprise"), **_problems(401, 403)},
            }
        },
    )
    spec.path(
        "/applications",
        operations={
            "get": {
                "summary": "申请列表（按可见范围）",
                "security": bearer,
                "parameters": [
                    {"name": "state", "in": "query", "schema": {"type": "string"}},
                    {"name": "bank_id", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                    {"name": "district", "in": "query", "schema": {"type": "string"}},
                    {"name": "size", "in": "query", "schema": {"type": "string"}},
                    {"name": "industry", "in": "query", "schema": {"type": "string"}},
                    {"name": "submitted_from", "in": "query", "schema": {"type": "string", "format": "date"}},
                    {"name": "submitted_to", "in": "query", "schema": {"type": "string", "format": "date"}},
                    {"name": "amount_min", "in": "query", "schema": {"type": "string", "example": "1000000.00"}},
                    {"name": "amount_max", "in": "query", "schema": {"type": "string", "example": "30000000.00"}},
                    {
                        "name": "q",
                        "in": "query",
                        "schema": {"type": "string", "maxLength": 100},
                        "description": "申请编号、统一社会信用代码或企业名称的一部分",
                    },
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                ],
                "responses": {"200": _json("ApplicationPage"), **_problems(401, 422)},
            },
            "post": {
                "summary": "提交申请（企业用户）",
                "security": bearer,
                "requestBody": {"required": True, "content": {"application/json": {"schema": "ApplicationCreate"}}},
                "responses": {"201": _json("Application", "Created"), **_problems(401, 403, 422)},
            },
        },
    )
    id_param = {"name": "application_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    spec.path(
        "/applications/{application_id}",
        operations={
            "get": {
                "summary": "申请详情（含流转记录）",
                "security": bearer,
                "parameters": [id_param],
                "responses": {"200": _json("Application"), **_problems(401, 404)},
            }
        },
    )
    spec.components.schema("Material", schema=s.MaterialSchema)
    spec.path(
        "/applications/{application_id}/materials",
        operations={
            "post": {
                "summary": "上传申请材料（企业、合作银行承诺、平台划款凭证；可多个文件，全部成功或全部不保存）",
                "security": bearer,
                "parameters": [id_param],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["category", "file"],
                                "properties": {
                                    "category": {"type": "string", "description": "材料清单中的类别代码"},
                                    "file": {
                                        "type": "array",
                                        "items": {"type": "string", "format": "binary"},
                                        "description": "PDF、JPG、PNG，每个 10 MB 以内，一次合计 20 MB 以内",
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": _json(
                        {"type": "object", "properties": {"items": {"type": "array", "items": "Material"}}}, "Created"
                    ),
                    **_problems(401, 403, 404, 413, 422),
                },
            }
        },
    )
    for action, step in lifecycle.STEPS.items():  # each step's operation, drawn from the step (issue 26)
        parameters: list[dict[str, Any]] = [id_param]
        if step.moves_money:
            parameters.append(
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string", "maxLength": 255},
                }
            )
        roles = "、".join(role.label for role in sorted(step.roles))
        spec.path(
            f"/applications/{{application_id}}/{action.value}",
            operations={
                "post": {
                    "summary": f"{action.label}（{roles}）",
                    "security": bearer,
                    "parameters": parameters,
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": s.step_schema(step)}},
                    },
                    "responses": {"200": _json("Application"), **_problems(400, 401, 403, 404, 409, 422)},
                }
            },
        )
    _oversight_paths(spec, bearer, id_param)
    _report_paths(spec, bearer)
    _group_paths(spec, bearer)
    return spec


def _group_paths(spec: APISpec, bearer: list[dict[str, Any]]) -> None:
    """The leading group's register and the platform's rules documents (第四、二十条)."""
    for name, schema in (
        ("GroupMeeting", s.GroupMeetingSchema),
        ("GroupDecisionRecord", s.GroupDecisionRecordSchema),
        ("RulesDocument", s.RulesDocumentSchema),
    ):
        spec.components.schema(name, schema=schema)
    year = {"name": "year", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 2000}}
    decisions = {"type": "array", "items": "GroupDecisionRecord"}
    meeting = {"allOf": ["GroupMeeting", {"type": "object", "properties": {"decisions": decisions}}]}
    register = {
        "type": "object",
        "properties": {
            "year": {"type": "integer"},
            "meetings": {"type": "array", "items": meeting},
            "unregistered": decisions,
        },
    }
    spec.path(
        "/group/register",
        operations={
            "get": {
                "summary": "领导小组登记簿：当年的会议与决定（领导小组、平台、管理员）",
                "security": bearer,
                "parameters": [year],
                "responses": {"200": _json(register), **_problems(401, 403)},
            }
        },
    )
    spec.path(
        "/group/rules",
        operations={
            "get": {
                "summary": "管理制度及其报备案日期",
                "security": bearer,
                "responses": {
                    "200": _json(
                        {"type": "object", "properties": {"items": {"type": "array", "items": "RulesDocument"}}}
                    ),
                    **_problems(401, 403),
                },
            }
        },
    )


def _report_paths(spec: APISpec, bearer: list[dict[str, Any]]) -> None:
    """The monthly analysis and the statistics (第六、二十一条)."""
    spec.components.schema("Report", schema=s.ReportSchema)
    spec.components.schema("MonthlyRevision", schema=s.MonthlyRevisionSchema)
    month_params = [
        {
            "name": "year",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 2000, "maximum": 2100},
        },
        {"name": "month", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1, "maximum": 12}},
    ]
    revisions = {"type": "array", "items": "MonthlyRevision"}
    spec.path(
        "/reports/monthly/{year}/{month}",
        operations={
            "get": {
                "summary": "月度资金使用分析（当前数据）及已报送的各版（平台人员、领导小组、管理员）",
                "security": bearer,
                "parameters": month_params,
                "responses": {
                    "200": _json({"type": "object", "properties": {"report": "Report", "revisions": revisions}}),
                    **_problems(401, 403, 404),
                },
            }
        },
    )
    spec.path(
        "/reports/monthly/{year}/{month}/revisions/{revision}",
        operations={
            "get": {
                "summary": "已报送的某一版月度分析（报送时的数据）",
                "security": bearer,
                "parameters": [
                    *month_params,
                    {
                        "name": "revision",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 10000},
                    },
                ],
                "responses": {
                    "200": _json({"type": "object", "properties": {"report": "Report", "revision": "MonthlyRevision"}}),
                    **_problems(401, 403, 404),
                },
            }
        },
    )
    spec.path(
        "/reports/statistics",
        operations={
            "get": {
                "summary": "任意区间的统计（口径同月度分析；第六条）",
                "security": bearer,
                "parameters": [
                    {"name": n, "in": "query", "required": True, "schema": {"type": "string", "format": "date"}}
                    for n in ("start", "end")
                ],
                "responses": {
                    "200": _json({"type": "object", "properties": {"report": "Report"}}),
                    **_problems(401, 403, 422),
                },
            }
        },
    )


def _oversight_paths(spec: APISpec, bearer: list[dict[str, Any]], id_param: dict[str, Any]) -> None:
    """Messages, the blacklist, bank liability and early warning (第二十至二十三条)."""
    for name, schema in (
        ("Message", s.MessageSchema),
        ("BlacklistEntry", s.BlacklistEntrySchema),
        ("BlacklistProposal", s.BlacklistProposalSchema),
        ("BlacklistDecision", s.BlacklistDecisionSchema),
        ("BlacklistLift", s.BlacklistLiftSchema),
        ("BankClaim", s.BankClaimSchema),
        ("BankClaimCreate", s.BankClaimCreateSchema),
        ("BankClaimPaymentCreate", s.BankClaimPaymentCreateSchema),
        ("Warning", s.WarningSchema),
        ("RecoveryRecord", s.RecoveryRecordSchema),
        ("RecoveryCause", s.RecoveryCauseSchema),
        ("RecoveryMeasure", s.RecoveryMeasureSchema),
    ):
        spec.components.schema(name, schema=schema)

    def items(ref: str, **extra: Any) -> dict[str, Any]:
        properties = {"items": {"type": "array", "items": ref}} | extra
        return _json({"type": "object", "properties": properties})

    def body(ref: str) -> dict[str, Any]:
        return {"required": True, "content": {"application/json": {"schema": ref}}}

    entry_param = {"name": "entry_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    spec.path(
        "/messages",
        operations={
            "get": {
                "summary": "本人的站内信",
                "security": bearer,
                "responses": {"200": items("Message", unread={"type": "integer"}), **_problems(401)},
            }
        },
    )
    spec.path(
        "/messages/{message_id}/read",
        operations={
            "post": {
                "summary": "标为已读",
                "security": bearer,
                "parameters": [{"name": "message_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {"200": _json({"type": "object"}), **_problems(401, 404)},
            }
        },
    )
    spec.path(
        "/blacklist",
        operations={
            "get": {
                "summary": "黑名单（平台人员）",
                "security": bearer,
                "responses": {"200": items("BlacklistEntry"), **_problems(401, 403)},
            },
            "post": {
                "summary": "提议列入黑名单（运营人员）",
                "security": bearer,
                "requestBody": body("BlacklistProposal"),
                "responses": {"201": _json("BlacklistEntry", "Created"), **_problems(401, 403, 404, 409, 422)},
            },
        },
    )
    for path, ref, summary in (
        ("decision", "BlacklistDecision", "确认或不予确认（领导小组）"),
        ("lift", "BlacklistLift", "提前解除（领导小组）"),
    ):
        spec.path(
            f"/blacklist/{{entry_id}}/{path}",
            operations={
                "post": {
                    "summary": summary,
                    "security": bearer,
                    "parameters": [entry_param],
                    "requestBody": body(ref),
                    "responses": {"200": _json("BlacklistEntry"), **_problems(401, 403, 404, 409, 422)},
                }
            },
        )
    spec.path(
        "/bank-claims",
        operations={
            "get": {
                "summary": "合作银行清偿责任（银行只见本行）",
                "security": bearer,
                "responses": {"200": items("BankClaim"), **_problems(401, 403)},
            }
        },
    )
    spec.path(
        "/applications/{application_id}/bank-claim",
        operations={
            "post": {
                "summary": "认定合作银行清偿责任（运营人员，第二十三条）",
                "security": bearer,
                "parameters": [id_param],
                "requestBody": body("BankClaimCreate"),
                "responses": {"201": _json("BankClaim", "Created"), **_problems(401, 403, 404, 409, 422)},
            }
        },
    )
    spec.path(
        "/bank-claims/{claim_id}/payments",
        operations={
            "post": {
                "summary": "登记清偿款到账（运营人员）",
                "security": bearer,
                "parameters": [
                    {"name": "claim_id", "in": "path", "required": True, "schema": {"type": "integer"}},
                    {"name": "Idempotency-Key", "in": "header", "required": True, "schema": {"type": "string"}},
                ],
                "requestBody": body("BankClaimPaymentCreate"),
                "responses": {"201": _json("BankClaim", "Created"), **_problems(400, 401, 403, 404, 409, 422)},
            }
        },
    )
    recovery = _json(
        {
            "type": "object",
            "properties": {
                "application_id": {"type": "integer"},
                "plan": {"type": "string", "nullable": True},
                "records": {"type": "array", "items": "RecoveryRecord"},
            },
        }
    )
    spec.path(
        "/applications/{application_id}/recovery",
        operations={
            "get": {
                "summary": "追偿档案（平台人员）",
                "security": bearer,
                "parameters": [id_param],
                "responses": {"200": recovery, **_problems(401, 403, 404)},
            }
        },
    )
    spec.path(
        "/applications/{application_id}/recovery/cause",
        operations={
            "post": {
                "summary": "记录逾期原因分析（运营人员）",
                "security": bearer,
                "parameters": [id_param],
                "requestBody": body("RecoveryCause"),
                "responses": {"201": recovery, **_problems(401, 403, 404, 422)},
            }
        },
    )
    spec.path(
        "/applications/{application_id}/recovery/measures",
        operations={
            "post": {
                "summary": "记录追偿措施及追回资金（运营人员）",
                "security": bearer,
                "parameters": [
                    id_param,
                    {"name": "Idempotency-Key", "in": "header", "required": True, "schema": {"type": "string"}},
                ],
                "requestBody": body("RecoveryMeasure"),
                "responses": {"201": recovery, **_problems(400, 401, 403, 404, 409, 422)},
            }
        },
    )
    spec.path(
        "/warnings",
        operations={
            "get": {
                "summary": "风险预警（运营人员、领导小组）",
                "security": bearer,
                "responses": {
                    "200": items("Warning", day={"type": "string", "format": "date"}, thresholds={"type": "object"}),
                    **_problems(401, 403),
                },
            }
        },
    )


@api_bp.get("/openapi.json")
def openapi_document() -> Response:
    return jsonify(build_spec().to_dict())

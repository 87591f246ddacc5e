"""``GET /api/v1/openapi.json``: the OpenAPI 3 document, generated with apispec from the URL map, what each view says of
itself (``documented``: its marshmallow schemas) and the step objects (issue 26)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Response, current_app, jsonify
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.routing import IntegerConverter, Rule

from loanfund.api import api_bp
from loanfund.api import schemas as s
from loanfund.api.documented import OTP_HEADER, Operation, documented
from loanfund.api.fields import MoneyField, Text, WholeNumber
from loanfund.services import lifecycle

PROBLEM = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["title", "status"],
}
PREFIX = "/api/v1"


def _field_attributes(converter: Any, field: Any, **kwargs: Any) -> dict[str, Any]:
    """What our own fields are: money as a string of yuan, a whole number, text with its limit."""
    if isinstance(field, Text):
        return {"maxLength": field.max_length}
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
    """The document, from the URL map: every route of the API, its path parameters from the route's converters, and
    what its view says of itself (``documented``); the steps' route once per step object."""
    marshmallow = MarshmallowPlugin(schema_name_resolver=_schema_name)  # type: ignore[arg-type]  # None: inline
    spec = APISpec(
        title="LoanFund API — 应急转贷资金管理系统接口",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[marshmallow],
        info={"description": "金额以两位小数的字符串传递（单位：元）；错误以 application/problem+json 返回。"},
        servers=[{"url": PREFIX}],
    )
    marshmallow.converter.add_attribute_function(_field_attributes)  # type: ignore[union-attr]
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme("basic", {"type": "http", "scheme": "basic"})
    spec.components.schema("Problem", PROBLEM_SCHEMA)
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint.split(".")[0] != api_bp.name:
            continue
        operation: Operation | None = getattr(current_app.view_functions[rule.endpoint], "operation", None)
        if operation is None:
            raise LookupError(f"{rule.endpoint}: every API view says what it is (api.documented.documented)")
        path, parameters = _path(rule.rule.removeprefix(PREFIX)), _parameters(rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if not operation.steps:
                spec.path(path, operations={method.lower(): _operation(operation, parameters)})
                continue
            per_step = [p for p in parameters if p["name"] != "action_name"]
            for action, step in lifecycle.STEPS.items():  # each step's operation, drawn from the step
                roles = "、".join(role.label for role in sorted(step.roles))
                drawn = replace(
                    operation,
                    summary=f"{action.label}（{roles}）",
                    body=s.step_schema(step),
                    idempotency="required" if step.moves_money else "",
                    second_factor=step.second_factor,
                )
                spec.path(
                    path.replace("{action_name}", action.value),
                    operations={method.lower(): _operation(drawn, per_step)},
                )
    return spec


def _path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _parameters(rule: Rule) -> list[dict[str, Any]]:
    """The path's parameters, typed and bounded as the route's converters are."""
    parameters = []
    for name, converter in rule._converters.items():
        schema: dict[str, Any] = {"type": "string"}
        if isinstance(converter, IntegerConverter):
            schema = {"type": "integer", "minimum": converter.min if converter.min is not None else 0}
            if converter.max is not None:
                schema["maximum"] = converter.max
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return parameters


def _operation(operation: Operation, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    problems = (401, *operation.problems) if operation.security else operation.problems
    answer: dict[str, Any] = {"description": "OK" if operation.status == 200 else HTTP_STATUS_CODES[operation.status]}
    if isinstance(operation.answer, str) and "/" in operation.answer:  # a file of that media type
        answer["content"] = {operation.answer: {"schema": {"type": "string", "format": "binary"}}}
    elif operation.answer is not None:
        answer["content"] = {"application/json": {"schema": operation.answer}}
    parameters = list(parameters)
    if operation.query is not None:
        parameters.append({"in": "query", "schema": operation.query})
    parameters.extend(operation.more_query)
    if operation.idempotency:
        required = operation.idempotency == "required"
        parameters.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": required,
                "schema": {"type": "string", "maxLength": 255},
            }
        )
    if operation.second_factor:
        parameters.append(
            {
                "name": OTP_HEADER,
                "in": "header",
                "required": False,
                "description": "动态验证码：已启用两步验证的用户必填（验证器应用显示的 6 位数字，或一个恢复码）",
                "schema": {"type": "string", "maxLength": 20},
            }
        )
    drawn: dict[str, Any] = {
        "summary": operation.summary,
        "security": [{operation.security: []}] if operation.security else [],
        "responses": {str(operation.status): answer}
        | {
            str(code): {"description": "problem+json", "content": {"application/problem+json": {"schema": PROBLEM}}}
            for code in sorted(problems)
        },
    }
    if parameters:
        drawn["parameters"] = parameters
    if operation.body is not None:
        drawn["requestBody"] = {"required": True, "content": {"application/json": {"schema": operation.body}}}
    elif operation.form is not None:
        drawn["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": operation.form}}}
    return drawn


@api_bp.get("/openapi.json")
@documented("本接口的 OpenAPI 3 文档", security="", answer={"type": "object"})
def openapi_document() -> Response:
    return jsonify(build_spec().to_dict())

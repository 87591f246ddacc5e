"""Every API error is ``application/problem+json`` (RFC 9457) with a Chinese ``title`` and, for bad input,
``errors: {field: [messages]}``."""

from __future__ import annotations

from typing import Any

from flask import Response, json
from marshmallow import ValidationError
from sqlalchemy.orm.exc import StaleDataError

from loanfund.api import api_bp
from loanfund.domain.errors import (
    Conflict,
    InvalidInput,
    InvalidValue,
    LoanFundError,
    NotAllowed,
    NotFound,
    RuleViolation,
)
from loanfund.services import uow

TITLES = {
    400: "请求有误",
    401: "未认证或认证已失效",
    403: "无权执行此操作",
    404: "未找到",
    405: "不支持的请求方法",
    409: "与当前状态冲突",
    413: "请求体过大",
    415: "请求体须为 JSON",
    422: "提交的内容未通过校验",
    429: "请求过于频繁",
    500: "服务器内部错误",
    503: "服务暂不可用",
}


def _rollback() -> None:
    uow.discard()


def problem(status: int, title: str | None = None, detail: str | None = None, **extra: Any) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": title or TITLES.get(status, "错误"), "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json")


def field_problem(errors: dict[str, list[str]]) -> Response:
    return problem(422, errors=errors)


def marshmallow_errors(exc: ValidationError) -> dict[str, list[str]]:
    """Flatten marshmallow's messages to ``{field: [messages]}``; a whole-body error is reported as ``body``."""
    raw = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    flat: dict[str, list[str]] = {}
    for name, messages in raw.items():
        key = "body" if name == "_schema" else str(name)
        if isinstance(messages, dict):
            messages = [m for ms in messages.values() for m in (ms if isinstance(ms, list) else [ms])]
        flat[key] = [str(m) for m in (messages if isinstance(messages, list) else [messages])]
    return flat


@api_bp.errorhandler(ValidationError)
def _validation_error(exc: ValidationError) -> Response:
    _rollback()
    return field_problem(marshmallow_errors(exc))


@api_bp.errorhandler(InvalidInput)
def _invalid_input(exc: InvalidInput) -> Response:
    _rollback()
    return field_problem(exc.errors)


@api_bp.errorhandler(InvalidValue)
def _invalid_value(exc: InvalidValue) -> Response:
    _rollback()
    return problem(422, detail=exc.message, code=exc.code)


@api_bp.errorhandler(RuleViolation)
def _rule_violation(exc: RuleViolation) -> Response:
    _rollback()
    violations = [{"rule": v.rule, "code": v.code, "message": v.message, "field": v.field} for v in exc.violations]
    errors: dict[str, list[str]] = {}
    for v in exc.violations:
        errors.setdefault(v.field or "body", []).append(v.message)
    return problem(422, title="不符合资金使用规定", detail=exc.message, violations=violations, errors=errors)


@api_bp.errorhandler(StaleDataError)
def _stale(exc: StaleDataError) -> Response:
    _rollback()
    return problem(409, title="该申请已被他人处理", detail="请刷新后重试")


@api_bp.errorhandler(NotFound)
def _not_found(exc: NotFound) -> Response:
    _rollback()
    return problem(404, detail=exc.message)


@api_bp.errorhandler(NotAllowed)
def _not_allowed(exc: NotAllowed) -> Response:
    _rollback()
    return problem(409 if exc.code == "state_not_allowed" else 403, detail=exc.message, code=exc.code)


@api_bp.errorhandler(Conflict)
def _conflict(exc: Conflict) -> Response:
    _rollback()
    extra: dict[str, Any] = {"errors": {exc.field: [exc.message]}} if exc.field else {}
    return problem(409, detail=exc.message, code=exc.code, **extra)


@api_bp.errorhandler(LoanFundError)
def _other_domain_error(exc: LoanFundError) -> Response:
    _rollback()
    return problem(422, detail=exc.message, code=exc.code)

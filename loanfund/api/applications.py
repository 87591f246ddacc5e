"""Applications over the API: create, list, read, and one POST per lifecycle action."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from marshmallow import ValidationError

from loanfund.api import api_bp
from loanfund.api.auth import checked_code, current_api_user, token_required
from loanfund.api.documented import documented, items_of
from loanfund.api.errors import marshmallow_errors, problem
from loanfund.api.idempotency import run_idempotent
from loanfund.api.presenters import application_body, application_data
from loanfund.api.schemas import (
    ApplicationCreateSchema,
    ApplicationFiltersSchema,
    ApplicationPageSchema,
    ApplicationSchema,
    BankSchema,
    EnterpriseSchema,
    MaterialSchema,
    step_schema,
)
from loanfund.domain.lifecycle import Action, Role, State
from loanfund.services import access, directory, funds, lifecycle
from loanfund.services.applications import listing, materials, views
from loanfund.services.people import second_factor
from loanfund.uploads import uploaded

PER_PAGE_MAX = 100
# how deep ``page`` reaches (rows skipped): deeper, the database reads and throws away every row before the page —
# ``cursor`` (the last id of the page before, answered as ``next_cursor``) starts where that page ended instead
OFFSET_MAX = 10_000


@api_bp.get("/banks")
@documented(
    "合作银行",
    answer=items_of(BankSchema),
    more_query=({"name": "fund", "in": "query", "schema": {"type": "string", "maxLength": 16}},),
)
@token_required()
def list_banks() -> Response:
    """The cooperating banks, each with its fund and the designated account that fund pays into: a fund's staff and
    bank officers see their fund's, an enterprise those of every fund (``?fund=CODE``: one fund's)."""
    user = current_api_user()
    wanted = request.args.get("fund")
    if user.fund_id is not None:
        shown = [user.fund_id]
    elif wanted:
        shown = [f.id for f in funds.funds() if f.code == wanted.strip().upper()]
    else:
        shown = [f.id for f in funds.funds()]
    return jsonify({"items": BankSchema(many=True).dump(directory.banks(shown))})


@api_bp.get("/enterprises/me")
@documented("本企业信息（企业用户）", answer=EnterpriseSchema, problems=(403,))
@token_required(Role.ENTERPRISE)
def my_enterprise() -> Response:
    """The caller's own enterprise (enterprise users only).

    :raise 403: the caller is not an enterprise user.
    """
    return jsonify(EnterpriseSchema().dump(current_api_user().enterprise))


@api_bp.post("/applications")
@documented(
    "提交申请（企业用户）",
    body=ApplicationCreateSchema,
    status=201,
    answer=ApplicationSchema,
    problems=(403, 422),
    idempotency="optional",
)
@token_required(Role.ENTERPRISE)
def create_application() -> Response:
    """Apply for a bridge (enterprise users).

    :raise 422: a field is wrong, or a rule (R4, R7, R10, R11) refuses the application.
    """
    body: Any = request.get_json(silent=True)  # not a JSON object: the schema says so (422)
    data = ApplicationCreateSchema().load(body)
    user = current_api_user()
    return run_idempotent(
        user,
        required=False,
        step=lambda: lifecycle.submit_application(user, lifecycle.ApplicationInput(**data)),
        render=application_body,
        status=201,
    )


@api_bp.post("/applications/<int(max=2147483647):application_id>/materials")
@documented(
    "上传申请材料（企业、合作银行承诺、平台划款凭证；可多个文件，全部成功或全部不保存）",
    form={
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
    },
    status=201,
    answer=items_of(MaterialSchema),
    problems=(403, 404, 413, 422),
)
@token_required()
def upload_materials(application_id: int) -> tuple[Response, int]:
    """Documents for an application (multipart/form-data: ``category`` and one or more ``file``), as the checklist
    lets the caller provide them: the enterprise its own, the bank its signed commitment, the operator the transfer
    voucher. All or none.

    :raise 404: not the caller's application. :raise 403: not now, or not this caller's to provide.
    :raise 422: the category or a file refused (each named).
    """
    files = uploaded("file")
    added = materials.upload(current_api_user(), application_id, request.form.get("category", ""), files)
    return jsonify({"items": MaterialSchema(many=True).dump(added)}), 201


@api_bp.get("/applications")
@documented(
    "申请列表（按可见范围）",
    query=ApplicationFiltersSchema,
    more_query=(
        {"name": "state", "in": "query", "schema": {"type": "string", "enum": [s.value for s in State]}},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {
            "name": "cursor",
            "in": "query",
            "description": "上一页返回的 next_cursor：从该条之后继续（不受翻页深度限制）",
            "schema": {"type": "integer", "minimum": 1},
        },
        {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": PER_PAGE_MAX}},
    ),
    answer=ApplicationPageSchema,
    problems=(422,),
)
@token_required(*access.APPLICATION_ROLES)
def list_applications() -> Response:
    """The applications the caller may see, newest first; ``state`` and the filters of ``ApplicationFiltersSchema``
    narrow them (as on the page); ``per_page`` rows a page, the page by ``cursor`` (the ``next_cursor`` of the page
    before: as quick at the millionth row as at the first) or by ``page`` (up to 10,000 rows deep).
    :raise 422: every bad parameter at once."""
    user = current_api_user()
    errors: dict[str, list[str]] = {}
    try:
        filters = ApplicationFiltersSchema().load(request.args.to_dict())
    except ValidationError as exc:
        filters = {}
        errors |= marshmallow_errors(exc)
    state = request.args.get("state")
    if state is not None and state not in State.__members__.values():
        errors["state"] = [f"未知状态：{state}"]
    page = _positive_int("page", 1, errors)
    per_page = _positive_int("per_page", 20, errors)
    cursor = _cursor(request.args.get("cursor"), errors)
    if per_page > PER_PAGE_MAX:
        errors.setdefault("per_page", []).append(f"每页最多 {PER_PAGE_MAX} 条")
    elif (page - 1) * per_page > OFFSET_MAX:
        errors.setdefault("page", []).append(
            f"按页码最多翻到第 {OFFSET_MAX:,} 条；更深处请用 cursor（上一页返回的 next_cursor）继续"
        )
    if cursor is not None and "page" in request.args:
        errors.setdefault("cursor", []).append("cursor 与 page 不能同时使用")
    if errors:
        return problem(422, errors=errors)
    chosen = listing.Criteria(
        state=State(state) if state else None,
        bank_id=filters.get("bank_id"),
        district=filters.get("district"),
        size=filters.get("size"),
        industry=filters.get("industry"),
        loan_type=filters.get("loan_type"),
        submitted_from=filters.get("submitted_from"),
        submitted_to=filters.get("submitted_to"),
        amount_min=filters.get("amount_min"),
        amount_max=filters.get("amount_max"),
        text=filters.get("q", ""),
    )
    counted = listing.count(user, chosen)
    found = listing.applications(
        user, chosen, limit=per_page, offset=0 if cursor else (page - 1) * per_page, before_id=cursor
    )
    items = views.rows(user, found)
    body = {
        "items": [application_data(row) for row in items],
        "page": None if cursor else page,
        "per_page": per_page,
        "total": counted.number,
        "total_capped": counted.more,
        "next_cursor": found[-1].id if len(found) == per_page else None,
    }
    return jsonify(ApplicationPageSchema().dump(body))


def _cursor(raw: str | None, errors: dict[str, list[str]]) -> int | None:
    """The ``next_cursor`` a page answered: an application's id (ASCII digits within the database's integers)."""
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10 or not 1 <= int(raw) <= 2**31 - 1:
        errors["cursor"] = ["须为上一页返回的 next_cursor"]
        return None
    return int(raw)


def _positive_int(name: str, default: int, errors: dict[str, list[str]]) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6 or int(raw) < 1:  # "²".isdigit() is True
        errors[name] = ["须为正整数"]
        return default
    return int(raw)


@api_bp.get("/applications/<int(max=2147483647):application_id>")
@documented("申请详情（含流转记录）", answer=ApplicationSchema, problems=(404,))
@token_required()
def get_application(application_id: int) -> Response:
    """One application with its events.

    :raise 404: it does not exist or is not the caller's to see.
    """
    user = current_api_user()
    application = lifecycle.get(user, application_id)
    body = application_data(views.application_view(user, application), events=lifecycle.timeline(application))
    return jsonify(ApplicationSchema().dump(body))


@api_bp.post("/applications/<int(max=2147483647):application_id>/<action_name>")
@documented("", steps=True, answer=ApplicationSchema, problems=(400, 403, 404, 409, 422))
@token_required()
def application_action(application_id: int, action_name: str) -> Response:
    """Take one lifecycle step (see DESIGN §3). Money-moving steps need an ``Idempotency-Key``.

    :raise 400: a money-moving step without an Idempotency-Key.
    :raise 403: the caller's role never takes this step.
    :raise 404: unknown step, or an application that is not the caller's to see.
    :raise 409: the step is not allowed from the application's current state.
    :raise 422: a field is wrong or a rule refuses the step.
    """
    try:
        action = Action(action_name)
        schema_class = step_schema(lifecycle.STEPS[action])
    except (ValueError, KeyError):
        return problem(404, detail=f"未知操作：{action_name}")
    user = current_api_user()

    def read_body() -> dict[str, Any]:
        # read once the application is locked and the step allowed: 404, 403 and 409 come before 422
        return dict(schema_class().load(request.get_json(silent=True) or {}))

    checked: list[second_factor.Passed] = []

    def code_first() -> None:  # the caller's one-time code, when the step asks for theirs (``X-OTP``)
        if second_factor.asks(user, lifecycle.STEPS[action]):
            checked.append(checked_code(action.value))

    return run_idempotent(
        user,
        required=action in lifecycle.MONEY_ACTIONS,
        step=lambda: lifecycle.take(
            user, application_id, action, read_input=read_body, passed=checked[0] if checked else None
        ),
        render=lambda outcome: application_body(outcome.application),
        first=code_first,
    )

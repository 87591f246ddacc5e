"""The funds on the platform over the API (DESIGN §7): the platform administrator creates funds and their
administrators; a fund's administrator keeps its users, policy versions and capital; an overseer reads every fund
side by side. The same services as the pages; another fund's paths answer 404."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Response, jsonify, request

from loanfund.api import api_bp
from loanfund.api.auth import current_api_user, token_required
from loanfund.api.documented import documented, items_of
from loanfund.api.schemas import (
    ContributionSchema,
    FundContributionCreateSchema,
    FundCreateSchema,
    FundFiguresSchema,
    FundSchema,
    FundUserCreateSchema,
    FundUserSchema,
    PolicyVersionOutSchema,
    PolicyVersionSchema,
)
from loanfund.domain.errors import InvalidInput
from loanfund.domain.lifecycle import Role
from loanfund.services import admin, directory, funds, platform
from loanfund.services.books.capital import contributor_named, record_contribution


def _body() -> Any:
    return request.get_json(silent=True)


def policy_data(loaded: dict[str, Any]) -> dict[str, Any]:
    """A policy version as the API gives it, in the form the administrator's service reads (the web form's)."""
    try:
        cap_percent = str(Decimal(loaded["cap_ratio"]) * 100)
    except InvalidOperation:
        cap_percent = loaded["cap_ratio"]  # refused as not a number, under cap_ratio
    return {
        "name": loaded["name"],
        "effective_from": loaded["effective_from"],
        "bands": [
            {
                "upper_bound": band["upper_bound"].plain() if band["upper_bound"] is not None else None,
                "upper_inclusive": band["upper_inclusive"],
                "base_rate_permille": band["base_rate_permille"],
                "extended_rate_permille": band["extended_rate_permille"],
            }
            for band in loaded["bands"]
        ],
        "base_rate_days": loaded["base_rate_days"],
        "max_days": loaded["max_days"],
        "cap_percent": cap_percent,
        "group_threshold": loaded["group_threshold"].plain(),
        "group_for_overdue_loan": loaded["group_for_overdue_loan"],
        "renewal_sla_days": loaded["renewal_sla_days"],
        "blacklist_years": loaded["blacklist_years"],
        "rate_mode": loaded["rate_mode"],
        "description": loaded["description"],
        "loan_types": loaded["loan_types"],
    }


def policy_field(key: str, prefix: str = "") -> str:
    """The API's name of a field the service names as the web form does (``band2_base_rate`` → ``bands.1.…``)."""
    if key == "cap_percent":
        return prefix + "cap_ratio"
    if key.startswith("band") and "_" in key and key[4:].split("_", 1)[0].isdigit():
        number, rest = key[4:].split("_", 1)
        name = {"base_rate": "base_rate_permille", "extended_rate": "extended_rate_permille"}.get(rest, rest)
        return f"{prefix}bands.{int(number) - 1}.{name}"
    return prefix + key


def _renamed(exc: InvalidInput, prefix: str = "") -> InvalidInput:
    renamed: dict[str, list[str]] = {}
    for key, messages in exc.errors.items():
        inner = key.removeprefix(prefix) if prefix and key.startswith(prefix) else None
        renamed.setdefault(policy_field(inner, prefix) if inner is not None else key, []).extend(messages)
    return InvalidInput(renamed)


@api_bp.get("/funds")
@documented("转贷资金列表", answer=items_of(FundSchema), security="")
def list_funds() -> Response:
    """Every fund on the platform, the oldest first: what an enterprise may apply to (public, as the guide is)."""
    return jsonify({"items": FundSchema(many=True).dump(funds.funds())})


@api_bp.post("/funds")
@documented("设立转贷资金（平台管理员）", body=FundCreateSchema, status=201, answer=FundSchema, problems=(403, 422))
@token_required(Role.PLATFORM)
def create_fund() -> tuple[Response, int]:
    """A new fund with its region, bodies, special account and first policy version.

    :raise 403: not the platform administrator. :raise 422: every wrong field at once (``policy.…`` for the policy).
    """
    data = FundCreateSchema().load(_body())
    bodies, account = data["bodies"], data["special_account"]
    given = platform.FundInput(
        code=data["code"],
        name=data["name"],
        short_name=data["short_name"],
        regulation=data["regulation"],
        regulation_number=data["regulation_number"],
        districts=list(data["districts"]),
        authority=bodies["authority"],
        group_office=bodies["group_office"],
        reviewing_body=bodies["reviewing_body"],
        operating_body=bodies["operating_body"],
        account_bank=account.get("bank", ""),
        account_name=account.get("account_name", ""),
        account_no=account.get("account_no", ""),
        contact=data["contact"],
        region_name=data["region_name"],
        region_code=data["region_code"],
    )
    try:
        created = platform.create_fund(current_api_user(), given, policy_data(data["policy"]))
    except InvalidInput as exc:
        raise _renamed(exc, "policy.") from exc
    return jsonify(FundSchema().dump(created)), 201


@api_bp.post("/funds/<code>/users")
@documented(
    "设立转贷资金的用户", body=FundUserCreateSchema, status=201, answer=FundUserSchema, problems=(403, 404, 422)
)
@token_required(Role.PLATFORM, Role.ADMIN)
def create_fund_user(code: str) -> tuple[Response, int]:
    """The platform administrator sets up a fund's administrator; a fund's administrator its own staff and bank
    officers. :raise 404: another fund's. :raise 403: a role the caller may not give. :raise 422: a bad field."""
    data = FundUserCreateSchema().load(_body())
    user = platform.add_fund_user(
        current_api_user(), code, data["username"], data["password"], data["role"], data["email"], data["bank_id"]
    )
    return jsonify(FundUserSchema().dump(user)), 201


@api_bp.get("/funds/<code>/policies")
@documented("转贷资金的政策版本", answer=items_of(PolicyVersionOutSchema), problems=(403, 404))
@token_required(Role.ADMIN)
def list_policies(code: str) -> Response:
    """The fund's policy versions by the day they take effect. :raise 404: another fund's."""
    fund = platform.fund_for(current_api_user(), code)
    return jsonify({"items": PolicyVersionOutSchema(many=True).dump(directory.policy_versions(fund))})


@api_bp.post("/funds/<code>/policies")
@documented(
    "新增政策版本", body=PolicyVersionSchema, status=201, answer=PolicyVersionOutSchema, problems=(403, 404, 422)
)
@token_required(Role.ADMIN)
def create_policy(code: str) -> tuple[Response, int]:
    """A new version of the fund's policy, with as many bands as it has. :raise 404: another fund's.
    :raise 422: every wrong parameter (``bands.N.…`` for a band)."""
    fund = platform.fund_for(current_api_user(), code)
    data = PolicyVersionSchema().load(_body())
    try:
        version = admin.create_policy_version(fund, policy_data(data))
    except InvalidInput as exc:
        raise _renamed(exc) from exc
    return jsonify(PolicyVersionOutSchema().dump(version)), 201


@api_bp.post("/funds/<code>/contributions")
@documented(
    "登记出资", body=FundContributionCreateSchema, status=201, answer=ContributionSchema, problems=(403, 404, 422)
)
@token_required(Role.ADMIN)
def create_contribution(code: str) -> tuple[Response, int]:
    """Capital paid into the fund's special account (Dr cash / Cr capital). :raise 404: another fund's.
    :raise 422: a bad field (amount not positive)."""
    user = current_api_user()
    fund = platform.fund_for(user, code)
    data = FundContributionCreateSchema().load(_body())
    contributor = contributor_named(fund.id, data["contributor"], data["kind"])
    contribution = record_contribution(
        contributor, data["amount"], data["contributed_on"], data["reference"], recorded_by=user
    )
    return jsonify(ContributionSchema().dump(contribution)), 201


@api_bp.get("/overview")
@documented(
    "各转贷资金汇总（监管部门）",
    answer=items_of(FundFiguresSchema, total=FundFiguresSchema),
    problems=(403,),
)
@token_required(Role.OVERSEER, Role.PLATFORM)
def overview() -> Response:
    """Every fund side by side — its special account, money out and this year's figures — with the totals.
    :raise 403: anyone but the overseer and the platform administrator."""
    lines, total = platform.overview(current_api_user())

    def shown(line: platform.FundFigures, *, code: str, name: str) -> dict[str, Any]:
        return {
            "fund": code,
            "name": name,
            "cash": line.cash,
            "reserved": line.reserved,
            "out": line.out,
            "bridges_out": line.bridges_out,
            "submitted": line.year.submitted,
            "disbursed": line.year.disbursed,
            "fee_income": line.year.fee_income,
        }

    items = [shown(line, code=line.fund.code, name=line.fund.name) for line in lines]
    body: dict[str, Any] = {"items": FundFiguresSchema(many=True).dump(items)}
    body["total"] = FundFiguresSchema().dump(shown(total, code="", name="合计")) if total else None
    return jsonify(body)

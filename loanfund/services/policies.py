"""Policy versions (R14): which of a fund's versions is in force; a new one from its parameters (any number of bands),
corrected or withdrawn until it takes effect — each change with who and why, a version in force never changed; the
versions as JSON (the API's shape, ``loanfund policy export`` and ``import``); the seeded 2018 default."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from loanfund import clock
from loanfund.domain.errors import Conflict, FieldErrors, InvalidInput, InvalidValue, NotFound
from loanfund.domain.policy import LIANYUNGANG_2018, LoanType, Policy, RateMode, policy_in_force, rate_problem
from loanfund.extensions import db
from loanfund.models import Fund, PolicyVersion, User
from loanfund.services.uow import discard, finish

IN_EFFECT_FIXED = "已施行的政策版本不能更改或撤回（R14）：如需调整，请新增一个以后施行的版本"


def policy_version_in_force(fund_id: int, on: date) -> tuple[PolicyVersion, Policy]:
    """The fund's stored version in force on ``on`` with its domain form; ``InvalidValue`` when none is."""
    return versions_in_force(fund_id)(on)


def versions_in_force(fund_id: int) -> Callable[[date], tuple[PolicyVersion, Policy]]:
    """The fund's stored versions read once, to find the one in force on each of many days (a 台账's rows): the
    lookup answers as ``policy_version_in_force``."""
    rows = db.session.scalars(
        select(PolicyVersion)
        .where(PolicyVersion.fund_id == fund_id, PolicyVersion.withdrawn_at.is_(None))
        .order_by(PolicyVersion.effective_from)
    ).all()
    by_name = {row.name: row for row in rows}
    policies = [row.to_policy() for row in rows]

    def on(day: date) -> tuple[PolicyVersion, Policy]:
        policy = policy_in_force(policies, day)
        return by_name[policy.name], policy

    return on


class InForce:
    """Each fund's policy in force on one day, looked up once per fund (a list across funds asks for several)."""

    def __init__(self, on: date) -> None:
        self.on = on
        self._found: dict[int, Policy] = {}

    def __call__(self, fund_id: int) -> Policy:
        if fund_id not in self._found:
            self._found[fund_id] = policy_version_in_force(fund_id, self.on)[1]
        return self._found[fund_id]


def ensure_default_policy(fund: Fund) -> PolicyVersion:
    """Insert the 2018 policy for ``fund`` when it has none by that name (the migrations do this for the first fund;
    kept for fresh test schemas)."""
    row = db.session.scalar(
        select(PolicyVersion).where(PolicyVersion.fund_id == fund.id, PolicyVersion.name == LIANYUNGANG_2018.name)
    )
    if row is None:
        row = PolicyVersion(
            fund_id=fund.id,
            name=LIANYUNGANG_2018.name,
            effective_from=LIANYUNGANG_2018.effective_from,
            parameters=LIANYUNGANG_2018.to_dict(),
        )
        db.session.add(row)
        db.session.flush()
    return row


def create_policy_version(fund: Fund, data: dict[str, Any]) -> PolicyVersion:
    """A new version (R14) of ``fund``'s policy from its parameters, committed; applications approved before keep
    theirs. ``data`` as ``new_policy_version``'s.

    :raise InvalidInput: naming each wrong parameter.
    """
    return finish(new_policy_version(fund, data))


def new_policy_version(fund: Fund, data: dict[str, Any]) -> PolicyVersion:
    """A new version of ``fund``'s policy in the caller's transaction (a new fund's first version commits with it).

    :raise InvalidInput: as ``policy_from_input``.
    """
    policy = policy_from_input(fund.id, data)
    row = PolicyVersion(
        fund_id=fund.id, name=policy.name, effective_from=policy.effective_from, parameters=policy.to_dict()
    )
    db.session.add(row)
    db.session.flush()
    return row


def policy_from_input(fund_id: int | None, data: dict[str, Any], *, other_than: int | None = None) -> Policy:
    """A policy version from its parameters, checked — against the fund's other versions not withdrawn too, when it
    has any (``other_than``: the version being corrected).

    ``data`` holds the parameters as text (the form's), bands as a list of dicts — as many as the fund has.
    :raise InvalidInput: naming each wrong parameter.
    """
    errors = FieldErrors()

    def decimal(key: str, text: str, problem: Callable[[Decimal], str | None]) -> str:
        try:
            value = Decimal(text)
        except (InvalidOperation, TypeError):
            errors.add(key, "须为数字")
            return "0"
        message = problem(value)
        if message:
            errors.add(key, message)
            return "0"
        return str(value)

    def percent_problem(value: Decimal) -> str | None:
        if not value.is_finite() or not Decimal(0) < value <= Decimal(100):
            return "须为大于 0、不超过 100 的数字"
        return None

    of_fund = (PolicyVersion.fund_id == fund_id) & PolicyVersion.withdrawn_at.is_(None)
    if other_than is not None:
        of_fund &= PolicyVersion.id != other_than
    name = (data.get("name") or "").strip()
    if not name:
        errors.add("name", "请填写版本名称（如文件文号）")
    elif db.session.scalar(select(PolicyVersion.id).where(of_fund, PolicyVersion.name == name)) is not None:
        errors.add("name", "已有同名的政策版本")
    effective_from: date | None = data.get("effective_from")
    if effective_from is None:
        errors.add("effective_from", "请选择施行日期")
    elif db.session.scalar(select(PolicyVersion.id).where(of_fund, PolicyVersion.effective_from == effective_from)):
        errors.add("effective_from", "该日已有政策版本施行")
    bands = []
    for index, band in enumerate(data.get("bands", []), start=1):
        if not band.get("base_rate_permille") and not band.get("extended_rate_permille"):
            continue
        bands.append(
            {
                "upper_bound": band.get("upper_bound") or None,
                "upper_inclusive": bool(band.get("upper_inclusive")),
                "base_rate_permille": decimal(
                    f"band{index}_base_rate", band.get("base_rate_permille", ""), rate_problem
                ),
                "extended_rate_permille": decimal(
                    f"band{index}_extended_rate", band.get("extended_rate_permille", ""), rate_problem
                ),
            }
        )
    if not bands:
        errors.add("bands", "至少填写一档费率")
    cap_percent = decimal("cap_percent", data.get("cap_percent", ""), percent_problem)
    loan_types = list(data.get("loan_types") or [])
    if not loan_types:
        errors.add("loan_types", "至少选择一种受理的贷款种类（第三条：流动资金贷款）")
    elif any(t not in LoanType.__members__.values() for t in loan_types):
        errors.add("loan_types", "未知的贷款种类")
    errors.raise_if_any()
    parameters = {
        "name": name,
        "effective_from": effective_from.isoformat() if effective_from else "",
        "bands": bands,
        "base_rate_days": data["base_rate_days"],
        "max_days": data["max_days"],
        "cap_ratio": str(Decimal(cap_percent) / 100),
        "group_threshold": data["group_threshold"],
        "group_for_overdue_loan": bool(data.get("group_for_overdue_loan")),
        "renewal_sla_days": data["renewal_sla_days"],
        "blacklist_years": data["blacklist_years"],
        "rate_mode": data.get("rate_mode") or RateMode.MARGINAL.value,
        "description": data.get("description", ""),
        "loan_types": loan_types,
    }
    try:
        policy = Policy.from_dict(parameters)
    except InvalidValue as exc:
        errors.add("bands", "参数不成立：除最后一档外每档须有上限且逐档递增，比例须在 0–100% 之间")
        errors.raise_if_any()
        raise AssertionError from exc  # pragma: no cover
    return policy


def version_of(fund: Fund, version_id: int) -> PolicyVersion:
    """One of the fund's versions (a page asks before it reads its form). :raise NotFound: another fund's."""
    row = db.session.get(PolicyVersion, version_id)
    if row is None or row.fund_id != fund.id:
        raise NotFound("未找到该政策版本")
    return row


def may_change(row: PolicyVersion) -> str | None:
    """Why a version can no longer be corrected or withdrawn (in force, or withdrawn), or None while it can."""
    if row.withdrawn_at is not None:
        return "该政策版本已撤回"
    if row.effective_from <= clock.today():
        return IN_EFFECT_FIXED
    return None


def _changeable(fund: Fund, version_id: int) -> PolicyVersion:
    """The fund's version, locked and read fresh, while it may still change: not in force yet, not withdrawn.

    :raise NotFound: not the fund's. :raise Conflict: in force already, or withdrawn."""
    row = db.session.scalar(
        select(PolicyVersion)
        .where(PolicyVersion.id == version_id, PolicyVersion.fund_id == fund.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise NotFound("未找到该政策版本")
    why = may_change(row)
    if why is not None:
        raise Conflict(why, code="policy_withdrawn" if row.withdrawn_at is not None else "policy_in_force")
    return row


def _reason(reason: str, what: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInput({"reason": [f"请填写{what}的原因"]})
    return text


def revise_policy_version(actor: User, fund: Fund, version_id: int, data: dict[str, Any], reason: str) -> PolicyVersion:
    """Correct a version before it takes effect, saying why (R14: no application is priced under it yet).

    :raise NotFound: not the fund's. :raise Conflict: in force already, or withdrawn.
    :raise InvalidInput: the reason missing, or a parameter wrong."""
    row = _changeable(fund, version_id)
    why = _reason(reason, "更正")
    policy = policy_from_input(fund.id, data, other_than=row.id)
    if policy.effective_from <= clock.today():
        raise InvalidInput({"effective_from": ["更正后的施行日期须晚于今天"]})
    row.name, row.effective_from, row.parameters = policy.name, policy.effective_from, policy.to_dict()
    row.revised_at, row.revised_by_id, row.revision_reason = clock.utcnow(), actor.id, why
    return finish(row)


def withdraw_policy_version(actor: User, fund: Fund, version_id: int, reason: str) -> PolicyVersion:
    """Withdraw a version before it takes effect, saying why; it stays, marked, and is never in force.

    :raise NotFound: not the fund's. :raise Conflict: in force already, or withdrawn. :raise InvalidInput: no
        reason."""
    row = _changeable(fund, version_id)
    row.withdrawal_reason = _reason(reason, "撤回")
    row.withdrawn_at, row.withdrawn_by_id = clock.utcnow(), actor.id
    return finish(row)


# -- the JSON shape (the API's, the CLI's files) ------------------------------------------------------------------


def from_json(loaded: dict[str, Any]) -> dict[str, Any]:
    """A version as JSON gives it (``cap_ratio``, money already parsed), in the form the checks read (the web form's:
    ``cap_percent``, money as text)."""
    try:
        cap_percent = str(Decimal(str(loaded["cap_ratio"])) * 100)
    except InvalidOperation:
        cap_percent = str(loaded["cap_ratio"])  # refused as not a number, under cap_ratio
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


def json_field(key: str) -> str:
    """The JSON name of a field the checks name as the web form does (``band2_base_rate`` → ``bands.1.…``)."""
    if key == "cap_percent":
        return "cap_ratio"
    head, _, rest = key.partition("_")
    if head.startswith("band") and head[4:].isdigit() and rest:
        name = {"base_rate": "base_rate_permille", "extended_rate": "extended_rate_permille"}.get(rest, rest)
        return f"bands.{int(head[4:]) - 1}.{name}"
    return key


def json_errors(exc: InvalidInput, prefix: str = "") -> InvalidInput:
    """``exc``'s fields named as JSON names them (under ``prefix``: a new fund's ``policy.``)."""
    named: dict[str, list[str]] = {}
    for key, messages in exc.errors.items():
        shown = prefix + json_field(key[len(prefix) :]) if key.startswith(prefix) else key
        named.setdefault(shown, []).extend(messages)
    return InvalidInput(named)


def import_versions(fund: Fund, items: list[dict[str, Any]]) -> list[PolicyVersion]:
    """Several versions (a file's) added to the fund together, or none: committed once.

    :raise InvalidInput: the first version that is wrong, each of its fields named."""
    try:
        made = [new_policy_version(fund, item) for item in items]
    except InvalidInput:
        discard()
        raise
    return finish(made)


def exported(fund: Fund) -> list[dict[str, Any]]:
    """The fund's versions not withdrawn, oldest first, in the JSON shape ``from_json`` reads back."""
    rows = db.session.scalars(
        select(PolicyVersion)
        .where(PolicyVersion.fund_id == fund.id, PolicyVersion.withdrawn_at.is_(None))
        .order_by(PolicyVersion.effective_from)
    )
    return [row.to_policy().to_dict() for row in rows]

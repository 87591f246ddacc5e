"""Enterprises: an SME signs itself up, and keeps its details current (R10, 第二条)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from loanfund.domain.eligibility import (
    DISTRICTS,
    INDUSTRIES,
    check_district,
    check_employees,
    classify_size,
    normalise_credit_code,
)
from loanfund.domain.errors import FieldErrors, InvalidValue, NotAllowed
from loanfund.domain.lifecycle import Role
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Enterprise, User
from loanfund.services.accounts import check_new_login, create_user
from loanfund.services.uow import finish


@dataclass(frozen=True)
class EnterpriseInput:
    name: str
    credit_code: str
    district: str
    industry: str
    employees: int
    revenue: Money
    assets: Money
    legal_representative: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    address: str = ""


def _validated(data: EnterpriseInput, errors: FieldErrors, current: Enterprise | None = None) -> dict[str, object]:
    values: dict[str, object] = {}
    name = data.name.strip()
    if not name:
        errors.add("name", "请填写企业名称")
    values["name"] = name
    try:
        code = normalise_credit_code(data.credit_code)
        taken = db.session.scalar(select(Enterprise.id).where(Enterprise.credit_code == code))
        if taken is not None and (current is None or taken != current.id):
            errors.add("credit_code", "该统一社会信用代码已注册，请使用已有账户登录")
        values["credit_code"] = code
    except InvalidValue as exc:
        errors.add("credit_code", exc.message)
    try:
        check_district(data.district)
    except InvalidValue as exc:
        errors.add("district", exc.message)
    if data.industry not in INDUSTRIES:
        errors.add("industry", "请选择所属行业")
    try:
        check_employees(data.employees)
    except InvalidValue as exc:
        errors.add("employees", exc.message)
    for field, amount in (("revenue", data.revenue), ("assets", data.assets)):
        if amount.is_negative:
            errors.add(field, "金额不能为负数")
    if not errors.errors:
        values["size"] = classify_size(data.industry, data.employees, data.revenue, data.assets).value
    values |= {
        "district": data.district,
        "industry": data.industry,
        "employees": data.employees,
        "revenue": data.revenue,
        "assets": data.assets,
        "legal_representative": data.legal_representative.strip(),
        "contact_name": data.contact_name.strip(),
        "contact_phone": data.contact_phone.strip(),
        "address": data.address.strip(),
    }
    return values


def sign_up_problems(username: str | None, password: str | None, credit_code: str | None) -> dict[str, list[str]]:
    """What the sign-up form cannot see for itself, on whichever of these it could read (``None``: its own field has
    said what is wrong): the login's rules and the credit code (check character, already registered) — so a form
    with other errors still names these in the same pass. ``register`` checks them again."""
    errors = FieldErrors()
    if username is not None and password is not None:
        check_new_login(username.strip(), password, errors)
    if credit_code is not None:
        try:
            code = normalise_credit_code(credit_code)
        except InvalidValue as exc:
            errors.add("credit_code", exc.message)
        else:
            if db.session.scalar(select(Enterprise.id).where(Enterprise.credit_code == code)) is not None:
                errors.add("credit_code", "该统一社会信用代码已注册，请使用已有账户登录")
    return errors.errors


def register(username: str, password: str, data: EnterpriseInput) -> User:
    """Sign up: the enterprise and its first user together. A credit code already registered is refused.

    :raise InvalidInput: every wrong field at once.
    """
    errors = FieldErrors()
    check_new_login(username.strip(), password, errors)
    values = _validated(data, errors)
    errors.raise_if_any()
    enterprise = Enterprise(**values)
    db.session.add(enterprise)
    db.session.flush()
    user = create_user(
        username, password, Role.ENTERPRISE, display_name=data.contact_name or data.name, enterprise=enterprise
    )
    return finish(user)


def update(actor: User, data: EnterpriseInput) -> Enterprise:
    """The enterprise user edits its own enterprise; its size is computed again."""
    if actor.role_enum is not Role.ENTERPRISE or actor.enterprise is None:
        raise NotAllowed("只有企业用户可以修改企业信息", code="role_not_allowed")
    enterprise = actor.enterprise
    errors = FieldErrors()
    values = _validated(data, errors, current=enterprise)
    errors.raise_if_any()
    for key, value in values.items():
        setattr(enterprise, key, value)
    return finish(enterprise)


DISTRICT_CHOICES = list(DISTRICTS.items())
INDUSTRY_CHOICES = [(key, industry.name) for key, industry in INDUSTRIES.items()]

"""Enterprises: an SME signs itself up, and keeps its details current (R10, 第二条)."""

from __future__ import annotations

from dataclasses import dataclass

from loanfund.domain.eligibility import (
    INDUSTRIES,
    check_credit_code_region,
    check_district,
    check_employees,
    classify_size,
    normalise_credit_code,
)
from loanfund.domain.errors import FieldErrors, InvalidValue, NotAllowed
from loanfund.domain.lifecycle import Role
from loanfund.domain.money import Money
from loanfund.models import Enterprise, User
from loanfund.services.funds import platform_region
from loanfund.services.people import vetting
from loanfund.services.people.accounts import SIGN_UPS_LIMITED, admit_sign_up, check_login_form, valid_email
from loanfund.services.people.passwords import hash_password
from loanfund.services.uow import finish

IDENTITY = ("name", "credit_code", "district")
IDENTITY_FIXED = "企业名称、统一社会信用代码和所在县区由平台核定，如需更改请联系平台"


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


def _validated(data: EnterpriseInput, errors: FieldErrors) -> dict[str, object]:
    """The enterprise's values, checked."""
    values: dict[str, object] = {}
    name = data.name.strip()
    if not name:
        errors.add("name", "请填写企业名称")
    values["name"] = name
    region = platform_region()  # before a fund is chosen: within one the platform serves (R10 again at applying)
    try:
        values["credit_code"] = normalise_credit_code(data.credit_code)
        check_credit_code_region(str(values["credit_code"]), region)
    except InvalidValue as exc:
        errors.add("credit_code", exc.message)
    try:
        check_district(data.district, region)
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


def sign_up_problems(
    username: str | None, password: str | None, credit_code: str | None, email: str | None
) -> dict[str, list[str]]:
    """What the sign-up form cannot see for itself, on whichever of these it could read (``None``: its own field has
    said what is wrong): the login's form and strength, the credit code's check character, the e-mail's form — so a
    form with other errors still names these in the same pass. Never whether anything is already registered.
    ``register`` checks them again."""
    errors = FieldErrors()
    if username is not None and password is not None:
        check_login_form(username.strip(), password, errors)
    if credit_code is not None:
        try:
            check_credit_code_region(normalise_credit_code(credit_code), platform_region())
        except InvalidValue as exc:
            errors.add("credit_code", exc.message)
    if email is not None:
        _check_email(email, errors)
    return errors.errors


def _check_email(email: str, errors: FieldErrors) -> None:
    email = email.strip()
    if not email:
        errors.add("email", "请填写邮箱地址（审核结果和通知发往此邮箱）")
    elif not valid_email(email):
        errors.add("email", "邮箱地址格式不正确，如 name@example.com")


def register(username: str, password: str, email: str, data: EnterpriseInput, *, address: str) -> vetting.Outcome:
    """Sign up from the public form (from ``address``): an unvetted user, and its enterprise unless the credit code is
    registered (then a request to join it). Whatever is registered already, a well-formed sign-up answers alike and
    does the same work (the password is hashed before anything is looked up); see ``vetting``. Sign-ups are counted
    per address and per credit code before the password is hashed (``accounts.admit_sign_up``).

    :raise InvalidInput: every wrong field at once (what is wrong with the input, never what exists).
    :raise NotAllowed: too many sign-ups from the address or under the credit code (code ``too_many``).
    """
    errors = FieldErrors()
    check_login_form(username.strip(), password, errors)
    _check_email(email, errors)
    values = _validated(data, errors)
    errors.raise_if_any()
    if not admit_sign_up(address, str(values["credit_code"])):
        raise NotAllowed(SIGN_UPS_LIMITED, code="too_many")
    return vetting.sign_up(username, hash_password(password), email.strip(), values)


def update(actor: User, data: EnterpriseInput) -> Enterprise:
    """The vetted enterprise user edits its own enterprise's details but its name, credit code and district (the
    platform's to change: a blacklisted enterprise must not become another by editing its code); its size is
    computed again."""
    if actor.role_enum is not Role.ENTERPRISE or actor.enterprise is None or not actor.vetted:
        raise NotAllowed("只有企业用户可以修改企业信息", code="role_not_allowed")
    enterprise = actor.enterprise
    errors = FieldErrors()
    values = _validated(data, errors)
    for field in IDENTITY:
        if field not in errors.errors and values.get(field) != getattr(enterprise, field):
            errors.add(field, IDENTITY_FIXED)
    errors.raise_if_any()
    for key, value in values.items():
        setattr(enterprise, key, value)
    return finish(enterprise)


INDUSTRY_CHOICES = [(key, industry.name) for key, industry in INDUSTRIES.items()]

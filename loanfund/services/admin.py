"""The administrator's set-up: banks and their agreements, policy versions, users' access (DESIGN §2)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from loanfund.domain.errors import FieldErrors, InvalidValue, NotAllowed
from loanfund.domain.lifecycle import Role
from loanfund.domain.policy import LoanType, Policy, RateMode, rate_problem
from loanfund.extensions import db
from loanfund.models import Bank, BankAccountChange, BankLiaison, Fund, PolicyVersion, User
from loanfund.services.books import bank_accounts
from loanfund.services.people import sessions
from loanfund.services.uow import finish


@dataclass(frozen=True)
class BankInput:
    code: str
    name: str
    agreement_no: str
    agreement_start: date
    agreement_end: date
    account_name: str
    account_no: str
    account_bank: str
    officer_name: str = ""
    officer_phone: str = ""
    liaison_id: int | None = None  # 第十二条: the operator the platform names for this bank (None: nobody yet)


@dataclass(frozen=True)
class SavedBank:
    bank: Bank
    proposed: BankAccountChange | None  # a change of its designated account, waiting for another person


def save_bank(data: BankInput, bank: Bank | None, actor: User) -> SavedBank:
    """Add a cooperating bank or change one. A change of an existing bank's designated account does not take effect:
    it is proposed, for another person to confirm (``bank_accounts``); everything else is saved at once.

    :raise InvalidInput: a field is missing, a code or name is taken, the period ends before it starts, or another
        change of the account already waits for confirmation.
    """
    errors = FieldErrors()
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.__dict__.items()}
    liaison_id = values.pop("liaison_id")
    liaison = db.session.get(User, liaison_id) if liaison_id else None
    if liaison_id and (liaison is None or liaison.role_enum is not Role.OPERATOR or not liaison.active):
        errors.add("liaison_id", "专人须为在职的平台运营人员")
    for key in ("code", "name", "agreement_no", "account_name", "account_no", "account_bank"):
        if not values[key]:
            errors.add(key, "此项为必填项")
    if data.agreement_end < data.agreement_start:
        errors.add("agreement_end", "协议结束日不能早于开始日")
    for key in ("code", "name"):
        other = db.session.scalar(select(Bank.id).where(getattr(Bank, key) == values[key]))
        if other is not None and (bank is None or other != bank.id):
            errors.add(key, "已有同名或同代码的合作银行")
    errors.raise_if_any()
    proposed = None
    if bank is None:
        bank = Bank(**values)
        db.session.add(bank)
    else:
        proposed = bank_accounts.propose(bank, {k: values[k] for k in bank_accounts.ACCOUNT_FIELDS}, actor)
        for key, value in values.items():
            if key not in bank_accounts.ACCOUNT_FIELDS:
                setattr(bank, key, value)
    _name_liaison(bank, liaison)
    return finish(SavedBank(bank, proposed))


def _name_liaison(bank: Bank, liaison: User | None) -> None:
    """The bank's 专人 (第十二条) is this operator from now on, or nobody."""
    db.session.flush()  # a new bank has its id
    current = db.session.scalar(select(BankLiaison).where(BankLiaison.bank_id == bank.id))
    if liaison is None:
        if current is not None:
            db.session.delete(current)
    elif current is None:
        db.session.add(BankLiaison(bank_id=bank.id, user_id=liaison.id))
    elif current.user_id != liaison.id:
        current.user_id = liaison.id


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


def policy_from_input(fund_id: int | None, data: dict[str, Any]) -> Policy:
    """A policy version from its parameters, checked — against the fund's other versions too, when it has any.

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

    of_fund = PolicyVersion.fund_id == fund_id
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


def set_active(actor: User, user: User, active: bool) -> User:
    """Switch a user's access on or off; nobody switches off themselves."""
    if actor.role_enum is not Role.ADMIN:
        raise NotAllowed("只有系统管理员可以停用或启用用户", code="role_not_allowed")
    if actor.id == user.id and not active:
        raise NotAllowed("不能停用自己的账户", code="self")
    user.active = active
    if not active:
        sessions.end_others(user, None, "off")  # signed out everywhere at once, every API token revoked
    return finish(user)

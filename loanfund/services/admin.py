"""The administrator's set-up: banks and their agreements, policy versions, users' access (DESIGN §2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from loanfund.domain.errors import FieldErrors, NotAllowed
from loanfund.domain.lifecycle import Role
from loanfund.extensions import db
from loanfund.models import Bank, BankAccountChange, BankLiaison, User
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


def save_bank(data: BankInput, bank: Bank | None, actor: User, fund_id: int | None = None) -> SavedBank:
    """Add a bank's cooperation with the fund (``fund_id``: the actor's own unless the platform administrator names
    another) or change one. A change of an existing bank's designated account does not take effect: it is
    proposed, for another person to confirm (``bank_accounts``); everything else is saved at once.

    :raise InvalidInput: a field is missing, a code or name is taken in the fund, the period ends before it starts,
        or another change of the account already waits for confirmation.
    """
    fund_id = bank.fund_id if bank is not None else (fund_id or actor.fund_id)
    if fund_id is None or (actor.role_enum is not Role.PLATFORM and actor.fund_id != fund_id):
        raise NotAllowed("只有本资金的管理员可以登记合作银行", code="role_not_allowed")
    errors = FieldErrors()
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.__dict__.items()}
    liaison_id = values.pop("liaison_id")
    liaison = db.session.get(User, liaison_id) if liaison_id else None
    if liaison_id and (
        liaison is None or liaison.role_enum is not Role.OPERATOR or not liaison.active or liaison.fund_id != fund_id
    ):
        errors.add("liaison_id", "专人须为本资金在职的平台运营人员")
    for key in ("code", "name", "agreement_no", "account_name", "account_no", "account_bank"):
        if not values[key]:
            errors.add(key, "此项为必填项")
    if data.agreement_end < data.agreement_start:
        errors.add("agreement_end", "协议结束日不能早于开始日")
    for key in ("code", "name"):
        other = db.session.scalar(select(Bank.id).where(Bank.fund_id == fund_id, getattr(Bank, key) == values[key]))
        if other is not None and (bank is None or other != bank.id):
            errors.add(key, "已有同名或同代码的合作银行")
    errors.raise_if_any()
    proposed = None
    if bank is None:
        bank = Bank(fund_id=fund_id, **values)
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

"""A bank's designated receiving account (第十七条: bridge money is paid only into it) changes by maker–checker.

An administrator proposes the new account when editing the bank; it takes effect only when another person — a
second administrator or an operator — confirms it. Until then disbursements still go to the old account. Each
proposal is kept with who proposed and who decided, when, and the old and new account.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from loanfund import clock
from loanfund.domain.errors import InvalidInput, NotAllowed, NotFound
from loanfund.domain.lifecycle import Role
from loanfund.extensions import db
from loanfund.models import Bank, BankAccountChange, User
from loanfund.services.oversight import notices
from loanfund.services.uow import finish

ACCOUNT_FIELDS = ("account_name", "account_no", "account_bank")
CHECKERS = frozenset({Role.ADMIN, Role.OPERATOR})


def pending_change(bank: Bank) -> BankAccountChange | None:
    return db.session.scalar(
        select(BankAccountChange).where(BankAccountChange.bank_id == bank.id, BankAccountChange.decision == "pending")
    )


def propose(bank: Bank, account: dict[str, str], actor: User) -> BankAccountChange | None:
    """Record a proposed change of ``bank``'s account (joins the caller's unit of work); None when ``account`` is
    the account in force.

    :raise InvalidInput: another change of this bank's account already waits for confirmation.
    """
    if all(getattr(bank, field) == account[field] for field in ACCOUNT_FIELDS):
        return None
    if pending_change(bank) is not None:
        raise InvalidInput({"account_no": ["该银行已有待确认的指定账户变更，请先由他人确认或退回后再修改"]})
    change = BankAccountChange(
        bank_id=bank.id,
        **{f"old_{field}": getattr(bank, field) for field in ACCOUNT_FIELDS},
        **{f"new_{field}": account[field] for field in ACCOUNT_FIELDS},
        requested_by_id=actor.id,
        decision="pending",
        note="",
    )
    db.session.add(change)
    return change


def change_of(actor: User, change_id: int, *, for_update: bool = False) -> BankAccountChange:
    """A change of a bank of the actor's fund, for a checker — for a view to ask before it reads its form, or
    (``for_update``) locked and read fresh for the decision.

    :raise NotFound: no such change, another fund's, or not a checker."""
    query = (
        select(BankAccountChange)
        .join(Bank, Bank.id == BankAccountChange.bank_id)
        .where(BankAccountChange.id == change_id, Bank.fund_id == actor.fund_id)
    )
    if for_update:
        query = query.with_for_update(of=BankAccountChange).execution_options(populate_existing=True)
    change = db.session.scalar(query) if actor.role_enum in CHECKERS else None
    if change is None:
        raise NotFound("未找到该账户变更")
    return change


def decide(actor: User, change_id: int, confirm: bool, note: str = "") -> BankAccountChange:
    """Confirm (the bank's account becomes the new one) or send back a proposed change.

    :raise NotFound: no such change, or the actor is neither an administrator nor an operator.
    :raise NotAllowed: the proposer decides their own change (maker–checker), or it was decided already (409).
    """
    change = change_of(actor, change_id, for_update=True)
    if change.decision != "pending":
        raise NotAllowed("该账户变更已处理，无需重复操作", code="state_not_allowed")
    if change.requested_by_id == actor.id:
        raise NotAllowed("提出变更的人不能确认自己的变更，须由另一名管理员或运营人员确认", code="maker_checker")
    if confirm:
        bank = change.bank
        for field in ACCOUNT_FIELDS:
            setattr(bank, field, getattr(change, f"new_{field}"))
        _tell_the_bank(bank, change)
    change.decision = "confirmed" if confirm else "rejected"
    change.decided_by_id = actor.id
    change.decided_at = clock.utcnow()
    change.note = note.strip()
    return finish(change)


def _tell_the_bank(bank: Bank, change: BankAccountChange) -> None:
    """第十七条: bridge money goes only to the bank's designated account — the bank hears at once when it changes."""
    notices.notify(
        db.session.scalars(select(User).where(User.bank_id == bank.id)).all(),
        "bank_account_changed",
        "本行指定账户已变更",
        f"应急转贷资金管理平台已将{bank.name}的指定收款账户由 {change.old_account_name}（{change.old_account_bank}，"
        f"账号 {change.old_account_no}）变更为 {change.new_account_name}（{change.new_account_bank}，账号 "
        f"{change.new_account_no}），此后应急转贷资金划入新账户。如非本行申请的变更，请立即与平台联系。",
        None,
    )


def changes(fund_id: int, limit: int = 50) -> list[BankAccountChange]:
    """The fund's pending changes first, then its latest decided ones, with their banks and people."""
    rows = db.session.scalars(
        select(BankAccountChange)
        .join(Bank, Bank.id == BankAccountChange.bank_id)
        .where(Bank.fund_id == fund_id)
        .options(
            joinedload(BankAccountChange.bank),
            joinedload(BankAccountChange.requested_by),
            joinedload(BankAccountChange.decided_by),
        )
        .order_by((BankAccountChange.decision == "pending").desc(), BankAccountChange.id.desc())
        .limit(limit)
    ).all()
    return list(rows)

"""The fund's dissolution as a decision (第二十六条: 经领导小组讨论并报政府批准后决定停业或解散，净资产按实际入股比例
返还原出资方): the platform proposes, the leading group decides with its minutes, the platform records the
government's approval — from then the fund takes no application — and, once every bridge is closed and every tax and
share paid, the books are closed by one entry that pays each contributor its share of the net assets, leaving every
account at zero."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from loanfund import clock
from loanfund.domain.errors import Conflict, FieldErrors, InvalidInput, NotAllowed, NotFound, RuleViolation, Violation
from loanfund.domain.ledger import CASH, DISSOLUTION_KEY_PREFIX, closing_posting, closing_problems, split_by_ratio
from loanfund.domain.lifecycle import OPEN_STATES, Role
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, Contributor, Dissolution, User
from loanfund.services.books import ledger
from loanfund.services.books.capital import capital_by_contributor
from loanfund.services.funds import own_fund
from loanfund.services.group import group_register
from loanfund.services.record import audit
from loanfund.services.uow import finish

STATE_LABELS = {
    "proposed": "待领导小组讨论",
    "decided": "领导小组已决定解散，待政府批准",
    "rejected": "领导小组不同意解散",
    "approved": "政府已批准解散，停止受理申请",
    "closed": "已解散，净资产已返还",
}
OPEN = ("proposed", "decided", "approved")
READERS = frozenset({Role.OPERATOR, Role.GROUP, Role.ADMIN, Role.REVIEWER})
STOPPED = ("approved", "closed")  # the fund takes no application


def current(fund_id: int) -> Dissolution | None:
    """The fund's dissolution under way or done (the newest that was not rejected)."""
    return db.session.scalar(
        select(Dissolution)
        .where(Dissolution.fund_id == fund_id, Dissolution.state != "rejected")
        .order_by(Dissolution.id.desc())
        .limit(1)
    )


def history(fund_id: int) -> list[Dissolution]:
    return list(
        db.session.scalars(select(Dissolution).where(Dissolution.fund_id == fund_id).order_by(Dissolution.id.desc()))
    )


def refusal_to_apply(fund_id: int) -> Violation | None:
    """第二十六条: the fund takes no application once the government approved its dissolution (another fund's
    dissolution stops only that fund)."""
    stopped = db.session.scalar(
        select(Dissolution).where(Dissolution.fund_id == fund_id, Dissolution.state.in_(STOPPED)).limit(1)
    )
    if stopped is None:
        return None
    return Violation(
        "R13",
        "fund_dissolved",
        f"本资金已经领导小组决定并报政府批准解散（{stopped.approval_ref}），不再受理申请（第二十六条）",
        None,
    )


def _may(actor: User, role: Role, what: str) -> None:
    if actor.role_enum is not role:
        raise NotAllowed(f"{what}由{role.label}办理", code="role_not_allowed")


def of(actor: User, dissolution_id: int, *, for_update: bool = False) -> Dissolution:
    """A dissolution of the actor's fund — for a view to ask before it reads its form, or (``for_update``) locked
    and read fresh for a step on it. :raise NotFound: no such dissolution, or another fund's."""
    query = select(Dissolution).where(Dissolution.id == dissolution_id, Dissolution.fund_id == actor.fund_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    row = db.session.scalar(query)
    if row is None:
        raise NotFound("未找到该解散事项")
    return row


def _expect(row: Dissolution, state: str) -> None:
    if row.state != state:
        raise Conflict(f"该解散事项当前为“{STATE_LABELS[row.state]}”，不能办理此步骤", code="state_not_allowed")


def propose(actor: User, reason: str) -> Dissolution:
    """The platform proposes to dissolve the fund, with its reasons, for the group to discuss.

    :raise NotAllowed: not an operator. :raise InvalidInput: no reason. :raise Conflict: one is under way or done.
    """
    _may(actor, Role.OPERATOR, "提议解散")
    errors = FieldErrors()
    if not (reason or "").strip():
        errors.add("reason", "请说明提议解散的理由（政策或市场需求的变化）")
    errors.raise_if_any()
    audit.take_turn()  # one proposal at a time: the second waits here, then finds the first
    fund_id = own_fund(actor).id
    under_way = current(fund_id)
    if under_way is not None:
        raise Conflict(f"已有解散事项：{STATE_LABELS[under_way.state]}", code="dissolution_exists")
    row = Dissolution(
        fund_id=fund_id, state="proposed", reason=reason.strip(), proposed_by_id=actor.id, proposed_at=clock.utcnow()
    )
    db.session.add(row)
    return finish(row)


def decide(actor: User, dissolution_id: int, dissolve: bool, minutes_ref: str, note: str = "") -> Dissolution:
    """The leading group decides, at a registered meeting (its minutes): dissolve, or not.

    :raise NotAllowed: not the group. :raise InvalidInput: the minutes not registered. :raise Conflict: not proposed.
    """
    _may(actor, Role.GROUP, "解散的决定")
    row = of(actor, dissolution_id, for_update=True)
    _expect(row, "proposed")
    errors = FieldErrors()
    ref = (minutes_ref or "").strip()
    if not ref:
        errors.add("minutes_ref", "请填写会议纪要编号")
    elif group_register.meeting_id(row.fund_id, ref) is None:
        errors.add("minutes_ref", f"会议纪要 {ref} 尚未登记，请先在领导小组登记簿登记会议")
    if not dissolve and not (note or "").strip():
        errors.add("note", "不同意解散须说明理由")
    errors.raise_if_any()
    row.state = "decided" if dissolve else "rejected"
    row.decided_at = clock.utcnow()
    group_register.decision(
        actor,
        kind="dissolution",
        subject=f"资金管理平台提议解散应急转贷资金：{row.reason}",
        outcome="同意解散，报政府批准" if dissolve else "不同意解散",
        minutes_ref=ref,
        note=note,
        dissolution_id=row.id,
    )
    return finish(row)


def record_approval(actor: User, dissolution_id: int, approval_ref: str, approved_on: date | None) -> Dissolution:
    """The government approved (its reply's reference and date): from now the fund takes no application.

    :raise NotAllowed: not an operator. :raise InvalidInput: reference or date missing or wrong. :raise Conflict:
        the group has not decided to dissolve."""
    _may(actor, Role.OPERATOR, "登记政府批准")
    row = of(actor, dissolution_id, for_update=True)
    _expect(row, "decided")
    errors = FieldErrors()
    ref = (approval_ref or "").strip()
    if not ref:
        errors.add("approval_ref", "请填写政府批复文号")
    elif len(ref) > 64:
        errors.add("approval_ref", "批复文号不能超过 64 个字符")
    today = clock.today()
    if approved_on is None:
        errors.add("approved_on", "请填写批准日期")
    elif approved_on > today:
        errors.add("approved_on", f"批准日期不能晚于今天（{today.isoformat()}）")
    elif row.decided_at is not None and approved_on < clock.local(row.decided_at).date():
        errors.add("approved_on", "批准日期不能早于领导小组决定的日期")
    errors.raise_if_any()
    row.state, row.approval_ref, row.approved_on, row.approval_recorded_by_id = "approved", ref, approved_on, actor.id
    return finish(row)


@dataclass(frozen=True)
class Closing:
    """What closing the books would do now: the net assets (the cash), each contributor's share, or why not yet."""

    net: Money
    shares: list[tuple[Contributor, Money, Money]]  # contributor, capital, share
    problems: list[str]


def _balances(fund_id: int) -> dict[str, Money]:
    """Each of the fund's trial-balance lines' debit − credit."""
    return {row.code: row.debit - row.credit for row in ledger.trial_balance(fund_id)}


def closing_now(fund_id: int) -> Closing:
    """The closing of a fund's books as they stand: every bridge closed, nothing owed either way, then the cash split
    by capital."""
    problems = []
    still_open = db.session.scalar(
        select(func.count(Application.id)).where(
            Application.fund_id == fund_id, Application.state.in_([s.value for s in OPEN_STATES])
        )
    )
    if still_open:
        problems.append(f"尚有 {still_open} 笔申请未办结（撤回、不予受理或收回归档后方可结清）")
    balances = _balances(fund_id)
    problems += closing_problems(balances)
    cash = balances.get(CASH, Money.zero())
    capitals = capital_by_contributor(fund_id)
    ids = sorted(capitals)
    parts = split_by_ratio(max(cash, Money.zero()), [capitals[i].fen for i in ids]) if ids else []
    contributors = {c.id: c for c in db.session.scalars(select(Contributor).where(Contributor.id.in_(ids)))}
    shares = [(contributors[i], capitals[i], part) for i, part in zip(ids, parts, strict=True)]
    return Closing(cash, shares, problems)


def close(actor: User, dissolution_id: int, closed_on: date, bank_ref: str) -> Dissolution:
    """Close the books: one entry brings every account to zero and pays each contributor its share of the net assets
    (第二十六条), out of the special account. Once: the entry's key is unique in the database.

    ``bank_ref``: the bank's reference of the payment order returning the shares.

    :raise NotAllowed: not an operator. :raise Conflict: not approved, or closed already.
    :raise InvalidInput: no reference.
    :raise RuleViolation: a bridge still open, money still out or owed, taxes or shares unpaid (each named)."""
    _may(actor, Role.OPERATOR, "结清并返还净资产")
    audit.take_turn()  # behind every writer of the books, then the row and the balances read fresh
    row = of(actor, dissolution_id, for_update=True)
    _expect(row, "approved")
    fund_id = own_fund(actor).id
    closing = closing_now(fund_id)
    if closing.problems:
        raise RuleViolation([Violation("R13", "books_not_closable", p, None) for p in closing.problems])
    if closing.net.is_positive and not bank_ref.strip():
        raise InvalidInput({"bank_ref": ["返还净资产须填写银行凭证号"]})
    posting = closing_posting(
        f"{DISSOLUTION_KEY_PREFIX}{row.id}", _balances(fund_id), [(c.id, share) for c, _, share in closing.shares]
    )
    try:
        entry = ledger.post(
            posting, closed_on, fund_id=fund_id, bank_ref=bank_ref if closing.net.is_positive else None, actor=actor
        )
    except IntegrityError:
        db.session.rollback()
        raise Conflict("该解散事项已结清", code="dissolution_closed") from None
    row.state, row.closed_on, row.closed_by_id, row.journal_entry_id = "closed", closed_on, actor.id, entry.id
    row.shares = [
        {"contributor": c.name, "capital": capital.plain(), "share": share.plain()}
        for c, capital, share in closing.shares
    ]
    return finish(row)

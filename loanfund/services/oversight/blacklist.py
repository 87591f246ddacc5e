"""The blacklist (R11, 第二十二条): proposed by an operator — or by a default, by itself — confirmed or rejected by the
leading group, lifted early only by the group with a reason; entries end by themselves and stay in the history.
Only a confirmed entry bars, and the check (``violation_for``) is the domain's. Each fund keeps its own: an entry bars
applications to its fund; in the others it is an early warning (R15, ``oversight.risk``), not a refusal."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from loanfund import clock
from loanfund.domain.eligibility import BLACKLIST_GROUNDS, blacklist_end, blacklist_violation
from loanfund.domain.eligibility import BlacklistEntry as BlacklistFact
from loanfund.domain.errors import Conflict, FieldErrors, NotAllowed, NotFound, Violation
from loanfund.domain.lifecycle import Role
from loanfund.extensions import db
from loanfund.models import Application, BlacklistEntry, Enterprise, User
from loanfund.services.group import group_register
from loanfund.services.oversight import notices
from loanfund.services.policies import policy_version_in_force
from loanfund.services.reports.safe_text import csv_text
from loanfund.services.uow import finish

STATUS_LABELS = {
    "proposed": "待领导小组确认",
    "rejected": "未予确认",
    "scheduled": "已确认（尚未开始）",
    "in_force": "限制期内",
    "lifted": "已提前解除",
    "ended": "限制期已满",
}


def violation_for(fund_id: int, credit_code: str, today: date) -> Violation | None:
    """The R11 violation in force today in the fund for this credit code, naming its reason and end date; None when
    clear. Only the fund's confirmed entries count; a lifted one counts until the day it was lifted."""
    entries = db.session.scalars(
        select(BlacklistEntry).where(
            BlacklistEntry.fund_id == fund_id,
            BlacklistEntry.credit_code == credit_code,
            BlacklistEntry.state == "confirmed",
        )
    ).all()
    facts = [
        BlacklistFact(
            e.credit_code,
            e.reason,
            e.listed_on,
            min(e.ends_on, e.lifted_on - timedelta(days=1)) if e.lifted_on is not None else e.ends_on,
        )
        for e in entries
        if e.lifted_on is None or e.lifted_on > e.listed_on
    ]
    return blacklist_violation(facts, today)


def submit_proposal(actor: User, enterprise: Enterprise, ground: str, basis: str, listed_on: date) -> BlacklistEntry:
    """An operator's proposal, committed (see ``propose``)."""
    return finish(propose(actor, enterprise, ground, basis, listed_on))


def propose(
    actor: User | None,
    enterprise: Enterprise,
    ground: str,
    basis: str,
    listed_on: date,
    application: Application | None = None,
) -> BlacklistEntry:
    """An entry waiting for the leading group, in the caller's transaction. ``actor`` None: proposed by the platform
    itself (a write-off, a long overdue). The period is the policy's (R11: 3 years under the 2018 rules) from
    ``listed_on``.

    :raise InvalidInput: an unknown ground, no basis, a date in the future.
    :raise Conflict: a proposal for this enterprise is waiting already, or it is barred already on that day.
    """
    errors = FieldErrors()
    if ground not in BLACKLIST_GROUNDS:
        errors.add("ground", "请选择列入黑名单的原因")
    basis = (basis or "").strip()
    if not basis:
        errors.add("basis", "请填写列入依据（事实与材料）")
    if listed_on > clock.today():
        errors.add("listed_on", "列入日期不能晚于今天")
    errors.raise_if_any()
    fund_id = application.fund_id if application is not None else actor.fund_id if actor is not None else None
    if fund_id is None:
        raise NotAllowed("只有转贷资金的工作人员可以提出列入黑名单", code="role_not_allowed")
    _refuse_duplicate(fund_id, enterprise.credit_code, listed_on)
    _, policy = policy_version_in_force(fund_id, listed_on)
    entry = BlacklistEntry(
        fund_id=fund_id,
        credit_code=enterprise.credit_code,
        enterprise_name=enterprise.name,
        reason=BLACKLIST_GROUNDS[ground],
        ground=ground,
        basis=basis,
        listed_on=listed_on,
        ends_on=blacklist_end(listed_on, policy.blacklist_years),
        recorded_by_id=actor.id if actor else None,
        application_id=application.id if application else None,
        state="proposed",
    )
    db.session.add(entry)
    db.session.flush()
    who = actor.display_name if actor else "平台（自动）"
    notices.notify(
        notices.staff(fund_id, Role.GROUP),
        "blacklist_proposed",
        f"待确认黑名单：{enterprise.name}",
        f"{who}提议将{enterprise.name}（{enterprise.credit_code}）列入黑名单，原因：{entry.reason}；依据：{basis}；"
        f"限制期 {listed_on.isoformat()} 至 {entry.ends_on.isoformat()}（含），请领导小组确认。",
        application,
    )
    return entry


def propose_for_default(application: Application, basis: str) -> BlacklistEntry | None:
    """A default proposes its enterprise by itself (逾期不还), in the caller's transaction — unless a proposal is
    waiting, the enterprise is barred already, or the bank is liable for the bridge (R11, R12: what was outstanding
    is the bank's debt, and an operator may still propose the enterprise with a ground of its own)."""
    today = clock.today()
    code = application.enterprise.credit_code
    if application.bank_claim is not None:
        return None
    if _waiting(application.fund_id, code) is not None or violation_for(application.fund_id, code, today) is not None:
        return None
    return propose(None, application.enterprise, "not_returned", basis, today, application)


def decide(actor: User, entry_id: int, confirm: bool, note: str = "", minutes_ref: str = "") -> BlacklistEntry:
    """The leading group confirms (the bar starts) or rejects a proposal.

    :raise NotFound: no such entry. :raise Conflict: decided already.
    """
    entry = entry_of(actor, entry_id, for_update=True)
    if entry.state != "proposed":
        raise Conflict("该提议已处理", code="state_not_allowed")
    if not confirm and not (note or "").strip():
        errors = FieldErrors()
        errors.add("note", "不予确认须说明理由")
        errors.raise_if_any()
    entry.state = "confirmed" if confirm else "rejected"
    entry.decided_by_id, entry.decided_at, entry.decision_note = actor.id, clock.utcnow(), (note or "").strip()
    group_register.decision(
        actor,
        kind="blacklist",
        subject=f"{entry.enterprise_name}（{entry.credit_code}）因“{entry.reason}”列入黑名单的提议",
        outcome="确认列入黑名单" if confirm else "不予确认",
        minutes_ref=minutes_ref,
        note=note,
        blacklist_entry_id=entry.id,
    )
    if confirm:
        notices.notify(
            notices.enterprise_users_by_code(entry.credit_code),
            "blacklisted",
            "贵企业已列入应急转贷黑名单",
            f"贵企业因“{entry.reason}”于 {entry.listed_on.isoformat()} 列入应急转贷黑名单，限制期至 "
            f"{entry.ends_on.isoformat()}（含），期间不得申请应急转贷资金（第二十二条）。",
            None,
        )
    return finish(entry)


def lift(actor: User, entry_id: int, reason: str, minutes_ref: str = "") -> BlacklistEntry:
    """The leading group lifts a bar early, with a reason: from today the enterprise may apply again.

    :raise NotFound: no such entry. :raise Conflict: not a bar in force. :raise InvalidInput: no reason.
    """
    entry = entry_of(actor, entry_id, for_update=True)
    today = clock.today()
    if entry.status(today) not in ("in_force", "scheduled"):
        raise Conflict("只有限制期内的黑名单可以提前解除", code="state_not_allowed")
    if not (reason or "").strip():
        errors = FieldErrors()
        errors.add("lift_reason", "提前解除须说明理由")
        errors.raise_if_any()
    entry.lifted_on, entry.lifted_by_id, entry.lift_reason = today, actor.id, reason.strip()
    group_register.decision(
        actor,
        kind="blacklist",
        subject=f"{entry.enterprise_name}（{entry.credit_code}）黑名单限制期（至 {entry.ends_on.isoformat()}）",
        outcome="提前解除",
        minutes_ref=minutes_ref,
        note=entry.lift_reason,
        blacklist_entry_id=entry.id,
    )
    return finish(entry)


def entries(fund_id: int) -> list[BlacklistEntry]:
    """The fund's entries, newest first."""
    return list(
        db.session.scalars(
            select(BlacklistEntry).where(BlacklistEntry.fund_id == fund_id).order_by(BlacklistEntry.id.desc())
        )
    )


def export_csv(fund_id: int, today: date | None = None) -> str:
    """For the city credit system (市征信管理系统): every confirmed entry with its dates, as CSV (UTF-8 with BOM, so
    Excel reads the Chinese; every field data, never a formula)."""
    today = today or clock.today()
    rows = [
        [
            e.credit_code,
            e.enterprise_name,
            e.reason,
            e.listed_on.isoformat(),
            e.ends_on.isoformat(),
            e.lifted_on.isoformat() if e.lifted_on else "",
            STATUS_LABELS[e.status(today)],
        ]
        for e in sorted(entries(fund_id), key=lambda e: (e.listed_on, e.id))
        if e.state == "confirmed"
    ]
    header = ["统一社会信用代码", "企业名称", "列入原因", "列入日期", "限制期至", "提前解除日期", "状态"]
    return csv_text(header, rows)


def _waiting(fund_id: int, credit_code: str) -> BlacklistEntry | None:
    return db.session.scalar(
        select(BlacklistEntry).where(
            BlacklistEntry.fund_id == fund_id,
            BlacklistEntry.credit_code == credit_code,
            BlacklistEntry.state == "proposed",
        )
    )


def _refuse_duplicate(fund_id: int, credit_code: str, on: date) -> None:
    if _waiting(fund_id, credit_code) is not None:
        raise Conflict("该企业已有待领导小组确认的黑名单提议", code="blacklist_proposal_waiting")
    barred = violation_for(fund_id, credit_code, on)
    if barred is not None:
        raise Conflict(barred.message, code="blacklisted")


def entry_of(actor: User, entry_id: int, *, for_update: bool = False) -> BlacklistEntry:
    """An entry of the actor's fund — for a view to ask before it reads its form, or (``for_update``) locked and
    read fresh for a decision on it. :raise NotFound: no such entry, or another fund's."""
    query = select(BlacklistEntry).where(BlacklistEntry.id == entry_id, BlacklistEntry.fund_id == actor.fund_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    entry = db.session.scalar(query)
    if entry is None:
        raise NotFound("没有这条黑名单记录")
    return entry

"""Notices (DESIGN §6): who is told what when a step is taken or the sweep finds something — written into each
recipient's inbox, and queued for e-mail, in the same transaction as the event that causes it (a transactional
outbox: a notice exists if and only if its event does). ``services.mailer`` delivers the queue.

Messages are in Chinese with the application number, amounts in 元 (and 大写 where someone must act on the amount)
and dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select, update

from loanfund import clock
from loanfund.domain.lifecycle import Action, Role, State
from loanfund.domain.money import Money
from loanfund.domain.rules import commitment_cover, due_date
from loanfund.domain.watch import Finding, Found, renewal_deadline
from loanfund.extensions import db
from loanfund.models import Application, BankClaim, Enterprise, MailDelivery, Message, User
from loanfund.services.policies import policy_version_in_force
from loanfund.services.uow import finish


def notify(recipients: Iterable[User], kind: str, subject: str, body: str, application: Application | None) -> int:
    """Put one message in each recipient's inbox (once per person), and queue it for e-mail when the person has an
    address and wants e-mail. Flushed with the caller's transaction, never committed here."""
    seen: set[int] = set()
    for user in recipients:
        if user.id in seen or not user.active:
            continue
        seen.add(user.id)
        message = Message(
            user_id=user.id,
            application_id=application.id if application is not None else None,
            kind=kind,
            subject=subject,
            body=body,
            created_at=clock.utcnow(),
        )
        if user.email and user.email_notices:
            message.delivery = MailDelivery(to_address=user.email, next_attempt_at=clock.utcnow())
        db.session.add(message)
    return len(seen)


# -- who -----------------------------------------------------------------------------------------------------------


def enterprise_users(application: Application) -> list[User]:
    return vetted_users(application.enterprise_id)


def vetted_users(enterprise_id: int) -> list[User]:
    """The enterprise's users the platform has vetted (a sign-up still waiting hears nothing of the enterprise)."""
    return list(db.session.scalars(select(User).where(User.enterprise_id == enterprise_id, User.vetted.is_(True))))


def enterprise_users_by_code(credit_code: str) -> list[User]:
    """The vetted users of the enterprise registered under this credit code (none when it has no account)."""
    return list(
        db.session.scalars(
            select(User)
            .join(Enterprise, User.enterprise_id == Enterprise.id)
            .where(Enterprise.credit_code == credit_code, User.vetted.is_(True))
        )
    )


def bank_users(application: Application) -> list[User]:
    """The bank's users — and the platform's 专人 for the bank (第十二条), who hears what the bank is told."""
    users = list(db.session.scalars(select(User).where(User.bank_id == application.bank_id)))
    liaison = application.bank.liaison
    return [*users, liaison.user] if liaison is not None else users


def operators_for(application: Application) -> list[User]:
    """Who among the operators hears of a bridge: the 专人 the platform named for its bank (第十二条), or — nobody
    named, or the 专人 switched off — every operator."""
    liaison = application.bank.liaison
    if liaison is not None and liaison.user.active:
        return [liaison.user]
    return staff(Role.OPERATOR)


def staff(*roles: Role) -> list[User]:
    return list(db.session.scalars(select(User).where(User.role.in_([r.value for r in roles]), User.active)))


# -- what a step tells ---------------------------------------------------------------------------------------------


def _yuan(amount: Money) -> str:
    return f"{amount.format()} 元"


def _decided(amount: Money) -> str:
    """An amount someone must act on: figures and 大写."""
    return f"{amount.format()} 元（{amount.capitals()}）"


def after_step(application: Application, action: Action, before: State, note: str) -> None:
    """The notices a step sends (DESIGN §6), in the step's transaction."""
    a, ref = application, application.reference
    state = application.state_enum
    asked = f"申请金额 {_yuan(a.requested_amount)}，用款 {a.requested_days} 天"
    if action is Action.ACCEPT:
        notify(
            enterprise_users(a),
            "accepted",
            f"申请 {ref} 已受理",
            f"贵企业的应急转贷申请 {ref}（{asked}）已受理，已转{a.bank.name}出具是否续贷的承诺。",
            a,
        )
        notify(
            bank_users(a),
            "to_commit",
            f"待出具转贷承诺：{ref}",
            f"{a.enterprise.name}的应急转贷申请 {ref} 已受理：到期贷款合同 {a.loan_contract_no}，本息 "
            f"{_yuan(a.loan_amount_due)}，到期日 {a.loan_due_date.isoformat()}；{asked}。请出具是否续贷的承诺。",
            a,
        )
    elif action is Action.COMMIT:
        _commitment_notices(a)
    elif action is Action.REJECT:
        notify(
            enterprise_users(a),
            "rejected",
            f"申请 {ref} 不予受理",
            f"贵企业的应急转贷申请 {ref} 不予受理。理由：{note}",
            a,
        )
    elif action in (Action.APPROVE, Action.GROUP_APPROVE) and state is State.APPROVED:
        assert a.approved_amount is not None
        text = (
            f"应急转贷申请 {ref}（{a.enterprise.name}）已批准，金额 {_decided(a.approved_amount)}，用款 "
            f"{a.requested_days} 天。平台将划款至{a.bank.name}指定账户，届时另行通知。"
        )
        notify([*enterprise_users(a), *bank_users(a)], "approved", f"申请 {ref} 已批准", text, a)
    elif action is Action.APPROVE and state is State.GROUP_REVIEW:
        assert a.approved_amount is not None
        notify(
            staff(Role.GROUP),
            "group_waiting",
            f"待领导小组审批：{ref}",
            f"{a.enterprise.name}的应急转贷申请 {ref}，拟批准金额 {_decided(a.approved_amount)}，需报领导小组审批，"
            f"原因：{a.group_reasons or '—'}。",
            a,
        )
        notify(
            enterprise_users(a),
            "to_group",
            f"申请 {ref} 已报领导小组审批",
            f"贵企业的应急转贷申请 {ref} 拟批准金额 {_yuan(a.approved_amount)}，按规定须报领导小组审批"
            f"（{a.group_reasons or '—'}），审批结果将另行通知。",
            a,
        )
    elif action is Action.PREPARE_DISBURSEMENT:
        assert a.approved_amount is not None and a.value_date is not None
        # the checker: any operator but the maker and the approver (DESIGN §2: three persons)
        checkers = [u for u in staff(Role.OPERATOR) if u.id not in (a.prepared_by_id, a.approved_by_id)]
        notify(
            checkers,
            "to_authorise",
            f"待复核放款：{ref}",
            f"{a.enterprise.name}的应急转贷 {ref} 已制单，待复核放款：金额 {_decided(a.approved_amount)}，起息日 "
            f"{a.value_date.isoformat()}，划入{a.bank.name}指定账户 {a.destination_account_no}，凭证号 "
            f"{a.disbursement_ref}。请核对后复核放款或退回制单。",
            a,
        )
    elif action is Action.CONFIRM_RETURN:
        _return_notices(a, state)
    elif action is Action.GROUP_REJECT:
        notify(
            [*enterprise_users(a), *bank_users(a)],
            "group_rejected",
            f"申请 {ref} 未获领导小组批准",
            f"应急转贷申请 {ref}（{a.enterprise.name}）未获领导小组批准（纪要 {a.group_minutes_ref or '—'}）。",
            a,
        )
    elif action is Action.RETURN_PREPARATION:
        notify(
            staff(Role.OPERATOR),
            "preparation_returned",
            f"放款制单已退回：{ref}",
            f"{a.enterprise.name}的应急转贷 {ref} 的放款制单已被复核人退回，请重新制单。退回原因：{note}",
            a,
        )
    elif action is Action.AUTHORISE_DISBURSEMENT:
        _disbursement_notice(a)
    elif action is Action.OPEN_RECOVERY:
        notify(
            staff(Role.GROUP),
            "recovery_plan",
            f"追偿方案已报送：{ref}",
            f"{a.enterprise.name}的应急转贷 {ref} 逾期未收回，平台已启动追偿。追偿方案：{a.recovery_plan or note}",
            a,
        )


def _commitment_notices(a: Application) -> None:
    """The bank has committed (第十六条): the operators have an approval to decide; the enterprise hears what the
    commitment lets the fund lend (R5) and, when it falls short of the request, what it must find elsewhere."""
    assert a.committed_amount is not None
    _, policy = policy_version_in_force(clock.today())  # the approval will be under the policy in force (R14)
    cover = commitment_cover(policy, a.committed_amount, a.requested_amount)
    notify(
        operators_for(a),
        "to_approve",
        f"银行已承诺，待审批：{a.reference}",
        f"{a.bank.name}已对{a.enterprise.name}的应急转贷申请 {a.reference} 出具续贷承诺，承诺续贷额度 "
        f"{_yuan(a.committed_amount)}；{cover.explain()}。请核定金额、确认自筹资金到位后审批。",
        a,
    )
    short = cover.short.is_positive
    text = (
        f"{a.bank.name}已对贵企业的应急转贷申请 {a.reference} 出具续贷承诺，承诺续贷 {_yuan(a.committed_amount)}。"
        f"应急转贷资金最多为承诺额度的 {cover.percent.normalize():f}%，即 {_yuan(cover.cap)}"
    )
    if short:
        text += (
            f"，少于贵企业申请的 {_yuan(a.requested_amount)}：差额 {_decided(cover.short)}须由贵企业另行筹措，"
            "请在平台审批前备足自筹资金。"
        )
    else:
        text += "，足以覆盖贵企业的申请。平台将核定金额后审批。"
    notify(
        enterprise_users(a),
        "commitment_short" if short else "committed",
        f"银行已出具续贷承诺：{a.reference}" + ("（资金缺口需自筹）" if short else ""),
        text,
        a,
    )


def _return_notices(a: Application, state: State) -> None:
    """Money back (第十八条): the enterprise hears that its bridge is settled (办结), or — a partial return — what it
    still owes."""
    receipt = a.receipts[-1] if a.receipts else None
    if receipt is None:
        return
    got = f"{receipt.received_on.isoformat()} 收回本金 {_yuan(receipt.principal)}、用款费用 {_yuan(receipt.fee)}"
    if state is State.REPAID:
        notify(
            enterprise_users(a),
            "settled",
            f"应急转贷 {a.reference} 已办结",
            f"贵企业的应急转贷 {a.reference}：{got}，本金和用款费用已全部收回，该笔应急转贷已办结。",
            a,
        )
        return
    owed = a.approved_amount - sum((r.principal for r in a.receipts), Money.zero()) if a.approved_amount else None
    notify(
        enterprise_users(a),
        "return_short",
        f"收回不足：{a.reference}",
        f"贵企业的应急转贷 {a.reference}：{got}，尚未收齐"
        + (f"（尚欠本金 {_yuan(owed)}及相应用款费用）" if owed is not None and owed.is_positive else "（尚欠用款费用）")
        + "。请尽快归还，逾期将按规定追偿。",
        a,
    )


def _disbursement_notice(a: Application) -> None:
    """第十七条: the bank and the enterprise are told when the money goes out, to which account, and by when the
    bank must renew (R9) and the money come back (R4)."""
    assert a.approved_amount is not None and a.value_date is not None and a.policy_version is not None
    policy = a.policy_version.to_policy()  # approved under it (R14)
    renew_by, due = renewal_deadline(policy, a.value_date).isoformat(), due_date(policy, a.value_date).isoformat()
    text = (
        f"应急转贷资金 {_decided(a.approved_amount)}已于 {a.value_date.isoformat()} 划入{a.bank.name}指定账户 "
        f"{a.destination_account_name}（{a.destination_account_bank}，账号 {a.destination_account_no}），"
        f"划款凭证号 {a.disbursement_ref}，用于归还{a.enterprise.name}到期贷款（合同 {a.loan_contract_no}）。"
        f"请银行于 {renew_by} 前办理续贷放款；用款到期日 {due}，到期须归还本金及用款费用。"
    )
    notify([*enterprise_users(a), *bank_users(a)], "disbursed", f"放款通知：{a.reference}", text, a)


def after_settled_by_bank(a: Application, claim: BankClaim) -> None:
    """The bank paid its claim in full (R12): the bridge is settled. The enterprise hears that its bridge is closed
    (办结), the operators that it waits to be archived, the group that the claim is paid."""
    paid = f"{a.bank.name}已按第二十三条全部清偿 {_yuan(claim.amount)}"
    notify(
        enterprise_users(a),
        "settled",
        f"应急转贷 {a.reference} 已办结",
        f"贵企业的应急转贷 {a.reference}（{_yuan(claim.principal)}）所欠款项由{paid}，该笔应急转贷已办结。",
        a,
    )
    notify(
        [*operators_for(a), *staff(Role.GROUP)],
        "settled_by_bank",
        f"银行已清偿：{a.reference}",
        f"{a.enterprise.name}的应急转贷 {a.reference}：{paid}，已收回，待平台归档。",
        a,
    )


# -- what the sweep tells ------------------------------------------------------------------------------------------

# who hears of each finding: the enterprise, its bank, the operators
_AUDIENCE = {
    Finding.OVERDUE: ("enterprise", "bank", "operators"),
    Finding.DUE_TOMORROW: ("enterprise", "bank", "operators"),
    Finding.DUE_TODAY: ("enterprise", "bank", "operators"),
    Finding.RENEWAL_DUE: ("bank",),
    Finding.RENEWAL_LATE: ("bank", "operators"),
    Finding.RENEWAL_SHORT: ("operators",),
    Finding.RETURN_SHORTFALL: ("enterprise", "bank", "operators"),
}


def after_finding(application: Application, found: Found, today: date) -> None:
    audience = _AUDIENCE[found.finding]
    people: list[User] = []
    if "enterprise" in audience:
        people += enterprise_users(application)
    if "bank" in audience:
        people += bank_users(application)
    if "operators" in audience:
        people += operators_for(application)
    subject = f"{found.finding.label}：{application.reference}"
    body = f"{application.enterprise.name}的应急转贷 {application.reference}（{application.bank.name}）：{found.why}。"
    notify(people, found.finding.value, subject, body, application)


# -- the inbox -----------------------------------------------------------------------------------------------------


def inbox(user: User, *, limit: int = 200) -> list[Message]:
    return list(
        db.session.scalars(select(Message).where(Message.user_id == user.id).order_by(Message.id.desc()).limit(limit))
    )


def unread(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(Message).where(Message.user_id == user.id, Message.read_at.is_(None))
        )
        or 0
    )


def owns(user: User, message_id: int) -> bool:
    return db.session.scalar(select(Message.id).where(Message.id == message_id, Message.user_id == user.id)) is not None


def mark_read(user: User, message_id: int | None = None) -> int:
    """Mark one of the user's messages (or all of them) read; another user's message is never touched."""
    where = [Message.user_id == user.id, Message.read_at.is_(None)]
    if message_id is not None:
        where.append(Message.id == message_id)
    result = db.session.execute(update(Message).where(*where).values(read_at=clock.utcnow()))
    return finish(int(getattr(result, "rowcount", 0) or 0))

"""Notices (DESIGN §6): who is told what when a step is taken or the sweep finds something — written into each
recipient's inbox, and queued for e-mail, in the same transaction as the event that causes it (a transactional
outbox: a notice exists if and only if its event does). ``services.oversight.mailer`` delivers the queue.

Messages are in Chinese with the application number, amounts in 元 (and 大写 where someone must act on the amount)
and dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select, update

from loanfund import clock
from loanfund.domain.lifecycle import Role
from loanfund.domain.money import Money
from loanfund.domain.watch import Finding, Found
from loanfund.extensions import db
from loanfund.models import Application, BankClaim, Enterprise, MailDelivery, Message, SmsDelivery, User
from loanfund.services.oversight import sms
from loanfund.services.uow import finish


def notify(
    recipients: Iterable[User],
    kind: str,
    subject: str,
    body: str,
    application: Application | None,
    *,
    asked: bool = False,
) -> int:
    """Put one message in each recipient's inbox (once per person), and queue it for e-mail when the person has an
    address and wants e-mail — or ``asked`` for this one (a password reset) —, and by SMS for the kinds that matter
    (``sms.SMS_KINDS``) to a user with a mobile number who wants SMS. Flushed with the caller's transaction, never
    committed here."""
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
        if user.email and (user.email_notices or asked):
            message.delivery = MailDelivery(to_address=user.email, next_attempt_at=clock.utcnow())
        if kind in sms.SMS_KINDS and user.mobile and user.sms_notices:
            message.sms = SmsDelivery(to_number=user.mobile, text=sms.text_for(subject), next_attempt_at=clock.utcnow())
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
    """The bank's officers for the application's fund — and the platform's 专人 for the bank (第十二条), who hears
    what the bank is told."""
    users = list(
        db.session.scalars(select(User).where(User.bank_id == application.bank_id, User.fund_id == application.fund_id))
    )
    liaison = _liaison(application)
    return [*users, liaison] if liaison is not None else users


def _liaison(application: Application) -> User | None:
    """The 专人 the platform named for the application's bank, when they work for the application's fund."""
    liaison = application.bank.liaison
    return liaison.user if liaison is not None and liaison.user.fund_id == application.fund_id else None


def operators_for(application: Application) -> list[User]:
    """Who among the fund's operators hears of a bridge: the 专人 the platform named for its bank (第十二条), or —
    nobody named, or the 专人 switched off — every operator of the fund."""
    liaison = _liaison(application)
    if liaison is not None and liaison.active:
        return [liaison]
    return staff(application.fund_id, Role.OPERATOR)


def staff(fund_id: int | Iterable[int], *roles: Role) -> list[User]:
    """The active staff of the fund (or funds) in those roles: nobody hears of another fund's business."""
    funds = [fund_id] if isinstance(fund_id, int) else list(fund_id)
    return list(
        db.session.scalars(
            select(User).where(User.fund_id.in_(funds), User.role.in_([r.value for r in roles]), User.active)
        )
    )


# -- what a step tells: each step's own notices are in its module of lifecycle.steps; these are shared ------------


def yuan(amount: Money) -> str:
    return f"{amount.format()} 元"


def decided(amount: Money) -> str:
    """An amount someone must act on: figures and 大写."""
    return f"{amount.format()} 元（{amount.capitals()}）"


def asked(a: Application) -> str:
    return f"申请金额 {yuan(a.requested_amount)}，用款 {a.requested_days} 天"


def after_settled_by_bank(a: Application, claim: BankClaim) -> None:
    """The bank paid its claim in full (R12): the bridge is settled. The enterprise hears that its bridge is closed
    (办结), the operators that it waits to be archived, the group that the claim is paid."""
    paid = f"{a.bank.name}已按第二十三条全部清偿 {yuan(claim.amount)}"
    notify(
        enterprise_users(a),
        "settled",
        f"应急转贷 {a.reference} 已办结",
        f"贵企业的应急转贷 {a.reference}（{yuan(claim.principal)}）所欠款项由{paid}，该笔应急转贷已办结。",
        a,
    )
    notify(
        [*operators_for(a), *staff(a.fund_id, Role.GROUP)],
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

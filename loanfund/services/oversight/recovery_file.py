"""The recovery file of an overdue bridge (第二十一条): the operator's cause analysis (reported to the group office) and
any number of recovery measures, each with the money it brought back.

Money a measure brings back before a write-off is money back like any other: it goes through the confirm-return step
(principal first, then the fee), so the receipt, its event and the ledger agree and a full recovery repays the bridge.
Money recovered after the group wrote the bridge off is still booked: into the special account, reducing the loss.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from loanfund import clock
from loanfund.domain.errors import FieldErrors, NotAllowed
from loanfund.domain.events import RECOVERY_CAUSE, RECOVERY_MEASURE
from loanfund.domain.ledger import recovery_after_write_off_posting
from loanfund.domain.lifecycle import Role, State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, RecoveryRecord, User
from loanfund.services import lifecycle
from loanfund.services.access import application_for
from loanfund.services.books import ledger, transfers
from loanfund.services.lifecycle.spine import record_beside
from loanfund.services.oversight import notices
from loanfund.services.uow import finish

FILE_STATES = (State.RECOVERY, State.WRITTEN_OFF)
CAUSE_EVENT = RECOVERY_CAUSE
MEASURE_EVENT = RECOVERY_MEASURE


def records(application: Application) -> list[RecoveryRecord]:
    return list(
        db.session.scalars(
            select(RecoveryRecord).where(RecoveryRecord.application_id == application.id).order_by(RecoveryRecord.id)
        )
    )


def record_cause(actor: User, application_id: int, text: str) -> RecoveryRecord:
    """The cause analysis, reported to the group office. :raise InvalidInput: empty. :raise NotAllowed: not an
    operator, or the bridge is not in recovery."""
    application = _open_file(actor, application_id)
    text = (text or "").strip()
    if not text:
        errors = FieldErrors()
        errors.add("cause", "请填写逾期原因分析")
        errors.raise_if_any()
    record = RecoveryRecord(
        application_id=application.id,
        kind="cause",
        taken_on=clock.today(),
        text=text,
        amount=Money.zero(),
        recorded_by_id=actor.id,
    )
    db.session.add(record)
    record_beside(application, actor, CAUSE_EVENT, text)
    notices.notify(
        notices.staff(application.fund_id, Role.GROUP),
        "recovery_cause",
        f"逾期原因分析已报送：{application.reference}",
        f"{application.enterprise.name}的应急转贷 {application.reference} 逾期未收回，原因分析：{text}",
        application,
    )
    return finish(record)


def record_measure(
    actor: User, application_id: int, taken_on: date, text: str, amount: Money, transfer_ref: str = ""
) -> RecoveryRecord:
    """A recovery measure (date, what was done, money recovered). Every bad field is reported at once.

    :raise InvalidInput: no description, a date ahead or before recovery began, money without a transfer reference
        or more than is owed. :raise NotAllowed: not an operator, or the bridge is not in recovery.
    :raise RuleViolation / Conflict: from the money's booking (R3, a transfer booked already).
    """
    application = _open_file(actor, application_id)
    errors = FieldErrors()
    text, ref = (text or "").strip(), (transfer_ref or "").strip()
    if not text:
        errors.add("measure", "请填写追偿措施")
    opened = application.recovery_opened_on
    if taken_on > clock.today():
        errors.add("taken_on", "日期不能晚于今天")
    elif opened is not None and taken_on < opened:
        errors.add("taken_on", f"日期不能早于启动追偿的 {opened.isoformat()}")
    if amount.is_negative:
        errors.add("amount", "追回金额不能为负数")
    if amount.is_positive and not ref:
        errors.add("transfer_ref", "追回资金须填写划款凭证号")
    principal, fee = _split(application, amount, taken_on, errors)
    errors.raise_if_any()
    record = RecoveryRecord(
        application_id=application.id,
        kind="measure",
        taken_on=taken_on,
        text=text,
        amount=amount,
        transfer_ref=ref or None,
        recorded_by_id=actor.id,
    )
    db.session.add(record)
    note = text + (f"；追回 {amount.format()} 元（凭证 {ref}）" if amount.is_positive else "")
    record_beside(application, actor, MEASURE_EVENT, note)
    if not amount.is_positive:
        return finish(record)
    if application.state_enum is State.WRITTEN_OFF:
        transfers.book(application.bank_id, ref, "recovery", taken_on, application.id)
        db.session.flush()
        ledger.post(
            recovery_after_write_off_posting(record.id, amount),
            taken_on,
            fund_id=application.fund_id,
            bank_ref=ref,
            application_id=application.id,
            actor=actor,
        )
        return finish(record)
    # money back before a write-off: the confirm-return step books it (and commits the record with it)
    lifecycle.confirm_return(actor, application.id, taken_on, principal, fee, ref)
    return record


def _open_file(actor: User, application_id: int) -> Application:
    if actor.role_enum is not Role.OPERATOR:
        raise NotAllowed("只有平台运营人员记录追偿档案", code="role_not_allowed")
    application = application_for(actor, application_id, for_update=True)
    if application.state_enum not in FILE_STATES:
        raise NotAllowed("只有追偿中或已核销的应急转贷可以记录追偿档案", code="state_not_allowed")
    return application


def _split(application: Application, amount: Money, on: date, errors: FieldErrors) -> tuple[Money, Money]:
    """Principal first, then the fee for the actual days; more than is owed is refused (after a write-off, more than
    the loss)."""
    if not amount.is_positive:
        return Money.zero(), Money.zero()
    account = lifecycle.account_of(application, on)
    assert account is not None
    if application.state_enum is State.WRITTEN_OFF:
        owed = account.principal_outstanding - sum(
            (r.amount for r in records(application) if r.kind == "measure"), Money.zero()
        )
        if amount > owed:
            errors.add("amount", f"追回金额超过核销的尚未追回本金 {owed.format()} 元")
        return amount, Money.zero()
    if amount > account.outstanding:
        errors.add("amount", f"追回金额超过尚欠的本金和用款费用 {account.outstanding.format()} 元")
        return Money.zero(), Money.zero()
    principal = min(amount, account.principal_outstanding)
    return principal, amount - principal

"""The lifecycle of an application (DESIGN §3): one function per action.

Each loads the application *as the actor may see it* (another party's application is ``NotFound``), asks the
domain's transition table whether the actor's role may take the step from the current state, applies the rules of
that step, writes the change and an event, and commits once. A refused step raises before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import flag_modified

from loanfund import clock
from loanfund.domain.eligibility import bank_agreement_violation
from loanfund.domain.errors import Conflict, InvalidInput, NotAllowed, RuleViolation, Violation
from loanfund.domain.ledger import disbursement_posting, return_posting, write_off_posting
from loanfund.domain.lifecycle import Action, Role, State, transition_for
from loanfund.domain.money import Money
from loanfund.domain.policy import Policy
from loanfund.domain.rules import (
    ApprovalFacts,
    ReceivedMoney,
    Settlement,
    SubmissionFacts,
    check_approval,
    check_receipt,
    check_submission,
    group_approval_reasons,
    is_overdue,
    renewal_late,
    settlement,
)
from loanfund.extensions import db
from loanfund.models import Application, ApplicationEvent, Bank, Receipt, User
from loanfund.services import blacklist, fund, ledger
from loanfund.services.access import application_for
from loanfund.services.policies import policy_version_in_force
from loanfund.services.uow import finish

# -- shared steps ------------------------------------------------------------------------------------------------


def _record(
    application: Application,
    actor: User,
    action: Action,
    from_state: State | None,
    note: str = "",
    **payload: Any,
) -> None:
    db.session.add(
        ApplicationEvent(
            application=application,
            actor_id=actor.id,
            actor_role=actor.role,
            at=clock.utcnow(),
            action=action.value,
            from_state=from_state.value if from_state else None,
            to_state=application.state,
            note=note or "",
            payload={k: _plain(v) for k, v in payload.items()},
        )
    )


def _plain(value: Any) -> Any:
    if isinstance(value, Money):
        return value.plain()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _load(actor: User, application_id: int, action: Action) -> tuple[Application, State]:
    application = application_for(actor, application_id, for_update=True)
    state = application.state_enum
    transition_for(state, action, actor.role_enum)
    return application, state


def _move(application: Application, action: Action, actor: User, *, alternative: bool = False) -> None:
    transition = transition_for(application.state_enum, action, actor.role_enum)
    target = transition.alternative if alternative and transition.alternative else transition.target
    application.state = target.value


def _complete(
    application: Application,
    actor: User,
    action: Action,
    before: State,
    note: str = "",
    *,
    alternative: bool = False,
    **payload: Any,
) -> Application:
    """The end of every step: move to the table's target (or its alternative), record the event, commit once.

    The application's row is always written, even by a step that leaves its state as it was (a partial return), so
    its version moves on: a concurrent step that read the row before this one committed fails its version check."""
    _move(application, action, actor, alternative=alternative)
    application.updated_at = clock.utcnow()
    flag_modified(application, "updated_at")
    _record(application, actor, action, before, note, **payload)
    return finish(application)


def _past_date(value: date, field: str, label: str, not_before: date | None = None, before_label: str = "") -> None:
    """Dates of things that happened: today or earlier, and not before the previous step's date."""
    today = clock.today()
    if value > today:
        raise InvalidInput({field: [f"{label}不能晚于今天（{today.isoformat()}）"]})
    if not_before is not None and value < not_before:
        raise InvalidInput({field: [f"{label}不能早于{before_label}（{not_before.isoformat()}）"]})


def _required_text(value: str | None, field: str, label: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput({field: [f"请填写{label}"]})
    return text


def application_policy(application: Application, in_force: Policy | None = None) -> Policy:
    """The policy the application was approved under (R14), or the one in force today before approval
    (``in_force`` when the caller already has it: a list of applications looks it up once, not once per row)."""
    if application.policy_version is not None:
        return application.policy_version.to_policy()
    return in_force or policy_version_in_force(clock.today())[1]


# -- apply (第十五条) -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationInput:
    bank_id: int
    loan_contract_no: str
    loan_amount_due: Money
    loan_due_date: date
    loan_overdue: bool
    requested_amount: Money
    requested_days: int
    own_funds: Money
    purpose: str


def submit_application(actor: User, data: ApplicationInput) -> Application:
    """An enterprise applies. Blacklist (R11), the bank's agreement (R10), days (R4) and own funds (R7) are checked
    at once.

    :raise NotAllowed: the actor is not an enterprise user.
    :raise InvalidInput: a field is missing or wrong (e.g. the bank is not a cooperating bank).
    :raise RuleViolation: a rule refuses the application; every violation is listed.
    """
    if actor.role_enum is not Role.ENTERPRISE or actor.enterprise is None:
        raise NotAllowed("只有企业用户可以提交申请", code="role_not_allowed")
    today = clock.today()
    _, policy = policy_version_in_force(today)
    bank = db.session.get(Bank, data.bank_id)
    if bank is None:
        raise InvalidInput({"bank_id": ["请选择合作银行"]})
    violations = eligibility_violations(actor.enterprise.credit_code, bank, today)
    violations += check_submission(
        policy,
        SubmissionFacts(
            requested_amount=data.requested_amount,
            requested_days=data.requested_days,
            loan_amount_due=data.loan_amount_due,
            own_funds_planned=data.own_funds,
            loan_due_date=data.loan_due_date,
            loan_overdue=data.loan_overdue,
            today=today,
        ),
    )
    contract_no = _required_text(data.loan_contract_no, "loan_contract_no", "到期贷款合同编号")
    if violations:
        raise RuleViolation(violations)
    application = Application(
        enterprise_id=actor.enterprise.id,
        bank_id=bank.id,
        state=State.SUBMITTED.value,
        loan_contract_no=contract_no,
        loan_amount_due=data.loan_amount_due,
        loan_due_date=data.loan_due_date,
        loan_overdue=data.loan_overdue,
        requested_amount=data.requested_amount,
        requested_days=data.requested_days,
        own_funds_planned=data.own_funds,
        purpose=(data.purpose or "").strip(),
        submitted_at=clock.utcnow(),
        submitted_by_id=actor.id,
    )
    db.session.add(application)
    _record(
        application,
        actor,
        Action.SUBMIT,
        None,
        requested_amount=data.requested_amount,
        requested_days=data.requested_days,
    )
    return finish(application)


def eligibility_violations(credit_code: str, bank: Bank, today: date) -> list[Violation]:
    """R11 (blacklist) and R10 (the bank's agreement in force) as they stand today: checked when the enterprise
    applies and again when the platform accepts and when the operator approves, since either can change between."""
    banned = blacklist.violation_for(credit_code, today)
    agreement = bank_agreement_violation(bank.name, bank.agreement_start, bank.agreement_end, today)
    return [v for v in (banned, agreement) if v is not None]


# -- accept / reject (第十五条) ----------------------------------------------------------------------------------


def accept(
    actor: User,
    application_id: int,
    note: str = "",
    credit_check_note: str = "",
) -> Application:
    """The platform accepts the application and forwards it to the bank; R10 and R11 are checked again.

    :raise RuleViolation: the enterprise is blacklisted now, or the bank's agreement is no longer in force.
    """
    application, before = _load(actor, application_id, Action.ACCEPT)
    violations = eligibility_violations(application.enterprise.credit_code, application.bank, clock.today())
    if violations:
        raise RuleViolation(violations)
    application.review_note = note.strip()
    application.credit_check_note = credit_check_note.strip()
    application.reviewed_at = clock.utcnow()
    application.reviewed_by_id = actor.id
    return _complete(
        application,
        actor,
        Action.ACCEPT,
        before,
        note,
        credit_check_note=credit_check_note.strip(),
    )


def reject(actor: User, application_id: int, note: str) -> Application:
    """The platform does not accept the application; the reason is required."""
    application, before = _load(actor, application_id, Action.REJECT)
    reason = _required_text(note, "note", "不予受理的理由")
    application.review_note = reason
    application.reviewed_at = clock.utcnow()
    application.reviewed_by_id = actor.id
    return _complete(application, actor, Action.REJECT, before, reason)


# -- commit / decline (第十六条) ---------------------------------------------------------------------------------


def commit(
    actor: User,
    application_id: int,
    committed_amount: Money,
    opinion: str,
    seal_ref: str = "",
) -> Application:
    """The bank commits to renew (转贷承诺) for ``committed_amount``."""
    application, before = _load(actor, application_id, Action.COMMIT)
    if not committed_amount.is_positive:
        raise InvalidInput({"committed_amount": ["承诺续贷额度必须大于零"]})
    text = _required_text(opinion, "opinion", "银行意见")
    application.committed_amount = committed_amount
    application.bank_opinion = text
    application.bank_officer = actor.display_name
    application.bank_seal_ref = seal_ref.strip() or None
    application.committed_at = clock.utcnow()
    application.committed_by_id = actor.id
    return _complete(
        application,
        actor,
        Action.COMMIT,
        before,
        text,
        committed_amount=committed_amount,
        seal_ref=seal_ref.strip(),
    )


def decline(actor: User, application_id: int, opinion: str) -> Application:
    application, before = _load(actor, application_id, Action.DECLINE)
    text = _required_text(opinion, "opinion", "银行意见")
    application.bank_opinion = text
    application.bank_officer = actor.display_name
    application.committed_at = clock.utcnow()
    application.committed_by_id = actor.id
    return _complete(application, actor, Action.DECLINE, before, text)


# -- approve (第十七、十四条) ------------------------------------------------------------------------------------


def approval_facts(application: Application, amount: Money, own_funds: Money) -> ApprovalFacts:
    """The facts R5, R7 and R8 are checked against. The fund's availability excludes this application's own
    reservation (it has none before approval)."""
    assert application.committed_amount is not None
    return ApprovalFacts(
        amount=amount,
        committed_amount=application.committed_amount,
        loan_amount_due=application.loan_amount_due,
        own_funds=own_funds,
        fund_available=fund.position().available,
        loan_overdue=application.loan_overdue,
    )


def approve(
    actor: User,
    application_id: int,
    amount: Money,
    own_funds_confirmed: Money,
    note: str = "",
) -> Application:
    """The operator decides the amount and confirms own funds in place; the amount is reserved (R8). Goes to the
    leading group when R6 applies, otherwise straight to approved. Priced under the policy in force today (R14).

    :raise RuleViolation: every violation of R5, R7, R8, and of R10 and R11 checked again, at once.
    """
    application, before = _load(actor, application_id, Action.APPROVE)
    today = clock.today()
    version, policy = policy_version_in_force(today)
    check = check_approval(policy, approval_facts(application, amount, own_funds_confirmed))
    violations = eligibility_violations(application.enterprise.credit_code, application.bank, today)
    violations += check.violations
    if violations:
        raise RuleViolation(violations)
    fund.reserve(amount)  # the guarded UPDATE: concurrent approvals cannot over-commit
    application.approved_amount = amount
    application.own_funds_confirmed = own_funds_confirmed
    application.approved_on = today
    application.approved_by_id = actor.id
    application.policy_version_id = version.id
    application.group_reasons = "；".join(check.group_reasons) or None
    return _complete(
        application,
        actor,
        Action.APPROVE,
        before,
        note,
        amount=amount,
        own_funds_confirmed=own_funds_confirmed,
        policy=policy.name,
        group_reasons=list(check.group_reasons),
        alternative=check.needs_group_approval,
    )


def group_approve(
    actor: User,
    application_id: int,
    minutes_ref: str,
    note: str = "",
) -> Application:
    application, before = _load(actor, application_id, Action.GROUP_APPROVE)
    _group_decision(application, actor, minutes_ref)
    return _complete(
        application,
        actor,
        Action.GROUP_APPROVE,
        before,
        note,
        minutes_ref=application.group_minutes_ref,
    )


def group_reject(
    actor: User,
    application_id: int,
    minutes_ref: str,
    note: str = "",
) -> Application:
    application, before = _load(actor, application_id, Action.GROUP_REJECT)
    _group_decision(application, actor, minutes_ref)
    _release_reservation(application)
    return _complete(
        application,
        actor,
        Action.GROUP_REJECT,
        before,
        note,
        minutes_ref=application.group_minutes_ref,
    )


def _group_decision(application: Application, actor: User, minutes_ref: str) -> None:
    application.group_minutes_ref = _required_text(minutes_ref, "minutes_ref", "会议纪要编号")
    application.group_decided_at = clock.utcnow()
    application.group_decided_by_id = actor.id


def _release_reservation(application: Application) -> None:
    if application.state_enum in (State.APPROVED, State.GROUP_REVIEW) and application.approved_amount is not None:
        fund.release(application.approved_amount)


# -- side exits before disbursement ------------------------------------------------------------------------------


def withdraw(actor: User, application_id: int, reason: str) -> Application:
    """The enterprise (or an operator for it) withdraws before disbursement; a reservation is released."""
    application, before = _load(actor, application_id, Action.WITHDRAW)
    text = _required_text(reason, "reason", "撤回原因")
    _release_reservation(application)
    _clear_preparation(application)
    return _complete(application, actor, Action.WITHDRAW, before, text)


def cancel(actor: User, application_id: int, reason: str) -> Application:
    """An approved application that will not be disbursed; the reservation is released."""
    application, before = _load(actor, application_id, Action.CANCEL)
    text = _required_text(reason, "reason", "取消原因")
    _release_reservation(application)
    _clear_preparation(application)
    return _complete(application, actor, Action.CANCEL, before, text)


def _clear_preparation(application: Application) -> None:
    application.prepared_by_id = None
    application.prepared_at = None


# -- disbursement, maker–checker (第十七条) -----------------------------------------------------------------------


def prepare_disbursement(
    actor: User,
    application_id: int,
    value_date: date,
    transfer_ref: str,
) -> Application:
    """The maker records the transfer to the bank's registered designated account (never a typed-in account)."""
    application, before = _load(actor, application_id, Action.PREPARE_DISBURSEMENT)
    if application.prepared_by_id is not None:
        raise NotAllowed("该申请已有待复核的放款指令", code="state_not_allowed")
    assert application.approved_on is not None
    _past_date(value_date, "value_date", "起息日", application.approved_on, "批准日期")
    bank = application.bank
    application.value_date = value_date
    application.disbursement_ref = _required_text(transfer_ref, "transfer_ref", "划款凭证号")
    application.destination_account_name = bank.account_name
    application.destination_account_no = bank.account_no
    application.destination_account_bank = bank.account_bank
    application.prepared_by_id = actor.id
    application.prepared_at = clock.utcnow()
    return _complete(
        application,
        actor,
        Action.PREPARE_DISBURSEMENT,
        before,
        "",
        value_date=value_date,
        transfer_ref=application.disbursement_ref,
        account_no=bank.account_no,
        account_name=bank.account_name,
    )


def authorise_disbursement(actor: User, application_id: int, note: str = "") -> Application:
    """The checker — a different operator — authorises; the reservation becomes money out."""
    application, before = _load(actor, application_id, Action.AUTHORISE_DISBURSEMENT)
    if application.prepared_by_id is None:
        raise NotAllowed("尚未制单，不能复核放款", code="state_not_allowed")
    if application.prepared_by_id == actor.id:
        raise NotAllowed("制单人与复核人不能为同一人", code="maker_checker")
    assert application.approved_amount is not None and application.value_date is not None
    _past_date(application.value_date, "value_date", "起息日")
    ledger.post(
        disbursement_posting(application.id, application.approved_amount),
        application.value_date,
        application_id=application.id,
        actor=actor,
        from_reservation=True,  # the reservation becomes money out
    )
    application.authorised_by_id = actor.id
    application.authorised_at = clock.utcnow()
    return _complete(
        application,
        actor,
        Action.AUTHORISE_DISBURSEMENT,
        before,
        note,
        amount=application.approved_amount,
        value_date=application.value_date,
        account_no=application.destination_account_no,
    )


# -- renewal and return (第十八条) -------------------------------------------------------------------------------


def confirm_renewal(
    actor: User,
    application_id: int,
    new_loan_contract_no: str,
    new_loan_amount: Money,
    renewed_on: date,
) -> Application:
    """The bank has renewed the loan; later than the policy's days after disbursement is flagged (R9)."""
    application, before = _load(actor, application_id, Action.CONFIRM_RENEWAL)
    assert application.value_date is not None
    if not new_loan_amount.is_positive:
        raise InvalidInput({"new_loan_amount": ["续贷金额必须大于零"]})
    _past_date(renewed_on, "renewed_on", "续贷日期", application.value_date, "起息日")
    policy = application_policy(application)
    application.new_loan_contract_no = _required_text(new_loan_contract_no, "new_loan_contract_no", "新贷款合同编号")
    application.new_loan_amount = new_loan_amount
    application.renewed_on = renewed_on
    application.renewal_late = renewal_late(policy, application.value_date, renewed_on)
    return _complete(
        application,
        actor,
        Action.CONFIRM_RENEWAL,
        before,
        "",
        new_loan_contract_no=new_loan_contract_no,
        new_loan_amount=new_loan_amount,
        renewed_on=renewed_on,
        late=application.renewal_late,
    )


def account_of(application: Application, as_of: date | None = None) -> Settlement | None:
    """Principal and fee owed and received, for a disbursed application (None before disbursement)."""
    if application.value_date is None or application.approved_amount is None or application.authorised_at is None:
        return None
    received = [ReceivedMoney(r.received_on, r.principal, r.fee) for r in application.receipts]
    return settlement(
        application_policy(application),
        application.approved_amount,
        application.value_date,
        received,
        as_of or clock.today(),
    )


def confirm_return(
    actor: User,
    application_id: int,
    received_on: date,
    principal: Money,
    fee: Money,
    transfer_ref: str,
) -> Application:
    """Money back into the special account. When principal and the fee for the actual days (R2, R3) are all back,
    the application is repaid; otherwise the receipt is kept and the shortfall stays open.

    :raise RuleViolation: more principal than outstanding, or more fee than due.
    """
    application, before = _load(actor, application_id, Action.CONFIRM_RETURN)
    assert application.value_date is not None and application.approved_amount is not None
    last = max((r.received_on for r in application.receipts), default=application.value_date)
    _past_date(received_on, "received_on", "收回日期", last, "起息日或上一笔收回日期")
    ref = _required_text(transfer_ref, "transfer_ref", "划款凭证号")
    _refuse_booked_transfer(application, ref)
    policy = application_policy(application)
    earlier = [ReceivedMoney(r.received_on, r.principal, r.fee) for r in application.receipts]
    new = ReceivedMoney(received_on, principal, fee)
    violations = check_receipt(policy, application.approved_amount, application.value_date, earlier, new)
    if violations:
        raise RuleViolation(violations)
    receipt = Receipt(
        application=application,
        received_on=received_on,
        principal=principal,
        fee=fee,
        transfer_ref=ref,
        recorded_by_id=actor.id,
    )
    db.session.add(receipt)
    db.session.flush()
    ledger.post(
        return_posting(receipt.id, application.id, principal, fee),
        received_on,
        application_id=application.id,
        actor=actor,
    )
    account = settlement(policy, application.approved_amount, application.value_date, [*earlier, new], received_on)
    if account.principal_back_on is not None:
        application.received_on = account.principal_back_on
        application.fee_due = account.fee_due
    return _complete(
        application,
        actor,
        Action.CONFIRM_RETURN,
        before,
        "" if account.settled else "收回不足，差额待补",
        received_on=received_on,
        principal=principal,
        fee=fee,
        transfer_ref=ref,
        days=account.days,
        fee_due=account.fee_due,
        shortfall=account.outstanding,
        alternative=not account.settled,
    )


def _refuse_booked_transfer(application: Application, ref: str) -> None:
    """One bank transfer is one receipt: a reference already booked on this application is refused (the database's
    unique index on (application, reference) backs this up under concurrency).

    :raise Conflict: the reference is booked already.
    """
    booked = next((r for r in application.receipts if r.transfer_ref == ref), None)
    if booked is not None:
        raise Conflict(
            f"划款凭证号 {ref} 已于 {booked.received_on.isoformat()} 登记收回（本金 {booked.principal.format()} 元、"
            f"费用 {booked.fee.format()} 元），同一笔划款不能重复登记",
            code="transfer_ref_booked",
            field="transfer_ref",
        )


# -- overdue: recovery and write-off (第二十一、二十二条) -----------------------------------------------------------


def open_recovery(actor: User, application_id: int, plan: str) -> Application:
    """An overdue bridge (R4) goes to recovery with a plan."""
    application, before = _load(actor, application_id, Action.OPEN_RECOVERY)
    assert application.value_date is not None
    if not is_overdue(application_policy(application), application.value_date, clock.today()):
        raise NotAllowed("尚未逾期，不能启动追偿", code="state_not_allowed")
    application.recovery_plan = _required_text(plan, "plan", "追偿方案")
    application.recovery_opened_on = clock.today()
    return _complete(application, actor, Action.OPEN_RECOVERY, before, application.recovery_plan)


def write_off(
    actor: User,
    application_id: int,
    minutes_ref: str,
    note: str = "",
) -> Application:
    """The leading group decides to write off what could not be recovered."""
    application, before = _load(actor, application_id, Action.WRITE_OFF)
    _group_decision(application, actor, minutes_ref)
    application.written_off_on = clock.today()
    account = account_of(application)
    if account is not None and account.principal_outstanding.is_positive:
        ledger.post(
            write_off_posting(application.id, account.principal_outstanding),
            application.written_off_on,
            application_id=application.id,
            actor=actor,
        )
    return _complete(
        application,
        actor,
        Action.WRITE_OFF,
        before,
        note,
        minutes_ref=application.group_minutes_ref,
        principal_outstanding=account.principal_outstanding if account else Money.zero(),
    )


# -- archive (第十九条) ------------------------------------------------------------------------------------------


def archive(actor: User, application_id: int, note: str = "") -> Application:
    application, before = _load(actor, application_id, Action.ARCHIVE)
    application.archived_at = clock.utcnow()
    return _complete(application, actor, Action.ARCHIVE, before, note)


# -- reading -----------------------------------------------------------------------------------------------------


def overdue(application: Application, today: date | None = None) -> bool:
    """R4, shown on every application: money out, and the principal not back by the end of the due date."""
    if application.value_date is None or application.authorised_at is None or application.received_on is not None:
        return False
    return is_overdue(application_policy(application), application.value_date, today or clock.today())


def group_reasons_now(application: Application, policy: Policy) -> tuple[str, ...]:
    """Why the group must decide, for an application not yet approved (from the requested amount)."""
    return group_approval_reasons(policy, application.requested_amount, application.loan_overdue)


def timeline(application: Application) -> list[ApplicationEvent]:
    """The application's events in order, with their actors, in one query."""
    return list(
        db.session.scalars(
            select(ApplicationEvent)
            .where(ApplicationEvent.application_id == application.id)
            .options(joinedload(ApplicationEvent.actor))
            .order_by(ApplicationEvent.id)
        )
    )


def get(actor: User, application_id: int) -> Application:
    """:raise NotFound: the application does not exist or is not the actor's to see."""
    return application_for(actor, application_id)


def check_allowed(actor: User, application: Application, action: Action) -> None:
    """:raise NotAllowed: the actor's role never takes ``action`` (403), or not from the current state (409)."""
    transition_for(application.state_enum, action, actor.role_enum)

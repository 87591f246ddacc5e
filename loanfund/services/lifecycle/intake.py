"""Intake and review (第十五条): the enterprise applies; the platform accepts or rejects, checking R10 and R11
again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from loanfund import clock
from loanfund.domain.eligibility import bank_agreement_violation
from loanfund.domain.errors import InvalidInput, InvalidValue, NotAllowed, RuleViolation, Violation
from loanfund.domain.green_channel import Mortgage
from loanfund.domain.lifecycle import OPEN_STATES, Action, Role, State
from loanfund.domain.money import Money
from loanfund.domain.policy import LoanType
from loanfund.domain.rules import (
    SubmissionFacts,
    check_submission,
)
from loanfund.extensions import db
from loanfund.models import Application, Bank, Enterprise, Fund, User
from loanfund.services.applications import materials
from loanfund.services.funds import check_registered_within, fund_to_apply_to
from loanfund.services.group import dissolution
from loanfund.services.lifecycle.spine import record, required_text
from loanfund.services.oversight import blacklist
from loanfund.services.policies import policy_version_in_force
from loanfund.services.uow import committing_with, discard, finish

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
    loan_type: str = LoanType.WORKING_CAPITAL.value  # R16: the loan to be renewed
    mortgage: str = Mortgage.NONE.value  # 第二十七条: the land or house mortgage the renewal involves
    fund: str | None = None  # the fund's code; may be left out while one fund covers the enterprise's district


@dataclass(frozen=True)
class ApplicationDraft:
    """An application as typed, before it is complete: ``None`` where a value could not be read (its own field says
    why). ``application_problems`` checks the rest, so a form shows every problem in one pass."""

    bank_id: int | None
    loan_contract_no: str
    loan_amount_due: Money | None
    loan_due_date: date | None
    loan_overdue: bool
    requested_amount: Money | None
    requested_days: int | None
    own_funds: Money | None
    loan_type: str | None = LoanType.WORKING_CAPITAL.value
    fund: str | None = None


def _facts(typed: ApplicationDraft | ApplicationInput, today: date) -> SubmissionFacts:
    """What the rules read of an application, complete or as typed."""
    return SubmissionFacts(
        requested_amount=typed.requested_amount,
        requested_days=typed.requested_days,
        loan_amount_due=typed.loan_amount_due,
        own_funds_planned=typed.own_funds,
        loan_due_date=typed.loan_due_date,
        loan_overdue=typed.loan_overdue,
        today=today,
        loan_type=typed.loan_type,
    )


def application_problems(actor: User, draft: ApplicationDraft) -> list[Violation]:
    """Every rule an application as typed breaks, on what can be read: the blacklist and the bank's agreement (when a
    bank is chosen), the amounts, days and dates, R7, and another open application for the same loan contract.
    ``submit_application`` checks the same again in its own transaction."""
    if actor.role_enum is not Role.ENTERPRISE or actor.enterprise is None:
        return []
    today = clock.today()
    try:
        fund = fund_to_apply_to(actor.enterprise.district, draft.fund)
    except InvalidValue as exc:
        return [Violation("R10", exc.code, exc.message, "fund")]
    _, policy = policy_version_in_force(fund.id, today)
    bank = _bank_of(fund, draft.bank_id)
    found = region_violations(fund, actor.enterprise)
    if bank is None:
        found.append(Violation("", "bank_required", _no_bank(draft.bank_id), "bank_id"))
    else:
        found += eligibility_violations(fund.id, actor.enterprise.credit_code, bank, today)
    found += check_submission(policy, _facts(draft, today))
    contract_no = (draft.loan_contract_no or "").strip()
    twin = _open_twin(bank, contract_no) if bank is not None and contract_no else None
    if twin is not None:
        found.append(Violation("", "contract_has_open_application", twin, "loan_contract_no"))
    return found


def _bank_of(fund: Fund, bank_id: int | None) -> Bank | None:
    """The bank chosen, when it cooperates with the fund applied to (another fund's bank is no choice here)."""
    bank = db.session.get(Bank, bank_id) if bank_id else None
    return bank if bank is not None and bank.fund_id == fund.id else None


def _no_bank(bank_id: int | None) -> str:
    """Why no bank of the fund was chosen: none (or none there is), or another fund's."""
    if bank_id and db.session.get(Bank, bank_id) is not None:
        return "所选合作银行不在申请的转贷资金之列，请重新选择"
    return "请选择合作银行"


def _checked_documents(
    fund_id: int, documents: dict[str, list[tuple[str, bytes]]]
) -> tuple[dict[str, list[tuple[str, bytes, str]]], dict[str, list[str]]]:
    """The files attached to the application form, checked once: the acceptable ones by the fund's checklist item,
    and what is wrong with the others (``documents-<code>``)."""
    allowed = {item.code for item in materials.for_new_application(fund_id)}
    checked: dict[str, list[tuple[str, bytes, str]]] = {}
    found: dict[str, list[str]] = {}
    for code, files in documents.items():
        if not any(name or data for name, data in files):
            continue
        if code not in allowed:
            found[f"documents-{code}"] = ["该材料不由企业提供"]
            continue
        try:
            checked[code] = materials.check_files(files)
        except InvalidInput as exc:
            found[f"documents-{code}"] = exc.errors["file"]
    return checked, found


def document_problems(fund_id: int, documents: dict[str, list[tuple[str, bytes]]]) -> dict[str, list[str]]:
    """What is wrong with the files attached to the application form, by the fund's checklist item
    (``documents-<code>``)."""
    return _checked_documents(fund_id, documents)[1]


def submit_with_documents(
    actor: User, data: ApplicationInput, documents: dict[str, list[tuple[str, bytes]]]
) -> Application:
    """Apply with documents attached on the form itself: the application and its files commit together, or neither.

    :raise InvalidInput: a file refused (``documents-<code>``), or as ``submit_application``.
    """
    if actor.enterprise is None:
        return submit_application(actor, data)  # refused there, as anyone's but an enterprise's
    try:
        fund = fund_to_apply_to(actor.enterprise.district, data.fund)
    except InvalidValue:
        return submit_application(actor, data)  # refused there, naming the fund
    checked, problems = _checked_documents(fund.id, documents)
    if problems:
        raise InvalidInput(problems)

    def attach(application: Application) -> None:
        for code, files in checked.items():
            materials.file_under(actor, application, code, files)

    with committing_with(attach):
        return submit_application(actor, data)


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
    try:
        fund = fund_to_apply_to(actor.enterprise.district, data.fund)
    except InvalidValue as exc:
        raise InvalidInput({"fund": [exc.message]}) from exc
    _, policy = policy_version_in_force(fund.id, today)
    bank = _bank_of(fund, data.bank_id)
    if bank is None:
        raise InvalidInput({"bank_id": [_no_bank(data.bank_id)]})
    violations = region_violations(fund, actor.enterprise)
    violations += eligibility_violations(fund.id, actor.enterprise.credit_code, bank, today)
    violations += check_submission(policy, _facts(data, today))
    contract_no = required_text(data.loan_contract_no, "loan_contract_no", "到期贷款合同编号")
    if data.mortgage not in Mortgage.__members__.values():
        raise InvalidInput({"mortgage": ["请选择续贷是否涉及土地、房产抵押"]})
    _refuse_duplicate(bank, contract_no)
    if violations:
        raise RuleViolation(violations)
    application = Application(
        fund_id=fund.id,
        enterprise_id=actor.enterprise.id,
        bank_id=bank.id,
        state=State.SUBMITTED.value,
        loan_contract_no=contract_no,
        loan_type=data.loan_type,
        mortgage=data.mortgage,
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
    try:
        db.session.flush()  # the partial unique index: a concurrent twin of this submission stops here
    except IntegrityError:
        discard()
        _refuse_duplicate(bank, contract_no)
        raise
    materials.carry_licence(application)  # ask once: the licence on file counts for this application too
    record(
        application,
        actor,
        Action.SUBMIT,
        None,
        requested_amount=data.requested_amount,
        requested_days=data.requested_days,
    )
    return finish(application)


def _refuse_duplicate(bank: Bank, contract_no: str) -> None:
    """One open application per loan contract of a bank (a double click, a second tab, a colleague).

    :raise InvalidInput: naming the open application."""
    twin = _open_twin(bank, contract_no)
    if twin is not None:
        raise InvalidInput({"loan_contract_no": [twin]})


def _open_twin(bank: Bank, contract_no: str) -> str | None:
    """What to say when the bank's loan contract already has an open application (None: it has none)."""
    open_one = db.session.scalar(
        select(Application).where(
            Application.bank_id == bank.id,
            Application.loan_contract_no == contract_no,
            Application.state.in_([s.value for s in OPEN_STATES]),
        )
    )
    if open_one is None:
        return None
    return f"到期贷款合同 {contract_no} 已有在办申请 {open_one.reference}（{open_one.state_enum.label}），请勿重复提交"


def region_violations(fund: Fund, enterprise: Enterprise) -> list[Violation]:
    """R10 at the fund's door: the enterprise's district is one the fund serves, its credit code issued in its
    region."""
    try:
        check_registered_within(enterprise.credit_code, enterprise.district, fund.region())
    except InvalidValue as exc:
        return [Violation("R10", exc.code, exc.message)]
    return []


def eligibility_violations(fund_id: int, credit_code: str, bank: Bank, today: date) -> list[Violation]:
    """R11 (blacklist), R10 (the bank's agreement in force) and R13 (a fund approved for dissolution lends no more,
    第二十六条) as they stand today: checked when the enterprise
    applies and again when the platform accepts and when the operator approves, since either can change between."""
    banned = blacklist.violation_for(fund_id, credit_code, today)
    agreement = bank_agreement_violation(bank.name, bank.agreement_start, bank.agreement_end, today)
    dissolved = dissolution.refusal_to_apply(fund_id)  # 第二十六条: approved for dissolution, the fund lends no more
    return [v for v in (dissolved, banned, agreement) if v is not None]

"""受理 (第八、十五条): the platform checks qualification and credit and forwards the application to the bank."""

from __future__ import annotations

from datetime import date

from loanfund import clock
from loanfund.domain import credit
from loanfund.domain.errors import InvalidInput, RuleViolation
from loanfund.domain.lifecycle import Action
from loanfund.services.applications import materials
from loanfund.services.lifecycle.intake import eligibility_violations
from loanfund.services.lifecycle.spine import Step, complete, each
from loanfund.services.lifecycle.step import Outcome, StepDef, choice, day, long_text, missing_reason
from loanfund.services.oversight import notices


def accept(
    step: Step,
    credit_report_date: date | None = None,
    credit_adverse: str = "",
    credit_industry: str = "",
    credit_operating: str = "",
    credit_check_note: str = "",
    note: str = "",
    missing_materials_reason: str = "",
) -> Outcome:
    """The platform checks the enterprise's qualification and credit (第十五条) and accepts the application, forwarding
    it to the bank. The check is recorded as findings (domain.credit): the 征信 report's date, bad records, the
    industrial policy, operating condition, and the reviewer's conclusion. R10 and R11 are checked again, and the
    materials the checklist requires before acceptance (the 征信 report among them) are on file — or the reviewer
    records why it goes on without.

    :raise InvalidInput: a finding is missing, or a required material is missing and no reason is given (all at once).
    :raise RuleViolation: the enterprise is blacklisted now, the bank's agreement is no longer in force, or the
        findings refuse it (第八条: outside the industrial policy, not operating well, a report too old).
    """
    application, actor = step.application, step.actor
    today = clock.today()
    violations = eligibility_violations(
        application.fund_id, application.enterprise.credit_code, application.bank, today
    )
    if violations:
        raise RuleViolation(violations)
    findings = credit.CreditCheck(
        credit_report_date, credit_adverse, credit_industry, credit_operating, credit_check_note
    )

    def complete_findings() -> None:
        problems = credit.check_problems(findings, today)
        if problems:
            raise InvalidInput({field: [message] for field, message in problems.items()})

    _, without = each(complete_findings, lambda: materials.explained(application, "accept", missing_materials_reason))
    refused = credit.refusals(findings, today)
    if refused:
        raise RuleViolation(refused)
    application.review_note = note.strip()
    application.credit_check_note = credit_check_note.strip()
    application.credit_report_date = credit_report_date
    application.credit_adverse = credit_adverse
    application.credit_industry = credit_industry
    application.credit_operating = credit_operating
    application.reviewed_at = clock.utcnow()
    application.reviewed_by_id = actor.id
    return complete(
        step,
        note,
        credit_report_date=credit_report_date,
        credit_adverse=credit_adverse,
        credit_industry=credit_industry,
        credit_operating=credit_operating,
        credit_check_note=credit_check_note.strip(),
        **without,
    )


def tell(outcome: Outcome) -> None:
    a, ref = outcome.application, outcome.application.reference
    asked = notices.asked(a)
    notices.notify(
        notices.enterprise_users(a),
        "accepted",
        f"申请 {ref} 已受理",
        f"贵企业的应急转贷申请 {ref}（{asked}）已受理，已转{a.bank.name}出具是否续贷的承诺。",
        a,
    )
    notices.notify(
        notices.bank_users(a),
        "to_commit",
        f"待出具转贷承诺：{ref}",
        f"{a.enterprise.name}的应急转贷申请 {ref} 已受理：到期贷款合同 {a.loan_contract_no}，本息 "
        f"{notices.yuan(a.loan_amount_due)}，到期日 {a.loan_due_date.isoformat()}；{asked}。请出具是否续贷的承诺。",
        a,
    )


STEP = StepDef(
    Action.ACCEPT,
    accept,
    duty="资格和信用审查",
    inputs=(
        day("credit_report_date", "征信报告日期", required=False),  # the step names it beside the other findings
        choice("credit_adverse", "不良信用记录", credit.AdverseRecord),
        choice("credit_industry", "产业政策", credit.IndustryFit),
        choice("credit_operating", "运营状况", credit.Operating),
        long_text("credit_check_note", "审查结论"),
        long_text("note", "受理意见"),
        missing_reason(),
    ),
    tell=tell,
)

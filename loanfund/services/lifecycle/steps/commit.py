"""出具转贷承诺 (第十六条): the bank commits to renew, its signed commitment on file or explained."""

from __future__ import annotations

from typing import Any

from loanfund import clock
from loanfund.domain.errors import InvalidInput
from loanfund.domain.lifecycle import Action
from loanfund.domain.money import Money
from loanfund.domain.rules import commitment_cover
from loanfund.models import Application
from loanfund.services.applications import materials
from loanfund.services.lifecycle.reading import commitment
from loanfund.services.lifecycle.spine import Step, complete, each, required_text
from loanfund.services.lifecycle.step import (
    Outcome,
    Shown,
    Situation,
    StepDef,
    long_text,
    missing_reason,
    money,
    text,
)
from loanfund.services.oversight import notices
from loanfund.services.policies import policy_version_in_force


def commit(
    step: Step,
    committed_amount: Money,
    opinion: str,
    seal_ref: str = "",
    missing_materials_reason: str = "",
) -> Outcome:
    """The bank commits to renew (转贷承诺) for ``committed_amount``, with its signed commitment on file — or the reason
    it commits without it (the checklist's rule, 第十六条).

    :raise InvalidInput: every problem at once: no amount, no opinion, the commitment not on file and no reason."""
    application, actor = step.application, step.actor

    def positive() -> None:
        if not committed_amount.is_positive:
            raise InvalidInput({"committed_amount": ["承诺续贷额度必须大于零"]})

    _, opinion_text, without = each(
        positive,
        lambda: required_text(opinion, "opinion", "银行意见"),
        lambda: materials.explained(application, "commit", missing_materials_reason),
    )
    application.committed_amount = committed_amount
    application.bank_opinion = opinion_text
    application.bank_officer = actor.display_name
    application.bank_seal_ref = seal_ref.strip() or None
    application.committed_at = clock.utcnow()
    application.committed_by_id = actor.id
    return complete(step, opinion_text, committed_amount=committed_amount, seal_ref=seal_ref.strip(), **without)


def cover_note(situation: Situation) -> tuple[str, bool]:
    """What a commitment of the loan due lets the fund lend (R5), and whether the enterprise is left short."""
    a = situation.application
    cover = commitment(a, a.loan_amount_due, situation.policy)
    return cover.explain(), cover.short.is_positive


def shows(outcome: Outcome, _: dict[str, Any]) -> Shown:
    a = outcome.application
    return Shown("承诺续贷额度", a.committed_amount, (("按此承诺", commitment(a).explain()),))


def warning(application: Application) -> str:
    """A bank committing less than the enterprise needs: the shortfall it leaves."""
    short = commitment(application).short
    if not short.is_positive:
        return ""
    return (
        f"按此承诺，应急转贷资金不足以覆盖企业的申请：企业还需另筹 {short.format()} 元"
        f"（{short.capitals()}），企业将收到通知。如企业无法筹足，续贷可能无法办理。"
    )


def tell(outcome: Outcome) -> None:
    """The operators have an approval to decide; the enterprise hears what the commitment lets the fund lend (R5)
    and, when it falls short of the request, what it must find elsewhere."""
    a = outcome.application
    assert a.committed_amount is not None
    # the approval will be under the fund's policy in force (R14)
    _, policy = policy_version_in_force(a.fund_id, clock.today())
    cover = commitment_cover(policy, a.committed_amount, a.requested_amount)
    yuan = notices.yuan
    notices.notify(
        notices.operators_for(a),
        "to_approve",
        f"银行已承诺，待审批：{a.reference}",
        f"{a.bank.name}已对{a.enterprise.name}的应急转贷申请 {a.reference} 出具续贷承诺，承诺续贷额度 "
        f"{yuan(a.committed_amount)}；{cover.explain()}。请核定金额、确认自筹资金到位后审批。",
        a,
    )
    short = cover.short.is_positive
    body = (
        f"{a.bank.name}已对贵企业的应急转贷申请 {a.reference} 出具续贷承诺，承诺续贷 {yuan(a.committed_amount)}。"
        f"应急转贷资金最多为承诺额度的 {cover.percent.normalize():f}%，即 {yuan(cover.cap)}"
    )
    if short:
        body += (
            f"，少于贵企业申请的 {yuan(a.requested_amount)}：差额 {notices.decided(cover.short)}须由贵企业另行筹措，"
            "请在平台审批前备足自筹资金。"
        )
    else:
        body += "，足以覆盖贵企业的申请。平台将核定金额后审批。"
    notices.notify(
        notices.enterprise_users(a),
        "commitment_short" if short else "committed",
        f"银行已出具续贷承诺：{a.reference}" + ("（资金缺口需自筹）" if short else ""),
        body,
        a,
    )


def done(outcome: Outcome) -> tuple[str, str]:
    cover = commitment(outcome.application)
    return f"已{Action.COMMIT.label}。{cover.explain()}", "warning" if cover.short.is_positive else "success"


STEP = StepDef(
    Action.COMMIT,
    commit,
    duty="银行审核与承诺",
    inputs=(
        money("committed_amount", "承诺续贷额度（元）"),
        long_text("opinion", "银行意见", True),
        text("seal_ref", "盖章文件编号"),
        missing_reason(),
    ),
    prefill=lambda s: {"committed_amount": s.application.loan_amount_due.format()},
    note=cover_note,
    live_note=True,
    shows=shows,
    warning=warning,
    tell=tell,
    done=done,
)

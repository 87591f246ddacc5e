"""Where an application stands, in plain words for the enterprise (issue 12): 当前进度, 下一步, 预计时间, and what it
owes and by when — no rule codes. Every date and amount comes from the application, its policy and its account;
"预计时间" is anchored on real dates (the loan's due date, the bank's renewal deadline, the bridge's last day), never
on a promise the regulation does not make. "办理时限" is the fund's own promise for the stage it waits in (issue 30): by
which day that stage and the whole way to money out are due, in working days."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from loanfund.clock import cn_day
from loanfund.domain.lifecycle import State
from loanfund.domain.time_limits import Timed
from loanfund.models import Application, MaterialItem
from loanfund.services.applications.views import ApplicationView
from loanfund.services.oversight import time_limits


@dataclass(frozen=True)
class Progress:
    now: str  # 当前进度
    next: str  # 下一步
    when: str  # 预计时间
    owes: str = ""  # what the enterprise owes and by when, once the money is out
    alert: bool = False  # something needs the enterprise's attention (amber)
    promised: str = ""  # 办理时限: the stage it waits in, who does it, by when; and by when the money goes out


def promised(stages: list[Timed]) -> str:
    """The fund's promise for the stage the application waits in and for the money going out, in plain words
    (``stages``: the application's, ``time_limits.of_application``)."""
    waiting, whole = time_limits.current(stages)
    parts = []
    if waiting is not None:
        parts.append(
            f"{waiting.stage.label}由{waiting.party}办理，承诺 {waiting.limit} 个工作日内办结，"
            f"应于 {cn_day(waiting.due)}前{'（已超时，平台正在督办）' if waiting.over else ''}"
        )
    if whole is not None:
        parts.append(f"申请至放款承诺 {whole.limit} 个工作日，应于 {cn_day(whole.due)}前放款")
    return "；".join(parts)


CLOSED_PLAINLY = {
    State.REJECTED: "平台未予受理",
    State.BANK_DECLINED: "合作银行不同意续贷",
    State.GROUP_REJECTED: "领导小组未予批准",
    State.WITHDRAWN: "贵企业已撤回申请",
    State.CANCELLED: "平台已取消该申请",
}


def for_enterprise(view: ApplicationView, missing_own: list[MaterialItem], stages: list[Timed]) -> Progress:
    """The enterprise's reading of ``view``; ``missing_own``: required documents it still has to upload; ``stages``:
    the application's against the fund's time limits."""
    progress = _reading(view, missing_own)
    return replace(progress, promised=promised(stages)) if progress.when != "—" else progress


def _reading(view: ApplicationView, missing_own: list[MaterialItem]) -> Progress:
    a: Application = view.application
    state = a.state_enum
    policy = view.policy
    if a.loan_overdue:
        before_due = "贷款已在银行逾期，平台将尽快办理"
    else:
        before_due = f"须在贷款到期日 {cn_day(a.loan_due_date)} 前放款，请留意进度"
    if state in CLOSED_PLAINLY:
        return Progress(
            now=f"申请已终止：{CLOSED_PLAINLY[state]}",
            next="如仍需应急转贷资金，可重新提交申请",
            when="—",
        )
    if state is State.SUBMITTED:
        if missing_own:
            names = "、".join(item.label for item in missing_own)
            return Progress(
                now="申请已提交，材料尚未齐全",
                next=f"请上传：{names}。材料齐全后由平台初步审查资格和信用情况",
                when=before_due,
                alert=True,
            )
        return Progress(
            now="申请已提交，等待平台审核",
            next="平台初步审查资格和信用情况，受理后转合作银行审核",
            when=before_due,
        )
    if state is State.ACCEPTED:
        return Progress(
            now="平台已受理，申请已转合作银行",
            next=f"{a.bank.name}审核并出具续贷承诺意见",
            when=before_due,
        )
    if state is State.BANK_COMMITTED:
        own = a.own_funds_planned.format()
        return Progress(
            now=f"{a.bank.name}已承诺续贷",
            next=f"平台核定借款金额；请确保自筹资金 {own} 元按时到位",
            when=before_due,
        )
    if state is State.GROUP_REVIEW:
        return Progress(now="平台已初审同意，报领导小组审批", next="领导小组审批后通知贵企业", when=before_due)
    if state is State.APPROVED:
        amount = a.approved_amount.format() if a.approved_amount else ""
        return Progress(
            now=f"已批准借款 {amount} 元",
            next=f"平台将资金划入{a.bank.name}指定账户，并通知银行和贵企业",
            when=before_due,
        )
    if state in (State.DISBURSED, State.RENEWED, State.RECOVERY) and a.value_date and view.due:
        account = view.account
        owes = ""
        if account is not None:
            principal, fee = account.principal_outstanding.format(), account.fee_outstanding.format()
            owes = (
                f"应归还本金 {principal} 元、用款费用 {fee} 元（费用按实际使用天数计，截至今日），"
                f"最迟 {cn_day(view.due)} 前由合作银行划回"
            )
        if state is State.DISBURSED:
            renew_by = a.value_date + timedelta(days=policy.renewal_sla_days)
            return Progress(
                now=f"资金已于 {cn_day(a.value_date)} 划入{a.bank.name}指定账户",
                next=f"{a.bank.name}办理续贷，并将资金和用款费用划回平台",
                when=f"银行原则上在 {cn_day(renew_by)} 前续贷；资金最迟 {cn_day(view.due)} 前收回",
                owes=owes,
                alert=view.overdue,
            )
        if state is State.RENEWED:
            return Progress(
                now=f"{a.bank.name}已于 {cn_day(a.renewed_on) if a.renewed_on else ''} 续贷",
                next=f"{a.bank.name}将资金和用款费用划回平台",
                when=f"最迟 {cn_day(view.due)} 前收回",
                owes=owes,
                alert=view.overdue,
            )
        return Progress(
            now="资金逾期未收回，平台已启动追偿",
            next=f"请尽快与{a.bank.name}和平台联系，归还尚欠款项",
            when=f"已超过最迟收回日 {cn_day(view.due)}",
            owes=owes,
            alert=True,
        )
    if state is State.REPAID:
        return Progress(now="资金和用款费用已全部收回", next="平台将全过程资料立卷归档", when="—")
    if state is State.ARCHIVED:
        return Progress(now="已办结并归档", next="无需再办理", when="—")
    if state is State.WRITTEN_OFF:
        return Progress(now="尚欠款项已经领导小组决定核销", next="如有疑问请联系平台", when="—", alert=True)
    return Progress(now=state.label, next="—", when="—")

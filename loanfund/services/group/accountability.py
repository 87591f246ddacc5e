"""Who answered for what (第二十四条: 弄虚作假、审查把关不严、违反规定程序办理应急转贷资金借款造成损失的，追究相关单位和
个人的责任): for an application — a loss above all — and for a blacklist entry, the people who reviewed, committed,
decided, prepared, authorised and received, each with their words and the moment, read from the record the steps
wrote (the events, the group's register), never typed again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from loanfund.domain import credit
from loanfund.domain.errors import NotFound
from loanfund.domain.events import RECOVERY_CAUSE, RECOVERY_MEASURE, event_label
from loanfund.domain.liability import CLAIM_EVENT, PAYMENT_EVENT, SETTLED_EVENT
from loanfund.domain.lifecycle import Action, Role
from loanfund.domain.money import Money
from loanfund.domain.watch import Finding
from loanfund.extensions import db
from loanfund.models import Application, ApplicationEvent, BlacklistEntry, Fund, User
from loanfund.services.access import application_for
from loanfund.services.group import group_register
from loanfund.services.lifecycle import STEPS
from loanfund.services.lifecycle.reading import timeline
from loanfund.services.lifecycle.settlement import account_of
from loanfund.services.record.audit_words import FIELDS

READERS = frozenset({Role.REVIEWER, Role.OPERATOR, Role.GROUP})  # the platform and the group, as the recovery file

# Each duty of the procedure and the article that sets it; the steps that discharge it name it themselves
# (``StepDef.duty``), and the events that are not steps on an application are listed here.
DUTIES: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("申请", "第十五条", frozenset({Action.SUBMIT})),
    ("资格和信用审查", "第八、十五条", frozenset()),
    ("银行审核与承诺", "第十六、二十三条", frozenset()),
    ("决定借款金额", "第十七条", frozenset()),
    ("领导小组审批", "第十四条", frozenset()),
    ("放款制单", "第十七条", frozenset()),
    ("放款复核", "第十七条", frozenset()),
    ("续贷", "第十八、二十三条", frozenset()),
    ("收回", "第十八、二十三条", frozenset({CLAIM_EVENT, PAYMENT_EVENT, SETTLED_EVENT})),
    ("逾期追偿与核销", "第二十一、二十二条", frozenset({RECOVERY_CAUSE, RECOVERY_MEASURE})),
    ("归档", "第十九条", frozenset()),
)
ARTICLES = {duty: article for duty, article, _ in DUTIES}
BY_EVENT = {event: duty for duty, _, events in DUTIES for event in events} | {
    action.value: step.duty for action, step in STEPS.items()
}
MONEY_KEYS = frozenset(
    {"amount", "committed_amount", "fee", "fee_due", "new_loan_amount", "own_funds_confirmed", "paid", "principal"}
    | {"principal_outstanding", "requested_amount", "shortfall"}
)
QUIET_KEYS = frozenset({"note", "alternative", "decision_id", "credit_check_note"})  # said elsewhere on the line


@dataclass(frozen=True)
class Answer:
    """One person's part: the duty, the step, who (and in what role), when, and their words."""

    duty: str
    article: str
    step: str
    person: str
    role: str
    at: datetime
    words: str
    details: str


@dataclass(frozen=True)
class Accountability:
    title: str
    subject: str  # what it is about, in one line
    loss: Money | None  # a loss written off (None: none)
    answers: tuple[Answer, ...]


def _role_label(value: str, fund: Fund) -> str:
    try:
        return fund.role_title(Role(value).value)
    except ValueError:
        return "系统"


def _details(payload: dict[str, Any]) -> str:
    parts = []
    for key, raw in payload.items():
        if key in QUIET_KEYS or raw in (None, "", [], {}):
            continue
        if key in MONEY_KEYS and isinstance(raw, str):
            shown = f"{Money.parse(raw).format()} 元"
        elif key == "credit_adverse":
            shown = credit.findings(raw, None, None)
        elif key == "credit_industry":
            shown = credit.findings(None, raw, None)
        elif key == "credit_operating":
            shown = credit.findings(None, None, raw)
        elif isinstance(raw, list):
            shown = "、".join(str(item) for item in raw)
        else:
            shown = str(raw)
        parts.append(f"{FIELDS.get(key, key)}：{shown}")
    if payload.get("decision_id"):
        parts.append(f"领导小组决定第 {payload['decision_id']} 号")
    return "；".join(parts)


def _duty(action: str) -> tuple[str, str]:
    duty = BY_EVENT.get(action)
    return (duty, ARTICLES[duty]) if duty else ("其他", "")


def _answer(event: ApplicationEvent) -> Answer:
    duty, article = _duty(event.action)
    words = "；".join(w for w in (event.note, event.payload.get("credit_check_note", "")) if w)
    return Answer(
        duty=duty,
        article=article,
        step=event_label(event.action),
        person=event.actor.display_name if event.actor else "系统（每日巡查）",
        role=_role_label(event.actor_role, event.application.fund),
        at=event.at,
        words=words,
        details=_details(event.payload),
    )


def for_application(actor: User, application_id: int) -> Accountability:
    """Every person's part in one application, in the order they acted.

    :raise NotFound: not the actor's to read (the platform and the group read it; 404 to anyone else)."""
    if actor.role_enum not in READERS:
        raise NotFound("未找到该申请")
    application: Application = application_for(actor, application_id)
    account = account_of(application)
    loss = account.principal_outstanding if application.written_off_on and account else None
    amount = application.approved_amount or application.requested_amount
    subject = (
        f"{application.reference} · {application.enterprise.name} · {application.bank.name} · "
        f"{amount.format()} 元 · {application.state_shown}"
    )
    found = set(Finding.__members__.values())  # what the daily sweep noticed is not anyone's part
    answers = tuple(_answer(e) for e in timeline(application) if e.action not in found)
    return Accountability("应急转贷责任追溯表", subject, loss, answers)


def for_blacklist_entry(actor: User, entry_id: int) -> Accountability:
    """Who proposed an entry, and the group's decisions on it (confirm, reject, lift), with their words.

    :raise NotFound: no such entry, or not the actor's to read."""
    entry = db.session.get(BlacklistEntry, entry_id)
    if actor.role_enum not in READERS or entry is None or entry.fund_id != actor.fund_id:
        raise NotFound("未找到该记录")
    decisions = group_register.decisions_on(blacklist_entry_id=entry.id)
    ids = {entry.recorded_by_id, *(d.recorded_by_id for d in decisions)} - {None}
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    proposer = people.get(entry.recorded_by_id) if entry.recorded_by_id else None
    answers = [
        Answer(
            duty="提议列入",
            article="第二十二条",
            step="提议列入黑名单",
            person=proposer.display_name if proposer else "系统（逾期或核销自动提议）",
            role=proposer.fund.role_title(proposer.role) if proposer and proposer.fund else "系统",
            at=entry.created_at,
            words=entry.basis,
            details=f"列入原因：{entry.reason}；列入日期：{entry.listed_on.isoformat()}",
        )
    ]
    for d in decisions:
        recorder = people.get(d.recorded_by_id)
        answers.append(
            Answer(
                duty="领导小组决定",
                article="第四、二十二条",
                step=d.outcome,
                person=recorder.display_name if recorder else "—",
                role=Role.GROUP.label,
                at=d.created_at,
                words=d.note,
                details=f"领导小组决定第 {d.id} 号" + (f"；会议纪要：{d.minutes_ref}" if d.minutes_ref else ""),
            )
        )
    period = f"{entry.listed_on.isoformat()} 至 {entry.ends_on.isoformat()}"
    subject = f"{entry.enterprise_name}（{entry.credit_code}）· {entry.reason} · {period}"
    return Accountability("黑名单责任追溯表", subject, None, tuple(answers))

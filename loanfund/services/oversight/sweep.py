"""The daily sweep (第二十、二十一条; DESIGN §6): the fund watches its money by itself.

For every bridge whose money is out and whose day has come — the days the domain says something can happen to it
(``watch.next_look``), or the day after a step changed it (``lifecycle.bridges``), so its cost follows what happens
that day and not how many bridges are out — it asks the domain's watch (``domain.watch``) what there is to record or
remind on the day, records each condition once as an event on the application (overdue, renewal late or short, a return
shortfall), sends each notice once, then hands the e-mail queue to the mailer.

Idempotent and safe to run twice at once: every finding is claimed by a unique key in ``watch_marks`` before it is
recorded, and the whole run is one transaction that first takes a lock — a PostgreSQL advisory lock, or SQLite's
write lock (``BEGIN IMMEDIATE`` on a file database) — so a second sweep waits and then finds nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import func, select, text

from loanfund import clock
from loanfund.domain.lifecycle import Role
from loanfund.domain.policy import Policy
from loanfund.domain.rules import Settlement, due_date
from loanfund.domain.watch import Found, watch
from loanfund.extensions import db
from loanfund.models import Application, ApplicationEvent, BlacklistEntry, BridgeOut, WatchMark
from loanfund.services.applications import materials
from loanfund.services.lifecycle import application_policy, bridges
from loanfund.services.oversight import blacklist, notices
from loanfund.services.people import accounts, vetting
from loanfund.services.uow import finish
from loanfund.sql import dialect_insert

ADVISORY_LOCK = 0x4C46_5357  # "LFSW": one sweep at a time per database

SYSTEM_ROLE = "system"


@dataclass
class SweepReport:
    day: date
    bridges: int = 0  # bridges out looked at: those whose day had come
    out: int = 0  # bridges out in all
    recorded: list[tuple[str, Found]] = field(default_factory=list)  # (application reference, finding)
    proposed: list[str] = field(default_factory=list)  # enterprises proposed for the blacklist by a long default
    ended: list[str] = field(default_factory=list)  # enterprises whose blacklist period ended
    login_limits_cleared: int = 0  # login counts whose window and lock are over
    licences_removed: list[str] = field(default_factory=list)  # files of sign-ups returned and left (their digests)
    statements: list[str] = field(default_factory=list)  # funds told their special account is not reconciled


def sweep(today: date | None = None) -> SweepReport:
    """Record and send what ``today`` brings, once. Commits once."""
    today = today or clock.today()
    _lock()
    report = SweepReport(today)
    for application, version in bridges.to_look_at(today):
        report.bridges += 1
        policy = application_policy(application)
        facts = bridges.facts(application, today, policy)
        account = facts.account
        for found in watch(policy, facts, today):
            if not _claim(application, found):
                continue
            if found.finding.is_condition:
                _record(application, found, today, account)
            notices.after_finding(application, found, today)
            report.recorded.append((application.reference, found))
        _propose_long_default(application, policy, account, today, report)
        bridges.looked_at(application, version, facts, today)
    report.out = int(db.session.scalar(select(func.count()).select_from(BridgeOut)) or 0)
    _end_blacklist_periods(today, report)
    _watch_bank_statements(today, report)
    report.login_limits_cleared = accounts.clear_spent_limits(clock.utcnow())
    report.licences_removed = vetting.let_go_of_abandoned_licences(clock.utcnow())
    finish(report)
    for digest in report.licences_removed:  # the files go once nothing committed points at them any more
        materials.discard_unreferenced(digest)
    return report


def _propose_long_default(
    application: Application, policy: Policy, account: Settlement, today: date, report: SweepReport
) -> None:
    """第二十二条: a bridge overdue for ``BLACKLIST_PROPOSE_AFTER_OVERDUE_DAYS`` proposes its enterprise, once."""
    assert application.value_date is not None
    due = due_date(policy, application.value_date)
    late = (today - due).days
    threshold = int(current_app.config["BLACKLIST_PROPOSE_AFTER_OVERDUE_DAYS"])
    if late < threshold or not account.principal_outstanding.is_positive:
        return
    if not _claim_key(f"{application.id}:blacklist-proposal", application.id, "blacklist-proposal"):
        return
    basis = (
        f"应急转贷 {application.reference} 于 {due.isoformat()} 到期，"
        f"截至 {today.isoformat()} 逾期 {late} 天，尚未归还本金 {account.principal_outstanding.format()} 元"
    )
    if blacklist.propose_for_default(application, basis) is not None:
        report.proposed.append(application.enterprise.name)


def _end_blacklist_periods(today: date, report: SweepReport) -> None:
    """A bar whose period is over ends by itself (its entry stays in the history); the enterprise and the group are
    told once."""
    for entry in db.session.scalars(
        select(BlacklistEntry).where(
            BlacklistEntry.state == "confirmed", BlacklistEntry.ends_on < today, BlacklistEntry.lifted_on.is_(None)
        )
    ):
        if not _claim_key(f"blacklist-ended:{entry.id}", None, "blacklist-ended"):
            continue
        people = [
            *notices.staff(entry.fund_id, Role.GROUP),  # the group of the fund whose bar it was
            *notices.enterprise_users_by_code(entry.credit_code),
        ]
        notices.notify(
            people,
            "blacklist_ended",
            f"黑名单限制期已满：{entry.enterprise_name}",
            f"{entry.enterprise_name}（{entry.credit_code}）因“{entry.reason}”于 {entry.listed_on.isoformat()} "
            f"列入黑名单，限制期至 {entry.ends_on.isoformat()}（含）已满，自 "
            f"{(entry.ends_on + timedelta(days=1)).isoformat()} 起可以重新申请应急转贷资金。",
            None,
        )
        report.ended.append(entry.enterprise_name)


def _watch_bank_statements(today: date, report: SweepReport) -> None:
    """第十一条 封闭运行 (issue 29): each fund that imports its statement hears once of each day that stays apart from
    the bank past its threshold, and once of each stretch with no statement imported (R15)."""
    from loanfund.domain.warning import days_apart, statement_missing
    from loanfund.models import StatementImport
    from loanfund.services.books import bank_statement
    from loanfund.services.oversight import settings

    for fund_id in db.session.scalars(select(StatementImport.fund_id).distinct()):
        days, covered_to = bank_statement.unreconciled(fund_id, today)
        if covered_to is None:
            continue
        thresholds = settings.thresholds(fund_id)
        late = [d for d in days if (today - d).days > thresholds.statement_days]
        found = days_apart(
            [d for d in late if _claim_key(f"bank-unreconciled:{fund_id}:{d.isoformat()}", None, "bank-statement")],
            thresholds,
        )
        missing = statement_missing(covered_to, today, thresholds)
        if missing and _claim_key(f"bank-statement-missing:{fund_id}:{covered_to.isoformat()}", None, "bank-statement"):
            found += missing
        if not found:
            continue
        notices.notify(
            notices.staff(fund_id, Role.OPERATOR, Role.GROUP),
            "bank_unreconciled",
            "专用账户与银行对账单未对平",
            "；".join(w.why for w in found)
            + "。请在“专用账户 · 银行对账”中导入对账单、核对差异（第十一条：专款专用、封闭运行）。",
            None,
        )
        report.statements.append(str(fund_id))


def _lock() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})


def _claim(application: Application, found: Found) -> bool:
    """Claim the finding's key; False when an earlier (or a concurrent) sweep has it already."""
    return _claim_key(f"{application.id}:{found.key}", application.id, found.finding.value)


def _claim_key(key: str, application_id: int | None, finding: str) -> bool:
    insert = dialect_insert()
    claimed = db.session.execute(
        insert(WatchMark)
        .values(key=key, application_id=application_id, finding=finding, on=clock.utcnow())
        .on_conflict_do_nothing(index_elements=[WatchMark.key])
        .returning(WatchMark.id)
    ).scalar()
    return claimed is not None


def _record(application: Application, found: Found, today: date, account: Settlement) -> None:
    db.session.add(
        ApplicationEvent(
            application=application,
            actor_id=None,
            actor_role=SYSTEM_ROLE,
            at=clock.utcnow(),
            action=found.finding.value,
            from_state=application.state,
            to_state=application.state,
            note=found.why,
            payload={
                "day": today.isoformat(),
                "days": account.days,
                "fee_due": account.fee_due.plain(),
                "principal_outstanding": account.principal_outstanding.plain(),
                "outstanding": account.outstanding.plain(),
            },
        )
    )

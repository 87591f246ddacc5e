"""The daily sweep (第二十、二十一条; DESIGN §6): the fund watches its money by itself.

For every bridge whose money is out it asks the domain's watch (``domain.watch``) what there is to record or remind
on the day, records each condition once as an event on the application (overdue, renewal late or short, a return
shortfall), sends each notice once, then hands the e-mail queue to the mailer.

Idempotent and safe to run twice at once: every finding is claimed by a unique key in ``watch_marks`` before it is
recorded, and the whole run is one transaction that first takes a lock — a PostgreSQL advisory lock, or SQLite's
write lock (``BEGIN IMMEDIATE`` on a file database) — so a second sweep waits and then finds nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload, selectinload

from loanfund import clock
from loanfund.domain.lifecycle import State
from loanfund.domain.rules import Settlement
from loanfund.domain.watch import BridgeFacts, Found, watch
from loanfund.extensions import db
from loanfund.models import Application, ApplicationEvent, WatchMark
from loanfund.services import notices
from loanfund.services.lifecycle import account_of, application_policy
from loanfund.services.uow import finish

# The bridges the sweep watches: money out and the application still in the platform's normal hands. A bridge in
# recovery is the operator's and the group's already (its overdue was recorded before it got there).
WATCHED = (State.DISBURSED, State.RENEWED)
ADVISORY_LOCK = 0x4C46_5357  # "LFSW": one sweep at a time per database

SYSTEM_ROLE = "system"


@dataclass
class SweepReport:
    day: date
    bridges: int = 0
    recorded: list[tuple[str, Found]] = field(default_factory=list)  # (application reference, finding)


def sweep(today: date | None = None) -> SweepReport:
    """Record and send what ``today`` brings, once. Commits once."""
    today = today or clock.today()
    _lock()
    report = SweepReport(today)
    for application in _watched():
        report.bridges += 1
        policy = application_policy(application)
        account = account_of(application, today, policy)
        assert account is not None and application.value_date is not None and application.committed_amount
        facts = BridgeFacts(
            value_date=application.value_date,
            renewed=application.renewed_on is not None,
            committed_amount=application.committed_amount,
            renewed_amount=application.new_loan_amount,
            account=account,
            receipts=len(application.receipts),
        )
        for found in watch(policy, facts, today):
            if not _claim(application, found):
                continue
            if found.finding.is_condition:
                _record(application, found, today, account)
            notices.after_finding(application, found, today)
            report.recorded.append((application.reference, found))
    return finish(report)


def _lock() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})


def _watched() -> list[Application]:
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.state.in_([s.value for s in WATCHED]))
            .options(
                joinedload(Application.enterprise),
                joinedload(Application.bank),
                joinedload(Application.policy_version),
                selectinload(Application.receipts),
            )
            .order_by(Application.id)
        )
    )


def _claim(application: Application, found: Found) -> bool:
    """Claim the finding's key; False when an earlier (or a concurrent) sweep has it already."""
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    claimed = db.session.execute(
        insert(WatchMark)
        .values(
            key=f"{application.id}:{found.key}",
            application_id=application.id,
            finding=found.finding.value,
            on=clock.utcnow(),
        )
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

"""The early-warning page (第二十条; R15): every warning the domain finds over the fund as it stands, each with its
reason and numbers. Reads only; the daily sweep records and notifies the conditions it shares with this page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, extract, func, or_, select, union
from sqlalchemy.orm import aliased, joinedload, subqueryload

from loanfund import clock
from loanfund.domain.lifecycle import MONEY_OUT_STATES, State
from loanfund.domain.money import Money
from loanfund.domain.warning import (
    Risk,
    Thresholds,
    Warning,
    bridge_warnings,
    concentration,
    concentration_floor,
    stage_late,
    utilisation,
)
from loanfund.domain.warning import bank_statement as bank_statement_warnings
from loanfund.domain.watch import Finding
from loanfund.extensions import db
from loanfund.models import (
    Application,
    ApplicationEvent,
    Bank,
    BankClaim,
    BlacklistEntry,
    BridgeOut,
    Enterprise,
    Fund,
)
from loanfund.services.books import bank_statement, fund
from loanfund.services.lifecycle import application_policy, bridges
from loanfund.services.oversight import settings, time_limits

# applications still being decided or with money out: whose enterprises the page looks at
OPEN_STATES = (
    State.SUBMITTED,
    State.ACCEPTED,
    State.BANK_COMMITTED,
    State.GROUP_REVIEW,
    State.APPROVED,
    *MONEY_OUT_STATES,
)


# a kind of warning shows its first lines (soonest due first) and how many there are; the rest by ``page``
SHOWN = 50


@dataclass
class RiskReport:
    """``warnings``: the lines shown — of each kind its first ``SHOWN`` (of one kind, the page asked for);
    ``counts``: how many of each kind there are today."""

    day: date
    thresholds: Thresholds
    warnings: list[Warning] = field(default_factory=list)
    counts: dict[Risk, int] = field(default_factory=dict)
    only: Risk | None = None  # the kind whose further lines were asked for
    page: int = 1

    def by_risk(self) -> list[tuple[Risk, list[Warning]]]:
        return [(r, [w for w in self.warnings if w.risk is r]) for r in Risk if self.counts.get(r)]

    def count(self, risk: Risk) -> int:
        return self.counts.get(risk, 0)

    def more(self, risk: Risk) -> int:
        """How many lines of ``risk`` come after those shown."""
        return max(self.count(risk) - (self.page - 1) * SHOWN - sum(w.risk is risk for w in self.warnings), 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _per_bridge(today: date, thresholds: Thresholds) -> dict[Risk, Any]:
    """The warnings on one bridge out (``domain.warning.bridge_warnings``) as conditions on its facts, for counting and
    ordering in SQL; the lines themselves are the domain's (a test holds the two equal over a mixed fund)."""
    return {
        Risk.DUE_SOON: bridges.due_within(today, thresholds.due_within_days),
        Risk.OUT_TOO_LONG: bridges.out_too_long(today),
        Risk.OVERDUE: bridges.principal_overdue(today),
        Risk.RENEWAL_LATE: bridges.renewal_overdue(today),
        Risk.RENEWAL_SHORT: bridges.renewal_short(),
        Risk.RETURN_SHORTFALL: bridges.shortfall(),
    }


def report(fund_id: int, today: date | None = None, only: Risk | None = None, page: int = 1) -> RiskReport:
    """The fund's early warnings today: how many of each kind, and the first lines of each (``only``: the ``page``-th
    ``SHOWN`` lines of one kind). Counted over the bridges' facts (``bridges``) in SQL: its cost is the lines shown,
    not the bridges out. An enterprise's past (a late return, a blacklist entry) counts wherever it happened:
    another fund's entry is a warning here (DESIGN §7)."""
    today = today or clock.today()
    page = max(page, 1)
    result = RiskReport(today, settings.thresholds(fund_id), only=only, page=page)
    of_fund = BridgeOut.fund_id == fund_id
    conditions = _per_bridge(today, result.thresholds)
    counted = db.session.execute(
        select(*(func.count().filter(c) for c in conditions.values())).select_from(BridgeOut).where(of_fund)
    ).one()
    result.counts = {risk: int(n) for risk, n in zip(conditions, counted, strict=True) if n}
    shown: dict[Risk, list[int]] = {}
    for risk, condition in conditions.items():
        if only is not None and risk is not only:
            continue
        shown[risk] = list(
            db.session.scalars(
                select(BridgeOut.application_id)
                .where(of_fund, condition)
                .order_by(BridgeOut.due_on, BridgeOut.application_id)
                .offset((page - 1) * SHOWN if risk is only else 0)
                .limit(SHOWN)
            )
        )
    result.warnings += _bridge_lines(shown, today, result.thresholds)
    if only is None or only is Risk.ENTERPRISE_HISTORY:
        found, result.counts[Risk.ENTERPRISE_HISTORY] = _enterprise_history(fund_id, page if only else 1)
        result.warnings += found
    if only is None or only is Risk.STAGE_LATE:  # 办理时限 (issue 30): stages open past their promise
        first = (page - 1) * SHOWN if only is Risk.STAGE_LATE else 0
        late, result.counts[Risk.STAGE_LATE] = time_limits.open_late(fund_id, today, lines=first + SHOWN)
        result.warnings += [stage_late(line) for line in late[first:]]
    if only is None:
        result.warnings += _fund_wide(fund_id, today, result.thresholds)
        for risk in (Risk.BANK_BREACHES, Risk.CONCENTRATION, Risk.UTILISATION, Risk.BANK_UNRECONCILED):
            result.counts[risk] = sum(w.risk is risk for w in result.warnings)
    result.counts = {risk: n for risk, n in result.counts.items() if n}
    return result


def _bridge_lines(shown: dict[Risk, list[int]], today: date, thresholds: Thresholds) -> list[Warning]:
    """The domain's warning lines of the bridges shown, each under its kind, in the order they were chosen."""
    ids = {i for chosen in shown.values() for i in chosen}
    if not ids:
        return []
    applications = {
        a.id: a
        for a in db.session.scalars(
            select(Application)
            .where(Application.id.in_(ids))
            .options(
                joinedload(Application.enterprise),
                joinedload(Application.policy_version),
                subqueryload(Application.receipts),
                joinedload(Application.bank_claim),
            )
        )
    }
    found: dict[int, list[Warning]] = {}
    for application_id, application in applications.items():
        policy = application_policy(application)
        subject = f"{application.reference} {application.enterprise.name}"
        found[application_id] = bridge_warnings(
            policy,
            bridges.facts(application, today, policy),
            application.requested_days,
            today,
            thresholds,
            subject,
            application.id,
        )
    return [w for risk, chosen in shown.items() for i in chosen for w in found[i] if w.risk is risk]


def _fund_wide(fund_id: int, today: date, thresholds: Thresholds) -> list[Warning]:
    """The banks' breaches, the concentration of the money out by enterprise and by bank, the fund's utilisation."""
    found = _bank_breaches(fund_id, today)
    total = db.session.scalar(select(bridges.principal_sum()).where(BridgeOut.fund_id == fund_id))
    total_out = Money(int(total or 0))
    # only the parties that can be flagged: summed by the bridges' own key, those at or above the floor named — a
    # province's fund has thousands of enterprises out, of which a handful can hold a share worth a warning
    floor = concentration_floor(total_out, thresholds)
    for key, party, what in ((BridgeOut.enterprise_id, Enterprise, "企业"), (BridgeOut.bank_id, Bank, "合作银行")):
        held: dict[int, int] = dict(
            db.session.execute(
                select(key, bridges.principal_sum())
                .where(BridgeOut.fund_id == fund_id)
                .group_by(key)
                .having(bridges.principal_sum() >= floor.fen)
            ).all()
        )
        names = dict(db.session.execute(select(party.id, party.name).where(party.id.in_(held))).all())
        by_name: dict[str, Money] = {}
        for party_id, fen in held.items():
            named = names[party_id]
            by_name[named] = by_name.get(named, Money.zero()) + Money(int(fen))  # two of one name: one line
        found += concentration(by_name, what, thresholds, total_out)
    position = fund.position(fund_id)
    found += utilisation(total_out, position.reserved, position.cash, thresholds)
    found += bank_statement_warnings(*bank_statement.unreconciled(fund_id, today), today, thresholds)
    return found


def _enterprise_history(fund_id: int, page: int = 1) -> tuple[list[Warning], int]:
    """Enterprises with an open application and a past: an earlier bridge that went overdue, or a blacklist entry on
    their credit code or on an enterprise with the same legal representative. The ``page``-th ``SHOWN`` of them by
    name, and how many there are — chosen in SQL, their reasons written for those shown."""
    confirmed = BlacklistEntry.state == "confirmed"
    late_ones = (
        select(Application.enterprise_id)
        .join(ApplicationEvent, ApplicationEvent.application_id == Application.id)
        .where(ApplicationEvent.action == Finding.OVERDUE.value)
    )
    listed_codes = select(BlacklistEntry.credit_code).where(confirmed)
    listed = aliased(Enterprise)
    listed_reps = (
        select(listed.legal_representative)
        .join(BlacklistEntry, BlacklistEntry.credit_code == listed.credit_code)
        .where(confirmed, listed.legal_representative.is_not(None), listed.legal_representative != "")
    )
    has_open = exists().where(
        Application.enterprise_id == Enterprise.id,
        Application.fund_id == fund_id,
        Application.state.in_([s.value for s in OPEN_STATES]),
    )
    # the enterprises with a past, found from the few rows that give them one (an overdue event, a blacklist entry)
    # by index; as an OR over every enterprise the database read all 250,000 of them at a million applications
    with_a_past = union(
        late_ones,
        select(Enterprise.id).where(Enterprise.credit_code.in_(listed_codes)),
        select(Enterprise.id).where(Enterprise.legal_representative.in_(listed_reps)),
    )
    with_past = and_(has_open, Enterprise.id.in_(with_a_past))
    # the page's lines with how many there are in all (a window count: the condition evaluated once, not twice)
    counted = db.session.execute(
        select(
            Enterprise.id, Enterprise.name, Enterprise.credit_code, Enterprise.legal_representative, func.count().over()
        )
        .where(with_past)
        .order_by(Enterprise.name, Enterprise.id)
        .offset((page - 1) * SHOWN)
        .limit(SHOWN)
    ).all()
    total = int(counted[0][4]) if counted else 0
    if not counted and page > 1:  # a page past the last has no line to carry the count
        total = int(db.session.scalar(select(func.count()).select_from(Enterprise).where(with_past)) or 0)
    chosen = [row[:4] for row in counted]
    ids = [row[0] for row in chosen]
    late = dict(
        db.session.execute(
            select(Application.enterprise_id, func.count(func.distinct(Application.id)))
            .join(ApplicationEvent, ApplicationEvent.application_id == Application.id)
            .where(ApplicationEvent.action == Finding.OVERDUE.value, Application.enterprise_id.in_(ids))
            .group_by(Application.enterprise_id)
        ).all()
    )
    codes = [row[2] for row in chosen]
    reps = [row[3] for row in chosen if row[3]]
    # every fund's confirmed entries on those shown: another fund's is a warning here, named with its fund (DESIGN §7)
    entries = db.session.execute(
        select(
            BlacklistEntry.credit_code,
            BlacklistEntry.reason,
            BlacklistEntry.listed_on,
            Enterprise.legal_representative,
            BlacklistEntry.fund_id,
            Fund.name,
        )
        .join(Fund, Fund.id == BlacklistEntry.fund_id)
        .outerjoin(Enterprise, Enterprise.credit_code == BlacklistEntry.credit_code)
        .where(confirmed, or_(BlacklistEntry.credit_code.in_(codes), Enterprise.legal_representative.in_(reps)))
        .order_by(BlacklistEntry.id)
    ).all()
    found = []
    for enterprise_id, name, code, representative in chosen:
        reasons = []
        if late.get(enterprise_id):
            reasons.append(f"此前有 {late[enterprise_id]} 笔应急转贷逾期归还")
        for listed_code, reason, listed_on, listed_rep, listed_in, fund_name in entries:
            where = "" if listed_in == fund_id else f"{fund_name}的"
            if listed_code == code:
                reasons.append(f"曾于 {listed_on.isoformat()} 因“{reason}”列入{where}黑名单")
            elif representative and listed_rep == representative:
                reasons.append(
                    f"法定代表人{representative}名下另一企业（{listed_code}）曾因“{reason}”列入{where}黑名单"
                )
        if reasons:
            found.append(Warning(Risk.ENTERPRISE_HISTORY, name, "；".join(reasons)))
    return found, total


def _bank_breaches(fund_id: int, today: date) -> list[Warning]:
    """Banks late to renew (R9) or liable for a bridge (R12) this year, on the fund's bridges."""
    late = dict(
        db.session.execute(
            select(Bank.name, func.count(func.distinct(Application.id)))
            .join(Application, Application.bank_id == Bank.id)
            .join(ApplicationEvent, ApplicationEvent.application_id == Application.id)
            .where(
                Application.fund_id == fund_id,
                ApplicationEvent.action == Finding.RENEWAL_LATE.value,
                ApplicationEvent.at >= clock.day_start(date(today.year, 1, 1)),
                ApplicationEvent.at < clock.day_start(date(today.year + 1, 1, 1)),
            )
            .group_by(Bank.name)
        ).all()
    )
    claims = dict(
        db.session.execute(
            select(Bank.name, func.count(BankClaim.id))
            .join(BankClaim, BankClaim.bank_id == Bank.id)
            .join(Application, BankClaim.application_id == Application.id)
            .where(Application.fund_id == fund_id, extract("year", BankClaim.claimed_on) == today.year)
            .group_by(Bank.name)
        ).all()
    )
    found = []
    for name in sorted(set(late) | set(claims)):
        parts = []
        if late.get(name):
            parts.append(f"{today.year} 年 {late[name]} 笔未按时续贷")
        if claims.get(name):
            parts.append(f"{today.year} 年承担清偿责任 {claims[name]} 笔")
        found.append(Warning(Risk.BANK_BREACHES, name, "；".join(parts)))
    return found

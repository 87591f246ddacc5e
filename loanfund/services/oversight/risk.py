"""The early-warning page (第二十条; R15): every warning the domain finds over the fund as it stands, each with its
reason and numbers. Reads only; the daily sweep records and notifies the conditions it shares with this page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import extract, func, select

from loanfund import clock
from loanfund.domain.lifecycle import MONEY_OUT_STATES, State
from loanfund.domain.money import Money
from loanfund.domain.warning import Risk, Thresholds, Warning, bridge_warnings, concentration, utilisation
from loanfund.domain.watch import Finding
from loanfund.extensions import db
from loanfund.models import Application, ApplicationEvent, Bank, BankClaim, BlacklistEntry, Enterprise, Fund
from loanfund.services.books import fund
from loanfund.services.oversight import settings
from loanfund.services.oversight.sweep import bridge_facts, bridges_out

# applications still being decided or with money out: whose enterprises the page looks at
OPEN_STATES = (
    State.SUBMITTED,
    State.ACCEPTED,
    State.BANK_COMMITTED,
    State.GROUP_REVIEW,
    State.APPROVED,
    *MONEY_OUT_STATES,
)


@dataclass
class RiskReport:
    day: date
    thresholds: Thresholds
    warnings: list[Warning] = field(default_factory=list)

    def by_risk(self) -> list[tuple[Risk, list[Warning]]]:
        return [(r, [w for w in self.warnings if w.risk is r]) for r in Risk if any(w.risk is r for w in self.warnings)]


def report(fund_id: int, today: date | None = None) -> RiskReport:
    """The fund's early warnings today. An enterprise's past (a late return, a blacklist entry) counts wherever it
    happened: another fund's entry is a warning here (DESIGN §7)."""
    today = today or clock.today()
    result = RiskReport(today, settings.thresholds(fund_id))
    out_by_enterprise: dict[str, Money] = {}
    out_by_bank: dict[str, Money] = {}
    total_out = Money.zero()
    for application in bridges_out(fund_id):
        policy, facts = bridge_facts(application, today)
        account = facts.account
        subject = f"{application.reference} {application.enterprise.name}"
        result.warnings += bridge_warnings(
            policy, facts, application.requested_days, today, result.thresholds, subject, application.id
        )
        out = account.principal_outstanding
        total_out += out
        name, bank = application.enterprise.name, application.bank.name
        out_by_enterprise[name] = out_by_enterprise.get(name, Money.zero()) + out
        out_by_bank[bank] = out_by_bank.get(bank, Money.zero()) + out
    result.warnings += _enterprise_history(fund_id)
    result.warnings += _bank_breaches(fund_id, today)
    result.warnings += concentration(out_by_enterprise, "企业", result.thresholds)
    result.warnings += concentration(out_by_bank, "合作银行", result.thresholds)
    position = fund.position(fund_id)
    result.warnings += utilisation(total_out, position.reserved, position.cash, result.thresholds)
    return result


def _enterprise_history(fund_id: int) -> list[Warning]:
    """Enterprises with an open application and a past: an earlier bridge that went overdue, or a blacklist entry on
    their credit code or on an enterprise with the same legal representative."""
    open_ones = db.session.execute(
        select(Enterprise.id, Enterprise.name, Enterprise.credit_code, Enterprise.legal_representative)
        .join(Application, Application.enterprise_id == Enterprise.id)
        .where(Application.fund_id == fund_id, Application.state.in_([s.value for s in OPEN_STATES]))
        .distinct()
    ).all()
    if not open_ones:
        return []
    late = dict(
        db.session.execute(
            select(Application.enterprise_id, func.count(func.distinct(Application.id)))
            .join(ApplicationEvent, ApplicationEvent.application_id == Application.id)
            .where(ApplicationEvent.action == Finding.OVERDUE.value)
            .group_by(Application.enterprise_id)
        ).all()
    )
    # every fund's confirmed entries: another fund's is a warning here, named with its fund (DESIGN §7)
    listed = db.session.execute(
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
        .where(BlacklistEntry.state == "confirmed")
    ).all()
    found = []
    for enterprise_id, name, code, representative in open_ones:
        reasons = []
        if late.get(enterprise_id):
            reasons.append(f"此前有 {late[enterprise_id]} 笔应急转贷逾期归还")
        for listed_code, reason, listed_on, listed_rep, listed_in, fund_name in listed:
            where = "" if listed_in == fund_id else f"{fund_name}的"
            if listed_code == code:
                reasons.append(f"曾于 {listed_on.isoformat()} 因“{reason}”列入{where}黑名单")
            elif representative and listed_rep == representative:
                reasons.append(
                    f"法定代表人{representative}名下另一企业（{listed_code}）曾因“{reason}”列入{where}黑名单"
                )
        if reasons:
            found.append(Warning(Risk.ENTERPRISE_HISTORY, name, "；".join(reasons)))
    return found


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

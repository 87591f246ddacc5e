"""Reconciliation of the special account: the books against themselves and against the applications.

Two forms (issue 14). ``reconcile()`` is the full recomputation — the command, run nightly, which records what it
found (``ReconciliationRun``); every check is an aggregate in the database that returns the differences only, so
its time and memory grow with the rows scanned, not with what it prints:
- the trial balance sums to zero; each line's running total equals its legs; every journal entry balances;
- the ledger's cash is not negative and equals the special account's running position;
- the reservations equal the amounts of the applications approved and not yet disbursed;
- each disbursed application's receivable equals its principal out (approved − returned; 0 once written off or
  moved to the bank's claim), and no receivable stands without a disbursement;
- each application's money back agrees three ways — the receipts, the confirm-return events and the return entries
  of the ledger (count, principal, fee) — and no transfer reference is booked twice on one application, so an edit
  that keeps the ledger balanced but not the receipts (or the reverse) is caught;
- the capital accounts equal the contributions recorded; the banks' claims equal what is registered.

``at_a_glance()`` is the page: the same checks from the running totals and the rows that are few (the bridges out,
reservations, contributions, bank claims) — the receivables line against the bridges out, each bridge out's
receivable against its principal out in SQL over their kept facts (``lifecycle.bridges``; the full run checks those
facts against the record) — in well under a second at a million applications, with the latest full run beside it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, String, and_, case, cast, exists, func, literal, or_, select, union
from sqlalchemy.orm import aliased, joinedload, subqueryload

from loanfund import clock
from loanfund.domain.ledger import (
    CASH,
    DISSOLUTION_KEY_PREFIX,
    FEE_INCOME,
    RECEIVABLES,
    RETURN_KEY_PREFIX,
    entry_kind,
)
from loanfund.domain.lifecycle import MONEY_OUT_STATES, RESERVING_STATES, Action
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import (
    Application,
    ApplicationEvent,
    BankClaim,
    BridgeOut,
    Contribution,
    JournalEntry,
    JournalLeg,
    LedgerAccount,
    LedgerDay,
    Receipt,
    ReconciliationRun,
)
from loanfund.services.books import fund, ledger, reserved
from loanfund.services.lifecycle import bridges
from loanfund.services.oversight import time_limits
from loanfund.services.reports import cohorts


@dataclass(frozen=True)
class Check:
    """One comparison; amounts are ``Money``, counts are ``int``."""

    name: str
    expected: Money | int
    actual: Money | int
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.expected == self.actual

    @staticmethod
    def show(value: Money | int) -> str:
        return value.format() if isinstance(value, Money) else str(value)


@dataclass(frozen=True)
class ReceivableLine:
    application_id: int
    reference: str
    enterprise: str
    state: str
    expected: Money
    booked: Money

    @property
    def ok(self) -> bool:
        return self.expected == self.booked


_ZERO = Money(0)  # immutable: one shared zero is a safe default


@dataclass(frozen=True)
class Received:
    """Money back on one application as one source tells it: how many transfers, principal, fee."""

    count: int = 0
    principal: Money = _ZERO
    fee: Money = _ZERO

    def plus(self, principal: Money, fee: Money, count: int = 1) -> Received:
        return Received(self.count + count, self.principal + principal, self.fee + fee)

    def show(self) -> str:
        return f"{self.count} 笔，本金 {self.principal.format()}，费用 {self.fee.format()}"


@dataclass(frozen=True)
class ReceiptLine:
    """An application whose receipts, events and ledger do not tell the same story (only those are listed)."""

    application_id: int
    receipts: Received
    events: Received
    ledger: Received

    @property
    def ok(self) -> bool:
        return self.receipts == self.events == self.ledger


@dataclass
class Reconciliation:
    """``receivables``: in the full form the differing lines only (``receivables_checked`` says how many were
    compared); at a glance every bridge out. ``receipts``: the applications whose money back differs."""

    checks: list[Check] = field(default_factory=list)
    receivables: list[ReceivableLine] = field(default_factory=list)
    receipts: list[ReceiptLine] = field(default_factory=list)
    trial_balance: list[ledger.AccountBalance] = field(default_factory=list)
    receivables_checked: int = 0

    @property
    def ok(self) -> bool:
        return (
            all(c.ok for c in self.checks) and all(r.ok for r in self.receivables) and all(r.ok for r in self.receipts)
        )


def _sum(column: Any) -> Any:
    return func.coalesce(func.sum(column), 0, type_=BigInteger())


def _ids(values: list[Any], shown: int = 20) -> str:
    text = "、".join(str(v) for v in values[:shown])
    return text + (f" 等 {len(values)} 项" if len(values) > shown else "")


def _common_checks(fund_id: int, result: Reconciliation) -> None:
    """The checks both forms make of a fund's books, each from few rows: the trial balance from the running totals,
    the position, reservations, contributions, bank claims."""
    of_fund = Application.fund_id == fund_id
    debits = sum((row.debit for row in result.trial_balance), Money.zero())
    credits = sum((row.credit for row in result.trial_balance), Money.zero())
    result.checks.append(Check("试算平衡（借方合计 = 贷方合计）", debits, credits))

    cash = ledger.balance(fund_id, CASH)
    position = fund.position(fund_id)
    result.checks.append(Check("专用账户资金（账簿）不为负", Money.zero(), min(cash, Money.zero())))
    result.checks.append(Check("专用账户资金：账簿 = 资金头寸", cash, position.cash))
    # fee income is credit-normal: what is left undistributed is never below nothing (R13: a distribution pays out
    # only income the journal holds — two runs paying the same income would take it below)
    undistributed = -ledger.balance(fund_id, FEE_INCOME)
    result.checks.append(
        Check("收益分配未超过已实现的费用收入（未分配收入不为负）", Money.zero(), min(undistributed, Money.zero()))
    )

    reserved = db.session.scalar(
        select(_sum(Application.approved_amount)).where(
            of_fund, Application.state.in_([s.value for s in RESERVING_STATES])
        )
    )
    result.checks.append(Check("已批准未放款的预留额度", Money(int(reserved or 0)), position.reserved))

    contributed = db.session.scalar(select(_sum(Contribution.amount)).where(Contribution.fund_id == fund_id))
    # capital returned when the fund was dissolved (第二十六条): the closing entry's debits to the capital accounts,
    # from the days' kept totals by kind of entry (the journal's every entry was read for its key: 34 ms at a million;
    # the full reconciliation checks those totals against the legs)
    returned = db.session.scalar(
        select(_sum(LedgerDay.debit)).where(
            LedgerDay.fund_id == fund_id,
            LedgerDay.kind == entry_kind(DISSOLUTION_KEY_PREFIX),
            LedgerDay.line.like("capital:%"),
        )
    )
    # equity: its balance is credit − debit
    capital = sum((row.balance for row in result.trial_balance if row.code.startswith("capital:")), Money.zero())
    result.checks.append(
        Check("出资：登记 − 解散返还 = 账簿", Money(int(contributed or 0) - int(returned or 0)), capital)
    )

    claimed = {
        int(row.code.split(":", 1)[1]): row.debit - row.credit
        for row in result.trial_balance
        if row.code.startswith("bank_claim:")
    }
    registered: dict[int, Money] = {}
    for claim in db.session.scalars(
        select(BankClaim)
        .join(Application, BankClaim.application_id == Application.id)
        .where(of_fund)
        .options(subqueryload(BankClaim.payments))
    ):
        registered[claim.bank_id] = registered.get(claim.bank_id, Money.zero()) + claim.outstanding
    zero = Money.zero()
    differ = sorted(b for b in set(claimed) | set(registered) if claimed.get(b, zero) != registered.get(b, zero))
    result.checks.append(
        Check(
            "合作银行清偿款：登记未清偿 = 账簿（不符的银行数）", 0, len(differ), "、".join(f"银行 #{b}" for b in differ)
        )
    )


SHOWN_LINES = 50  # the page lists the first differing lines of the bridges out


def at_a_glance(fund_id: int) -> Reconciliation:
    """The reconciliation page: the common checks; the receivables line against the principal of the bridges out
    (a closed bridge owes nothing, so the two must agree); each bridge out's receivable against its principal out,
    compared in SQL over the bridges' facts (``lifecycle.bridges``), the first differing lines only. Costs what the
    bridges out cost, not what the years have piled up — the full recomputation is ``reconcile()``, which also checks
    the facts against the record."""
    result = Reconciliation(trial_balance=ledger.trial_balance(fund_id))
    _common_checks(fund_id, result)
    account = aliased(LedgerAccount)
    net = (
        select(_sum(JournalLeg.debit) - _sum(JournalLeg.credit))
        .where(JournalLeg.account_id == account.id)
        .scalar_subquery()
    )
    booked = func.coalesce(net, 0)
    of_fund = BridgeOut.fund_id == fund_id
    differing = db.session.execute(
        select(Application, BridgeOut.principal_out, booked)
        .join(BridgeOut, Application.id == BridgeOut.application_id)
        .outerjoin(account, (account.fund_id == fund_id) & (account.code == _receivable_code(BridgeOut.application_id)))
        .where(of_fund, BridgeOut.principal_out != booked)
        .options(joinedload(Application.enterprise))
        .order_by(BridgeOut.application_id)
        .limit(SHOWN_LINES)
    ).all()
    result.receivables = [
        ReceivableLine(a.id, a.reference, a.enterprise.name, a.state, expected, Money(int(n)))
        for a, expected, n in differing
    ]
    count, principal = db.session.execute(select(func.count(), bridges.principal_sum()).where(of_fund)).one()
    result.receivables_checked = int(count)
    out = db.session.scalar(
        select(func.count())
        .select_from(Application)
        .where(Application.fund_id == fund_id, Application.state.in_([s.value for s in MONEY_OUT_STATES]))
    )
    result.checks.append(Check("在外转贷笔数：申请 = 在外转贷台账", int(out or 0), int(count)))
    result.checks.append(
        Check(
            "应收应急转贷资金合计：账簿 = 在外转贷本金",
            Money(int(principal)),
            ledger.line_balance(fund_id, RECEIVABLES),
        )
    )
    return result


def reconcile(fund_id: int) -> Reconciliation:
    """The full recomputation of a fund's books (the command, nightly): every check against the legs and every
    application."""
    result = Reconciliation(trial_balance=ledger.trial_balance(fund_id))
    _common_checks(fund_id, result)

    kept = {row.code: (row.debit, row.credit) for row in result.trial_balance}
    summed = ledger.totals_from_legs(fund_id)
    zero = (Money.zero(), Money.zero())
    drifted = sorted(line for line in set(kept) | set(summed) if kept.get(line, zero) != summed.get(line, zero))
    result.checks.append(Check("科目累计额 = 分录合计（不符的科目数）", 0, len(drifted), _ids(drifted)))
    days = ledger.day_differences(fund_id)
    result.checks.append(Check("每日科目发生额 = 分录合计（不符的日、科目数）", 0, len(days), _ids(days)))

    unbalanced = (
        db.session.execute(
            select(JournalLeg.entry_id)
            .where(JournalLeg.fund_id == fund_id)
            .group_by(JournalLeg.entry_id)
            .having(_sum(JournalLeg.debit) != _sum(JournalLeg.credit))
        )
        .scalars()
        .all()
    )
    result.checks.append(Check("借贷不平的分录笔数", 0, len(unbalanced), _ids(list(unbalanced))))

    result.receipts = receipt_differences(fund_id)
    result.checks.append(
        Check(
            "收回登记、收回事件与账簿逐笔一致（不符的申请笔数）",
            0,
            len(result.receipts),
            _ids([f"#{line.application_id}" for line in result.receipts]),
        )
    )
    twice = db.session.execute(
        select(Receipt.application_id, Receipt.transfer_ref)
        .join(Application, Receipt.application_id == Application.id)
        .where(Application.fund_id == fund_id)
        .group_by(Receipt.application_id, Receipt.transfer_ref)
        .having(func.count() > 1)
    ).all()
    result.checks.append(Check("同一划款凭证号重复登记的笔数", 0, len(twice), _ids([f"#{a} {r}" for a, r in twice])))

    # one bank transfer settles one bridge (issue 25): a reference of a bank on receipts of two applications — read
    # from every receipt of the years, so the nightly run's (the database refuses a second booking of a reference:
    # transfer_references, 0030)
    shared = (
        select(Application.bank_id, Receipt.transfer_ref)
        .join(Application, Receipt.application_id == Application.id)
        .where(Application.fund_id == fund_id)
        .group_by(Application.bank_id, Receipt.transfer_ref)
        .having(func.count(func.distinct(Receipt.application_id)) > 1)
    )
    twins = db.session.execute(shared).all()
    result.checks.append(
        Check(
            "同一银行的划款凭证号只用于一笔应急转贷",
            0,
            len(twins),
            "；".join(f"{ref}" for _, ref in twins[:20]),
        )
    )

    result.receivables, result.receivables_checked = receivable_differences(fund_id)
    held = reserved.differences(fund_id)
    result.checks.append(Check("每日预留与释放 = 审批与放款记录（不符的日数）", 0, len(held), _ids(held)))
    moved = cohorts.differences(fund_id)
    result.checks.append(Check("报表分类累计 = 申请与流转记录（不符的行数）", 0, len(moved), _ids(moved)))
    facts = bridges.differences(fund_id)
    result.checks.append(Check("在外转贷台账 = 申请、收回与清偿记录（不符的笔数）", 0, len(facts), _ids(facts)))
    timed = time_limits.differences(fund_id)
    result.checks.append(Check("办理时限记录 = 申请流转记录（不符的环节数）", 0, len(timed), _ids(timed)))
    return result


def _receivable_code(application_id: Any) -> Any:
    return literal(f"{RECEIVABLES}:") + cast(application_id, String)


def receivable_differences(fund_id: int) -> tuple[list[ReceivableLine], int]:
    """Each disbursed application's receivable against its principal out, in the database: the lines that differ
    (with any receivable that has no disbursement behind it), and how many applications were compared. Each side is
    found by an index from the other — the account by its code, the legs and receipts by their foreign keys — for
    SQLite, which joined two grouped subqueries on a computed code row by row (it had not finished in ten minutes
    at a million applications)."""
    account = aliased(LedgerAccount)
    net = (
        select(_sum(JournalLeg.debit) - _sum(JournalLeg.credit))
        .where(JournalLeg.account_id == account.id)
        .scalar_subquery()
    )
    returned = select(_sum(Receipt.principal)).where(Receipt.application_id == Application.id).scalar_subquery()
    claimed = exists().where(BankClaim.application_id == Application.id)
    expected = case(
        (or_(Application.written_off_on.is_not(None), claimed), literal(0, BigInteger())),
        else_=Application.approved_amount - returned,
    )
    booked = func.coalesce(net, 0)
    disbursed = Application.authorised_at.is_not(None) & (Application.fund_id == fund_id)
    rows = db.session.execute(
        select(Application.id, expected, booked)
        .outerjoin(
            account, (account.fund_id == Application.fund_id) & (account.code == _receivable_code(Application.id))
        )
        .where(disbursed, expected != booked)
        .order_by(Application.id)
    ).all()
    checked = db.session.scalar(select(func.count()).select_from(Application).where(disbursed)) or 0
    found = {int(a): (Money(int(e)), Money(int(n))) for a, e, n in rows}
    applications = {
        a.id: a
        for a in db.session.scalars(
            select(Application).where(Application.id.in_(found)).options(joinedload(Application.enterprise))
        )
    }
    lines = [
        ReceivableLine(a, applications[a].reference, applications[a].enterprise.name, applications[a].state, e, n)
        for a, (e, n) in found.items()
    ]
    number = cast(func.substr(account.code, len(RECEIVABLES) + 2), Integer())
    behind = exists().where(Application.id == number, disbursed)
    for code, amount in db.session.execute(
        select(account.code, booked).where(
            account.fund_id == fund_id, account.code.like(f"{RECEIVABLES}:%"), booked != 0, ~behind
        )
    ):
        orphan = int(code.split(":", 1)[1])  # a receivable with no disbursed application behind it
        lines.append(ReceivableLine(orphan, f"#{orphan}", "（无对应放款）", "—", Money.zero(), Money(int(amount))))
    return lines, int(checked)


def _fen(text: Any) -> Any:
    """An amount the events store as text ("1234.50", ``Money.plain``) as whole fen, in SQL."""
    return cast(func.replace(text, ".", ""), BigInteger())


def receipt_differences(fund_id: int) -> list[ReceiptLine]:
    """Per application, money back as the receipts, the confirm-return events and the ledger's return entries each
    record it; the applications where the three differ — compared in the database, only those come back."""
    by_receipts = (
        select(
            Receipt.application_id.label("id"),
            func.count().label("n"),
            _sum(Receipt.principal).label("principal"),
            _sum(Receipt.fee).label("fee"),
        )
        .join(Application, Receipt.application_id == Application.id)
        .where(Application.fund_id == fund_id)
        .group_by(Receipt.application_id)
        .subquery()
    )
    returned = ApplicationEvent.action == Action.CONFIRM_RETURN.value
    by_events = (
        select(
            ApplicationEvent.application_id.label("id"),
            func.count().label("n"),
            _sum(_fen(ApplicationEvent.payload["principal"].as_string())).label("principal"),
            _sum(_fen(ApplicationEvent.payload["fee"].as_string())).label("fee"),
        )
        .join(Application, ApplicationEvent.application_id == Application.id)
        .where(returned, Application.fund_id == fund_id)
        .group_by(ApplicationEvent.application_id)
        .subquery()
    )
    returns = JournalEntry.key.like(f"{RETURN_KEY_PREFIX}%") & (JournalEntry.fund_id == fund_id)
    entries = (
        select(JournalEntry.application_id.label("id"), func.count().label("n"))
        .where(returns)
        .group_by(JournalEntry.application_id)
        .subquery()
    )
    is_fee = LedgerAccount.code == FEE_INCOME
    amounts = (
        select(
            JournalEntry.application_id.label("id"),
            _sum(case((is_fee, literal(0, BigInteger())), else_=JournalLeg.credit)).label("principal"),
            _sum(case((is_fee, JournalLeg.credit), else_=literal(0, BigInteger()))).label("fee"),
        )
        .join(JournalLeg, JournalLeg.entry_id == JournalEntry.id)
        .join(LedgerAccount, JournalLeg.account_id == LedgerAccount.id)
        .where(returns, JournalLeg.credit > Money.zero())
        .group_by(JournalEntry.application_id)
        .subquery()
    )
    ids = union(select(by_receipts.c.id), select(by_events.c.id), select(entries.c.id), select(amounts.c.id)).subquery()
    columns = []
    for source in (by_receipts, by_events, entries, amounts):
        for name in ("n", "principal", "fee"):
            if name in source.c:
                columns.append(func.coalesce(source.c[name], 0))
    r_n, r_p, r_f, e_n, e_p, e_f, l_n, l_p, l_f = columns
    same = and_(r_n == e_n, e_n == l_n, r_p == e_p, e_p == l_p, r_f == e_f, e_f == l_f)
    rows = db.session.execute(
        select(ids.c.id, *columns)
        .outerjoin(by_receipts, by_receipts.c.id == ids.c.id)
        .outerjoin(by_events, by_events.c.id == ids.c.id)
        .outerjoin(entries, entries.c.id == ids.c.id)
        .outerjoin(amounts, amounts.c.id == ids.c.id)
        .where(~same)
        .order_by(ids.c.id)
    ).all()
    return [
        ReceiptLine(
            int(a),
            Received(int(rn), Money(int(rp)), Money(int(rf))),
            Received(int(en), Money(int(ep)), Money(int(ef))),
            Received(int(ln), Money(int(lp)), Money(int(lf))),
        )
        for a, rn, rp, rf, en, ep, ef, ln, lp, lf in rows
    ]


RECORDED_LINES = 200  # a run keeps its first differences; the command prints them all


def record_run(fund_id: int, result: Reconciliation, started: datetime, milliseconds: int) -> ReconciliationRun:
    """Keep what a full run of a fund's books found, for its reconciliation page (committed by the caller)."""
    differences = sum(not c.ok for c in result.checks) + sum(not r.ok for r in result.receivables)
    run = ReconciliationRun(
        fund_id=fund_id,
        started_at=started,
        milliseconds=milliseconds,
        ok=result.ok,
        differences=differences,
        findings={
            "checks": [
                {
                    "name": c.name,
                    "expected": c.show(c.expected),
                    "actual": c.show(c.actual),
                    "detail": c.detail,
                    "ok": c.ok,
                }
                for c in result.checks
            ],
            "receivables_checked": result.receivables_checked,
            "receivables": [
                {
                    "id": r.application_id,
                    "reference": r.reference,
                    "enterprise": r.enterprise,
                    "expected": r.expected.format(),
                    "booked": r.booked.format(),
                }
                for r in result.receivables[:RECORDED_LINES]
            ],
        },
    )
    db.session.add(run)
    return run


def run_and_record(fund_id: int) -> tuple[Reconciliation, ReconciliationRun]:
    """The full reconciliation of a fund's books, timed and recorded (the command's work, for each fund)."""
    started, began = clock.utcnow(), time.perf_counter()
    result = reconcile(fund_id)
    run = record_run(fund_id, result, started, round((time.perf_counter() - began) * 1000))
    db.session.commit()
    return result, run


def latest_run(fund_id: int) -> ReconciliationRun | None:
    return db.session.scalar(
        select(ReconciliationRun)
        .where(ReconciliationRun.fund_id == fund_id)
        .order_by(ReconciliationRun.id.desc())
        .limit(1)
    )

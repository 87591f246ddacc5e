"""What the leading group and the reviewer read (第六、二十一条; DESIGN §6): the fund's use over a period, from the
ledger and the events. One service for the monthly analysis, the statistics page, the exports and the API.

Money figures come from the journal (what went out, what came back, fee income), so they agree with the books to the
fen; counts and breakdowns come from the applications and their events. A report is a plain value (``Report``) that
turns into JSON and back, so a submitted month is kept exactly as it was read (``monthly.py``).

The number of queries does not depend on the number of applications: every figure is an aggregate, and the rows
loaded (the overdue list, the reservations of the period) are only those the period touches.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import BigInteger, and_, case, func, literal, or_, select, type_coerce, union_all
from sqlalchemy.orm import joinedload, selectinload

from loanfund import clock, sql
from loanfund.clock import cn_day
from loanfund.domain.eligibility import INDUSTRIES, Size
from loanfund.domain.errors import FieldErrors
from loanfund.domain.ledger import (
    CASH,
    DISBURSEMENT_KEY_PREFIX,
    DISTRIBUTION_KEY_PREFIX,
    FEE_INCOME,
    RECEIVABLES,
    RETURN_KEY_PREFIX,
    entry_kind,
)
from loanfund.domain.lifecycle import NOT_RENEWED_STATES, State
from loanfund.domain.money import Money
from loanfund.domain.policy import LoanType, Policy
from loanfund.domain.rules import due_date
from loanfund.domain.time_limits import Timeliness
from loanfund.domain.warning import share
from loanfund.domain.watch import renewal_deadline
from loanfund.extensions import db
from loanfund.models import (
    Application,
    Bank,
    BankClaim,
    Enterprise,
    Fund,
    JournalEntry,
    JournalLeg,
    LedgerAccount,
    LedgerDay,
    PolicyVersion,
    RecoveryRecord,
)
from loanfund.services.books import bank_statement, fund, ledger, reserved
from loanfund.services.funds import district_names
from loanfund.services.oversight import time_limits
from loanfund.services.reports import cohorts

RECEIVABLE_LIKE = "receivable:%"
# the kinds of entry a period's money is told by (``domain.ledger.entry_kind`` of their keys)
DISBURSEMENT_KIND = entry_kind(DISBURSEMENT_KEY_PREFIX)
RETURN_KIND = entry_kind(RETURN_KEY_PREFIX)
DISTRIBUTION_KIND = entry_kind(DISTRIBUTION_KEY_PREFIX)

# a page lists the first lines of a long overdue list (the oldest value dates) and of each bank's late renewals; its
# 全部 (``?lines=all``), the .xlsx, the API and a filed revision every line
OVERDUE_SHOWN = 50
LATE_SHOWN = 20

# the policy form allows a bank at most 30 days to renew (R9): deadlines in a period lie within 30 days of a value date
RENEWAL_SLA_MAX_DAYS = 30

# money columns as plain integers of fen inside aggregates and comparisons
DEBIT = type_coerce(JournalLeg.debit, BigInteger())
CREDIT = type_coerce(JournalLeg.credit, BigInteger())


DIMENSIONS = (
    ("state", "按状态"),
    ("bank", "按合作银行"),
    ("district", "按县区"),
    ("size", "按企业规模"),
    ("industry", "按行业"),
    ("loan_type", "按贷款种类"),
)


_ZERO = Money(0)  # Money is immutable: one shared zero is safe as a default

# -- the report as a value ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One row of a breakdown: applications submitted in the period and bridges disbursed in it."""

    key: str
    label: str
    submitted: int = 0
    requested: Money = _ZERO
    disbursed_count: int = 0
    disbursed: Money = _ZERO


@dataclass(frozen=True)
class Breakdown:
    key: str
    title: str
    lines: list[Line]

    @property
    def total(self) -> Line:
        return Line(
            "total",
            "合计",
            sum(line.submitted for line in self.lines),
            sum((line.requested for line in self.lines), Money(0)),
            sum(line.disbursed_count for line in self.lines),
            sum((line.disbursed for line in self.lines), Money(0)),
        )


@dataclass(frozen=True)
class Summary:
    """The headline figures of a period (also those compared with the previous month and the year before)."""

    start: date
    end: date
    submitted: int = 0
    requested: Money = _ZERO
    bridges: int = 0  # disbursements in the period
    disbursed: Money = _ZERO  # money out: debits to the receivables (ledger)
    returned: Money = _ZERO  # principal back into the special account (ledger)
    fee_income: Money = _ZERO  # fee income earned: credits less debits to fee income, distributions aside (ledger)
    closed: int = 0  # bridges whose money came back in the period
    days_total: int = 0  # R2 days used of those bridges
    days_longest: int = 0
    fee_distributed: Money = _ZERO  # fee income paid over to taxes, losses and contributors by distributions (R13)

    @property
    def days_average(self) -> Decimal:
        if not self.closed:
            return Decimal(0)
        return (Decimal(self.days_total) / Decimal(self.closed)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Day:
    """The special account at the end of a day: cash in it, reserved for approvals, money out (receivables)."""

    day: date
    cash: Money
    reserved: Money
    out: Money

    @property
    def utilisation(self) -> Decimal:
        """Money out and reserved over the whole fund (cash plus money out), in per cent (as the early warning)."""
        return share(self.out + self.reserved, self.cash + self.out)


@dataclass(frozen=True)
class Overdue:
    application_id: int
    reference: str
    enterprise: str
    bank: str
    value_date: date
    due: date
    days_overdue: int
    outstanding: Money  # not yet back: the bridge's principal, or — once its bank is liable (R12) — what the bank owes
    state: str
    cause: str = ""
    plan: str = ""
    steps: list[str] = field(default_factory=list)
    claim: str = ""  # the claim on the bank (R12), what it has paid and what it still owes


@dataclass(frozen=True)
class Breach:
    """A cooperating bank that failed its part in the period: R9 renewals late, R12 claims recorded."""

    bank: str
    renewals_late: list[str] = field(default_factory=list)  # "ZD202600012（起息 11月3日，最迟 11月5日，11月7日续贷）"
    claims: list[str] = field(default_factory=list)
    claimed: Money = _ZERO
    late_count: int | None = None  # every late renewal, where a page's report lists only the first (``lines``)

    @property
    def late_number(self) -> int:
        return len(self.renewals_late) if self.late_count is None else self.late_count

    @property
    def late_first(self) -> list[str]:
        return self.renewals_late[:LATE_SHOWN]


@dataclass(frozen=True)
class BankCheck:
    """The special account against the bank's statements over the days of the period they cover (issue 29;
    第十一条 封闭运行): the money in and out on each side, what is not matched, each day still apart, and the
    balances at the last day covered."""

    period_days: int
    covered_days: int
    reconciled_days: int
    bank_in: Money
    bank_out: Money
    books_in: Money
    books_out: Money
    unmatched_lines: int
    unmatched_movements: int
    closing_day: date
    bank_closing: Money | None
    books_closing: Money
    apart: list[str] = field(default_factory=list)  # "2026-11-14：银行 1 笔、账面 1 笔未对账；余额相差 -100.00 元"

    @property
    def difference(self) -> Money | None:
        return None if self.bank_closing is None else self.bank_closing - self.books_closing


@dataclass(frozen=True)
class Report:
    fund_name: str
    start: date
    end: date
    made_at: datetime
    summary: Summary
    previous: Summary  # the period before, of the same length (for a month: the month before)
    last_year: Summary  # the same period a year earlier
    breakdowns: list[Breakdown]
    days: list[Day]
    overdue: list[Overdue]
    breaches: list[Breach]
    as_of: date | None = None  # a period not yet ended is reported up to this day (today), as things stand; else None
    # a page's report (``lines``) lists the first overdue lines only; these are then of every one of them
    overdue_count: int | None = None
    overdue_owed: Money | None = None
    # the bank's statements against the books (None: no statement covers the period, or a revision filed before)
    bank: BankCheck | None = None
    # 办理时限 (issue 30): each stage's time by party, application to money out, the stages over their limit
    timeliness: Timeliness | None = None

    @property
    def is_month(self) -> bool:
        return self.start.day == 1 and self.end == self.start + relativedelta(months=1, days=-1)

    @property
    def title(self) -> str:
        if self.is_month:
            return f"{self.start.year}年{self.start.month}月"
        return f"{cn_day(self.start)}至{cn_day(self.end)}"

    @property
    def through(self) -> date:
        """The last day the figures cover: the period's end, or today for a period not yet ended."""
        return self.as_of or self.end

    @property
    def overdue_number(self) -> int:
        """How many bridges the overdue list has, all of them (a page's report lists the first)."""
        return len(self.overdue) if self.overdue_count is None else self.overdue_count

    @property
    def overdue_total(self) -> Money:
        """What the overdue list has not got back, all its lines together."""
        if self.overdue_owed is not None:
            return self.overdue_owed
        return sum((o.outstanding for o in self.overdue), Money.zero())

    @property
    def overdue_first(self) -> list[Overdue]:
        return self.overdue[:OVERDUE_SHOWN]

    def breakdown(self, key: str) -> Breakdown:
        return next(b for b in self.breakdowns if b.key == key)

    def to_json(self) -> dict[str, Any]:
        return typing.cast(dict[str, Any], _encode(self))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        return typing.cast(Report, _decode(cls, data))


EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)  # the years a report may cover (comparisons reach back one)
LONGEST_PERIOD_DAYS = 731  # two years: the day-by-day table stays readable


def check_period(start: date, end: date) -> None:
    """:raise InvalidInput: a period the wrong way round, longer than two years, or outside 2000–2100."""
    errors = FieldErrors()
    for name, day in (("start", start), ("end", end)):
        if not EARLIEST <= day <= LATEST:
            errors.add(name, "日期须在 2000年1月1日至2100年12月31日之间")
    if not errors.errors:
        if end < start:
            errors.add("end", "截止日不能早于起始日")
        elif (end - start).days >= LONGEST_PERIOD_DAYS:
            errors.add("end", "统计区间最长两年，请分段统计")
    errors.raise_if_any()


def month_period(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    return start, start + relativedelta(months=1, days=-1)


# -- building it --------------------------------------------------------------------------------------------------


def report(of: Fund, start: date, end: date, *, page: bool = False) -> Report:
    """The fund's use from ``start`` to ``end`` (the fund's days, both included). A period that has not ended yet is
    reported up to today, as things stand today: nothing is shown overdue, late or counted for a day still to come,
    and it is compared with the same days of the period before and of the year before.

    ``page``: a page's report — the first ``OVERDUE_SHOWN`` overdue bridges and ``LATE_SHOWN`` late renewals of each
    bank, with how many there are and what is owed on all of them (at a million applications, thousands of lines a
    page does not show). Otherwise every line: the document that is filed, exported and answered by the API.

    :raise InvalidInput: the period is not one a report covers (``check_period``)."""
    check_period(start, end)
    today = clock.today()
    ended = end < today
    through = end if ended else max(today, start)
    begun = start <= today  # a period wholly ahead has nothing to show yet
    if start.day == 1 and (end + timedelta(days=1)).day == 1:
        length = relativedelta(end + timedelta(days=1), start)
        previous_start = start - length
        previous_end = start - timedelta(days=1) if ended else min(through - length, start - timedelta(days=1))
    else:
        span = (end - start).days + 1
        previous_start = start - timedelta(days=span)
        previous_end = through - timedelta(days=span)
    a_year = relativedelta(years=1)
    previous = summary(of.id, previous_start, previous_end)
    # a year's period before is the same days as a year earlier: summed once
    a_year_before = (start - a_year, through - a_year)
    last_year = previous if (previous_start, previous_end) == a_year_before else summary(of.id, *a_year_before)
    lines, late = (OVERDUE_SHOWN, LATE_SHOWN) if page else (None, None)
    overdue_lines, overdue_count, owed = overdue(of.id, through, lines) if begun else ([], 0, Money.zero())
    return Report(
        fund_name=of.name,
        start=start,
        end=end,
        made_at=clock.utcnow().replace(microsecond=0),
        summary=summary(of.id, start, through),
        previous=previous,
        last_year=last_year,
        breakdowns=breakdowns(of.id, start, through),
        days=daily(of.id, start, through) if begun else [],
        overdue=overdue_lines,
        breaches=breaches(of.id, start, through, day_ended=ended, lines=late) if begun else [],
        as_of=None if ended else through,
        overdue_count=overdue_count if page else None,
        overdue_owed=owed if page else None,
        bank=bank_check(of.id, start, through) if begun else None,
        timeliness=time_limits.report(of.id, start, through, lines=time_limits.LATE_SHOWN if page else None)
        if begun
        else None,
    )


def bank_check(fund_id: int, start: date, through: date) -> BankCheck | None:
    """The period's days the imported statements cover, bank against books (``bank_statement.day_figures``)."""
    days = bank_statement.day_figures(fund_id, bank_statement.covered_days(fund_id, start, through))
    if not days:
        return None
    apart = []
    for day in days:
        if day.reconciled:
            continue
        parts = []
        if day.unmatched_lines or day.unmatched_movements:
            parts.append(f"银行 {day.unmatched_lines} 笔、账面 {day.unmatched_movements} 笔未对账")
        if day.difference is not None and day.difference.fen:
            parts.append(f"日终余额相差 {day.difference.format()} 元")
        apart.append(f"{day.day.isoformat()}：{'；'.join(parts)}")
    last = days[-1]
    return BankCheck(
        period_days=(through - start).days + 1,
        covered_days=len(days),
        reconciled_days=sum(1 for d in days if d.reconciled),
        bank_in=sum((d.bank_in for d in days), Money.zero()),
        bank_out=sum((d.bank_out for d in days), Money.zero()),
        books_in=sum((d.books_in for d in days), Money.zero()),
        books_out=sum((d.books_out for d in days), Money.zero()),
        unmatched_lines=sum(d.unmatched_lines for d in days),
        unmatched_movements=sum(d.unmatched_movements for d in days),
        closing_day=last.day,
        bank_closing=last.bank_closing,
        books_closing=last.books_closing,
        apart=apart,
    )


def _fen(value: Any) -> Money:
    return Money(int(value or 0))


def summary(fund_id: int, start: date, end: date) -> Summary:
    """The fund's figures for the period (its own applications and books)."""
    submitted, requested = cohorts.submitted(fund_id, start, end)
    bridges = disbursed = returned = fee_in = fee_out = fee_distributed = 0
    # the money from the days' kept totals by line and kind of entry (``LedgerDay``): a few rows a day of the period
    for line, kind, debit, credit, entries in db.session.execute(
        select(LedgerDay.line, LedgerDay.kind, _day_sum(LedgerDay.debit), _day_sum(LedgerDay.credit))
        .add_columns(func.sum(LedgerDay.entries))
        .where(
            LedgerDay.fund_id == fund_id,
            LedgerDay.day >= start,
            LedgerDay.day <= end,
            LedgerDay.line.in_([RECEIVABLES, FEE_INCOME]),
        )
        .group_by(LedgerDay.line, LedgerDay.kind)
    ):
        debit, credit = int(debit), int(credit)
        if line == RECEIVABLES:
            disbursed += debit  # money out: debits to the receivables
            if kind == DISBURSEMENT_KIND:
                bridges += int(entries)  # one disbursement entry a bridge
            if kind == RETURN_KIND:
                returned += credit  # principal back into the special account (a write-off or a claim is not)
        elif kind == DISTRIBUTION_KIND:
            fee_distributed += debit - credit  # income paid over by distributions (R13)
        else:
            fee_in, fee_out = fee_in + credit, fee_out + debit
    closed, days_total, days_longest = cohorts.closed_days(fund_id, start, end)  # kept by each return (R2)
    return Summary(
        start,
        end,
        submitted=int(submitted),
        requested=_fen(requested),
        bridges=int(bridges),
        disbursed=_fen(disbursed),
        returned=_fen(returned),
        fee_income=_fen(fee_in) - _fen(fee_out),
        closed=int(closed),
        days_total=int(days_total),
        days_longest=int(days_longest),
        fee_distributed=_fen(fee_distributed),
    )


def _label(dimension: str, key: str, banks: dict[str, str], districts: dict[str, str]) -> str:
    if dimension == "state":
        return State(key).label
    if dimension == "bank":
        return banks.get(key, key)
    if dimension == "district":
        return districts.get(key, key)
    if dimension == "size":
        return Size(key).label + "企业"
    if dimension == "loan_type":
        return LoanType(key).label if key in LoanType.__members__.values() else key
    return INDUSTRIES[key].name if key in INDUSTRIES else key


def _order(dimension: str, districts: dict[str, str]) -> list[str]:
    """The order rows are shown in (every value, so an empty row still shows as 0)."""
    if dimension == "state":
        return [s.value for s in State]
    if dimension == "district":
        return list(districts)
    if dimension == "size":
        return [s.value for s in Size]
    if dimension == "industry":
        return list(INDUSTRIES)
    if dimension == "loan_type":
        return [t.value for t in LoanType]
    return []


def breakdowns(fund_id: int, start: date, end: date) -> list[Breakdown]:
    """Applications submitted in the period, by their state at its end and by bank, district, size, industry and the
    kind of loan renewed; beside them the bridges disbursed in the period (amounts from the ledger), by the same six —
    so every table counts the same bridges out."""
    # from the kept totals of each day's cohorts (``cohorts``): a few rows a day of the period, whatever the years
    submitted = cohorts.totals(fund_id, cohorts.SUBMITTED, start, end)
    disbursed = cohorts.totals(fund_id, cohorts.DISBURSED, start, end)
    # the fund's own banks, each a row even when it lent nothing (another fund's banks are not this fund's to list)
    own_banks = select(Bank.id, Bank.name).where(Bank.fund_id == fund_id).order_by(Bank.id)
    banks = {str(bank_id): name for bank_id, name in db.session.execute(own_banks)}
    districts = district_names()
    tallies: dict[str, dict[str, list[int]]] = {key: defaultdict(lambda: [0, 0, 0, 0]) for key, _ in DIMENSIONS}

    for (dimension, key), (count, amount) in submitted.items():
        tallies[dimension][key][0] += count
        tallies[dimension][key][1] += amount
    for (dimension, key), (count, amount) in disbursed.items():
        tallies[dimension][key][2] += count
        tallies[dimension][key][3] += amount
    result = []
    for dimension, title in DIMENSIONS:
        order = _order(dimension, districts) or list(banks)
        shown = order + sorted(k for k in tallies[dimension] if k not in order)
        lines = [
            Line(key, _label(dimension, key, banks, districts), n, Money(requested), d, Money(out))
            for key in shown
            for n, requested, d, out in [tallies[dimension].get(key, [0, 0, 0, 0])]
            if dimension in ("bank", "size") or n or d
        ]
        result.append(Breakdown(dimension, title, lines))
    return result


def daily(fund_id: int, start: date, end: date) -> list[Day]:
    """The fund's cash, reservations and money out at the end of each day of the period: the lines' running totals
    less the days' kept totals since the period began (``LedgerDay``) — a few rows a day, whatever the years."""
    moves: dict[tuple[str, date], int] = {}
    since = {CASH: 0, RECEIVABLES: 0}
    for line, day, net in db.session.execute(
        select(LedgerDay.line, LedgerDay.day, _day_sum(LedgerDay.debit) - _day_sum(LedgerDay.credit))
        .where(LedgerDay.fund_id == fund_id, LedgerDay.day >= start, LedgerDay.line.in_([CASH, RECEIVABLES]))
        .group_by(LedgerDay.line, LedgerDay.day)
    ):
        since[line] += int(net)
        if day <= end:
            moves[(line, day)] = int(net)
    # the special account's position now (the ledger's running total, which the reconciliation checks against the
    # legs) and the receivables line now, less what moved since the period began
    cash = fund.position(fund_id).cash.fen - since[CASH]
    out = ledger.line_balance(fund_id, RECEIVABLES).fen - since[RECEIVABLES]
    reserved_moves = reserved.moves(fund_id, start, end)  # kept a row a day by the position's own moves
    days = []
    held = reserved_moves.pop(None, 0)
    day = start
    while day <= end:
        cash += moves.get((CASH, day), 0)
        out += moves.get((RECEIVABLES, day), 0)
        held += reserved_moves.get(day, 0)
        days.append(Day(day, Money(cash), Money(held), Money(out)))
        day += timedelta(days=1)
    return days


def _day_sum(column: Any) -> Any:
    return func.coalesce(func.sum(type_coerce(column, BigInteger())), 0)


def overdue(fund_id: int, end: date, lines: int | None = None) -> tuple[list[Overdue], int, Money]:
    """Bridges whose debt was not settled at the end of ``end`` (or today, as things stand) and past their R4 due date
    then, with the cause, the recovery plan and the steps taken by then. A bridge stays on the list until its debt is
    settled, whoever owes it: once its bank is liable (R12) the bridge's own receivable is nothing, and the line shows
    the claim and what the bank still owes.

    Columns, not objects, and the ids past their due date sent as one list (``sql.among``): at a million
    applications the list is thousands of lines. ``lines``: the first so many (oldest value date first) with their
    details; the count and the amount owed are of them all."""
    policies = _versions(fund_id)
    # a bridge can be overdue at the end only if it went out more than the shortest R4 limit of any policy before
    shortest = min((p.max_days for p in policies.values()), default=0)
    gone_before, after = Application.value_date < end - timedelta(days=shortest), end + timedelta(days=1)
    went_out: dict[int, date] = {}
    due_of: dict[int, date] = {}
    for application_id, value_date, version_id in db.session.execute(
        union_all(  # out at the end: not back yet (the partial index alone), or back only after it
            *(
                select(Application.id, Application.value_date, Application.policy_version_id).where(
                    Application.fund_id == fund_id, gone_before, back
                )
                # back after it: a bounded range, which SQLite without a histogram reads from the (fund, return day)
                # index rather than from the value dates' (every bridge before the end: 340 ms at a million)
                for back in (Application.received_on.is_(None), Application.received_on.between(after, LATEST))
            )
        )
    ):
        assert value_date is not None and version_id is not None  # disbursed: approved under a version (R14)
        due = due_date(policies[version_id], value_date)
        if end > due:
            went_out[application_id], due_of[application_id] = value_date, due
    outstanding: dict[int, int] = {
        int(application_id or 0): int(fen)
        for application_id, fen in db.session.execute(
            select(JournalEntry.application_id, func.sum(DEBIT - CREDIT))
            .join(JournalLeg, JournalLeg.entry_id == JournalEntry.id)
            .join(LedgerAccount, JournalLeg.account_id == LedgerAccount.id)
            .where(
                sql.among(JournalEntry.application_id, due_of),
                LedgerAccount.code.like(RECEIVABLE_LIKE),
                JournalEntry.posted_on <= end,
            )
            .group_by(JournalEntry.application_id)
            .having(func.sum(DEBIT - CREDIT) > 0)
        )
    }
    claim_text: dict[int, str] = {}
    owed_by_bank: dict[int, Money] = {}
    for claim in db.session.scalars(
        select(BankClaim)
        .where(sql.among(BankClaim.application_id, due_of), BankClaim.claimed_on <= end)
        .options(selectinload(BankClaim.payments), joinedload(BankClaim.bank))
    ):
        paid = sum((p.amount for p in claim.payments if p.paid_on <= end), Money.zero())
        if claim.amount > paid:
            owed_by_bank[claim.application_id] = owed = claim.amount - paid
            claim_text[claim.application_id] = (
                f"{cn_day(claim.claimed_on)}认定{claim.bank.name}承担清偿责任 {claim.amount.format()} 元，"
                f"已清偿 {paid.format()} 元，尚欠 {owed.format()} 元"
            )
    unsettled = sorted(set(outstanding) | set(owed_by_bank), key=lambda i: (went_out[i], i))  # the list's order
    owed = sum((Money(outstanding.get(i, 0)) + owed_by_bank.get(i, _ZERO) for i in unsettled), Money.zero())
    count = len(unsettled)
    if lines is not None:
        unsettled = unsettled[:lines]
    causes: dict[int, list[str]] = defaultdict(list)
    steps: dict[int, list[str]] = defaultdict(list)
    for application_id, kind, taken_on, text in db.session.execute(
        select(RecoveryRecord.application_id, RecoveryRecord.kind, RecoveryRecord.taken_on, RecoveryRecord.text)
        .where(sql.among(RecoveryRecord.application_id, unsettled), RecoveryRecord.taken_on <= end)
        .order_by(RecoveryRecord.taken_on, RecoveryRecord.id)
    ):
        if kind == "cause":
            causes[application_id].append(text)
        elif kind == "measure":
            steps[application_id].append(f"{cn_day(taken_on)} {text}")
    shown = db.session.execute(
        select(
            Application.id,
            Application.submitted_at,
            # each line's enterprise looked up by its key: joined, the planner hashes all the fund's enterprises
            select(Enterprise.name).where(Enterprise.id == Application.enterprise_id).scalar_subquery(),
            Bank.name,
            Application.state,
            Application.recovery_plan,
        )
        .join(Bank, Bank.id == Application.bank_id)
        .where(sql.among(Application.id, unsettled))
        .order_by(Application.value_date, Application.id)
    )
    found = [
        Overdue(
            application_id,
            Application.reference_of(application_id, submitted_at),
            enterprise,
            bank,
            went_out[application_id],
            due_of[application_id],
            (end - due_of[application_id]).days,
            Money(outstanding.get(application_id, 0)) + owed_by_bank.get(application_id, _ZERO),
            State(state).label,
            "；".join(causes[application_id]),
            recovery_plan or "",
            steps[application_id],
            claim_text.get(application_id, ""),
        )
        for application_id, submitted_at, enterprise, bank, state, recovery_plan in shown
    ]
    return found, count, owed


def _versions(fund_id: int) -> dict[int, Policy]:
    """The fund's policy versions (R14), read once — a handful of rows — for a report of thousands of bridges, rather
    than each bridge's version loaded (and its parameters parsed) with it."""
    return {
        v.id: v.to_policy() for v in db.session.scalars(select(PolicyVersion).where(PolicyVersion.fund_id == fund_id))
    }


def breaches(fund_id: int, start: date, end: date, *, day_ended: bool = True, lines: int | None = None) -> list[Breach]:
    """R9: bridges whose renewal deadline fell in the period and that the bank had not renewed by it (renewed later,
    or still not renewed at the end of the period); R12: claims on a bank recorded in the period. ``day_ended``
    False: ``end`` is today, and the bank has until the end of a deadline that falls today."""
    last_deadline = end if day_ended else end - timedelta(days=1)
    versions = _versions(fund_id)
    # R9's deadline of each bridge in SQL — the value date plus its policy version's days (``watch.renewal_deadline``,
    # shown on each line from the domain) — so that a year's breaches are counted by the database, not read row by
    # row (29,000 at a million). The candidates are the renewals late (kept when the renewal was confirmed) or not
    # made: the partial index of exactly these (0057). One renewed after the period's end but on time has its deadline
    # after the end, outside the period; one late has been renewed after its deadline, so only its deadline decides.
    days = {v: p.renewal_sla_days for v, p in versions.items()}
    sla = case(days, value=Application.policy_version_id, else_=0) if days else literal(0)
    deadline = sql.add_days(Application.value_date, sla)
    breached = and_(
        Application.fund_id == fund_id,
        Application.value_date >= start - timedelta(days=RENEWAL_SLA_MAX_DAYS),
        Application.value_date <= end,
        Application.value_date.is_not(None),
        or_(Application.renewal_late, Application.renewed_on.is_(None)),
        deadline >= start,
        deadline <= last_deadline,
        # not renewed: only a bridge still out, or gone into recovery or written off (never disbursed ones end)
        or_(Application.renewed_on.is_not(None), Application.state.in_([s.value for s in NOT_RENEWED_STATES])),
    )
    order = (Application.value_date, Application.id)
    found = select(
        Application.id,
        Application.submitted_at,
        Application.value_date,
        Application.renewed_on,
        Application.policy_version_id,
        Bank.name,
    ).join(Bank, Bank.id == Application.bank_id)
    counts: dict[str, int] = {}
    if lines is None:  # every line: the document, which counts its lines
        found = found.where(breached)
    else:  # a page: each bank's count, and its first ``lines`` (oldest value date first)
        counts = dict(
            db.session.execute(
                select(Bank.name, func.count())
                .select_from(Application)
                .join(Bank, Bank.id == Application.bank_id)
                .where(breached)
                .group_by(Bank.name)
            ).all()
        )
        place = func.row_number().over(partition_by=Application.bank_id, order_by=order).label("place")
        chosen = select(Application.id.label("id"), place).where(breached).subquery()
        found = found.join(chosen, chosen.c.id == Application.id).where(chosen.c.place <= lines)
    result: dict[str, Breach] = {bank: Breach(bank) for bank in counts}
    for application_id, submitted_at, value_date, renewed_on, version_id, bank in db.session.execute(
        found.order_by(*order)
    ):
        assert version_id is not None and value_date is not None  # disbursed: approved under a version (R14)
        renewed = renewed_on if renewed_on and renewed_on <= end else None
        if renewed is not None:
            what = f"{cn_day(renewed)}续贷"
        else:
            what = "期末仍未续贷" if day_ended else f"截至{cn_day(end)}仍未续贷"
        reference = Application.reference_of(application_id, submitted_at)
        due = renewal_deadline(versions[version_id], value_date)
        line = f"{reference}（起息 {cn_day(value_date)}，最迟 {cn_day(due)}，{what}）"
        result.setdefault(bank, Breach(bank)).renewals_late.append(line)
    claims = db.session.scalars(
        select(BankClaim)
        .join(Application, BankClaim.application_id == Application.id)
        .where(Application.fund_id == fund_id, BankClaim.claimed_on >= start, BankClaim.claimed_on <= end)
        .options(joinedload(BankClaim.bank))
        .order_by(BankClaim.claimed_on, BankClaim.id)
    ).all()
    for claim in claims:
        entry = result.get(claim.bank.name) or Breach(claim.bank.name)
        amount = claim.principal + claim.fee
        entry.claims.append(f"{cn_day(claim.claimed_on)} 追偿 {amount.format()} 元：{claim.basis}")
        result[claim.bank.name] = dataclasses.replace(entry, claimed=entry.claimed + amount)
    if lines is not None:
        result = {bank: dataclasses.replace(entry, late_count=counts.get(bank, 0)) for bank, entry in result.items()}
    return sorted(result.values(), key=lambda b: b.bank)


# -- JSON ---------------------------------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, Money):
        return value.fen
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    return value


def _decode(kind: Any, value: Any) -> Any:
    origin = typing.get_origin(kind)
    if origin is list:
        (item,) = typing.get_args(kind)
        return [_decode(item, v) for v in value]
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return None if value is None else _decode(options[0], value)
    if kind is Money:
        return Money(int(value))
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is Decimal:
        return Decimal(value)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(value)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        # a field added since the value was stored (a revision filed before it existed) takes its default
        return kind(
            **{
                f.name: _decode(hints[f.name], value[f.name])
                for f in dataclasses.fields(kind)
                if f.init and f.name in value
            }
        )
    return value

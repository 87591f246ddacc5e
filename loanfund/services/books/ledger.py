"""Posting to a fund's special account's books, and reading balances. Postings join the caller's transaction. Each
fund's books are its own (its accounts, entries, legs and running totals carry it): every function names the fund."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, case, delete, func, insert, literal, select, type_coerce

from loanfund.domain.ledger import (
    CASH,
    RECEIVABLES,
    Kind,
    Posting,
    Unbalanced,
    bank_reference,
    describe,
    describe_line,
    entry_kind,
    line_of,
)
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import JournalEntry, JournalLeg, LedgerAccount, LedgerDay, LedgerTotal, User
from loanfund.services.books import fund
from loanfund.services.record import audit
from loanfund.sql import add_to, dialect_insert


def _total(column: Any) -> Any:
    """SUM of a money column as a plain integer of fen (0 for no rows)."""
    return func.coalesce(func.sum(column), 0, type_=BigInteger())


def account(fund_id: int, code: str) -> LedgerAccount:
    """The fund's account of that code, opened on first use. Two transactions opening the same account at once (the
    first fee income of two returns) both succeed: the insert skips a code that exists, waiting on PostgreSQL for a
    twin's uncommitted insert instead of failing on the unique index."""
    query = select(LedgerAccount).where(LedgerAccount.fund_id == fund_id, LedgerAccount.code == code)
    row = db.session.scalar(query)
    if row is None:
        name, kind = describe(code)
        db.session.execute(
            dialect_insert()(LedgerAccount)
            .values(fund_id=fund_id, code=code, name=name, kind=kind.value)
            .on_conflict_do_nothing(index_elements=[LedgerAccount.fund_id, LedgerAccount.code])
        )
        row = db.session.scalars(query).one()
    return row


def post(
    posting: Posting,
    posted_on: date,
    *,
    fund_id: int,
    bank_ref: str | None,
    application_id: int | None = None,
    actor: User | None = None,
    from_reservation: bool = False,
) -> JournalEntry:
    """Write a balanced posting (checked by the domain when it was made) to ``fund_id``'s books inside the current
    transaction, then check in the database, in the same transaction, that what was written balances.

    This is the only way cash moves: the entry's cash legs move the special account's running position first (one
    guarded UPDATE of its one row, which also queues concurrent cash movements), then the entry is written.
    ``bank_ref``: the bank transfer that moved the money (issue 29) — required when the entry moves cash, ``None``
    when it does not (``domain.ledger.bank_reference``); the bank statement is matched against it.
    ``from_reservation``: money out that an approval reserved (a disbursement).

    :raise Unbalanced: cash moves without a bank reference, or a reference for an entry that moves none.
    :raise RuleViolation: R8, money out that nothing reserved beyond the available balance.
    """
    ref = bank_reference(posting, bank_ref)
    audit.take_turn()  # the record's head first, then the position and the totals: one order for every writer
    cash = posting.cash
    if cash != Money.zero():
        fund.move_cash(fund_id, cash, from_reservation=from_reservation)
    entry = JournalEntry(
        fund_id=fund_id,
        key=posting.key,
        posted_on=posted_on,
        description=posting.description,
        bank_ref=ref,
        application_id=application_id,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(entry)
    for leg in posting.legs:
        db.session.add(
            JournalLeg(
                fund_id=fund_id,
                entry=entry,
                account=account(fund_id, leg.account),
                debit=leg.debit,
                credit=leg.credit,
            )
        )
    db.session.flush()
    debit, credit = db.session.execute(
        select(_total(JournalLeg.debit), _total(JournalLeg.credit)).where(JournalLeg.entry_id == entry.id)
    ).one()
    if int(debit) != int(credit) or int(debit) == 0:
        raise Unbalanced(f"记账分录 {posting.key} 借贷不平")
    _add_to_totals(fund_id, posting)
    _add_to_days(fund_id, posting, posted_on)
    return entry


def _by_line(posting: Posting) -> list[tuple[str, tuple[Money, Money]]]:
    """The posting's debits and credits summed by trial-balance line, the lines in a fixed order (so two postings
    never wait on each other's rows crosswise)."""
    by_line: dict[str, tuple[Money, Money]] = {}
    for leg in posting.legs:
        line = line_of(leg.account)
        debit, credit = by_line.get(line, (Money.zero(), Money.zero()))
        by_line[line] = (debit + leg.debit, credit + leg.credit)
    return sorted(by_line.items())


def _add_to_totals(fund_id: int, posting: Posting) -> None:
    """Add the posting's legs to the running totals of their trial-balance lines, in the posting's transaction
    (lines in a fixed order, so two postings never wait on each other's lines crosswise)."""
    for line, (debit, credit) in _by_line(posting):
        name, kind = describe_line(line)
        add_to(
            LedgerTotal,
            {"fund_id": fund_id, "line": line},
            {"debit": debit, "credit": credit},
            name=name,
            kind=kind.value,
        )


def _add_to_days(fund_id: int, posting: Posting, posted_on: date) -> None:
    """Add the posting's legs to its day's totals by line and kind (``LedgerDay``), in the posting's transaction, in
    the same fixed order of lines as the running totals."""
    kind = entry_kind(posting.key)
    for line, (debit, credit) in _by_line(posting):
        add_to(
            LedgerDay,
            {"fund_id": fund_id, "day": posted_on, "line": line, "kind": kind},
            {"debit": debit, "credit": credit, "entries": 1},
        )


def kind_expression() -> Any:
    """``domain.ledger.entry_kind`` in SQL, over ``JournalEntry.key`` (every key has its ``:``)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.split_part(JournalEntry.key, ":", 1)
    return func.substr(JournalEntry.key, 1, func.instr(JournalEntry.key, ":") - 1)


def days_from_legs(fund_id: int) -> Any:
    """Each (day, line, kind) of the fund's books summed from the legs: what ``LedgerDay`` must hold (a query)."""
    line, kind = line_expression(), kind_expression()
    return (
        select(
            JournalEntry.posted_on.label("day"),
            line.label("line"),
            kind.label("kind"),
            _total(JournalLeg.debit).label("debit"),
            _total(JournalLeg.credit).label("credit"),
            func.count(func.distinct(JournalEntry.id)).label("entries"),
        )
        .select_from(JournalLeg)
        .join(JournalEntry, JournalLeg.entry_id == JournalEntry.id)
        .join(LedgerAccount, JournalLeg.account_id == LedgerAccount.id)
        .where(JournalEntry.fund_id == fund_id)
        .group_by(JournalEntry.posted_on, line, kind)
    )


def day_differences(fund_id: int) -> list[str]:
    """The (day, line, kind) rows whose kept totals differ from the legs, named (the full reconciliation)."""
    kept = {
        (row.day, row.line, row.kind): (int(row.debit.fen), int(row.credit.fen), row.entries)
        for row in db.session.scalars(select(LedgerDay).where(LedgerDay.fund_id == fund_id))
    }
    found = []
    for day, line, kind, debit, credit, entries in db.session.execute(days_from_legs(fund_id)):
        if kept.pop((day, line, kind), None) != (int(debit), int(credit), int(entries)):
            found.append(f"{day.isoformat()} {line} {kind}")
    found += [f"{day.isoformat()} {line} {kind}" for day, line, kind in sorted(kept)]
    return found


def rebuild_days(fund_id: int) -> None:
    """Write the fund's day totals afresh from the legs — for a loader that wrote legs in bulk (bench/generate.py)."""
    db.session.execute(delete(LedgerDay).where(LedgerDay.fund_id == fund_id))
    rows = [
        {
            "fund_id": fund_id,
            "day": day,
            "line": line,
            "kind": kind,
            "debit": Money(int(debit)),
            "credit": Money(int(credit)),
            "entries": int(entries),
        }
        for day, line, kind, debit, credit, entries in db.session.execute(days_from_legs(fund_id))
    ]
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(LedgerDay), rows[start : start + 5000])


def line_expression() -> Any:
    """``domain.ledger.line_of`` in SQL, over ``LedgerAccount.code``."""
    return case((LedgerAccount.code.like(f"{RECEIVABLES}:%"), literal(RECEIVABLES)), else_=LedgerAccount.code)


def totals_from_legs(fund_id: int) -> dict[str, tuple[Money, Money]]:
    """Each of the fund's trial-balance lines' debit and credit summed from the legs: what the running totals must
    equal."""
    line = line_expression()
    rows = db.session.execute(
        select(line, _total(JournalLeg.debit), _total(JournalLeg.credit))
        .select_from(LedgerAccount)
        .outerjoin(JournalLeg, JournalLeg.account_id == LedgerAccount.id)
        .where(LedgerAccount.fund_id == fund_id)
        .group_by(line)
    ).all()
    return {str(name): (Money(int(debit)), Money(int(credit))) for name, debit, credit in rows}


def rebuild_totals(fund_id: int) -> None:
    """Write the fund's running totals afresh from the legs — for a loader that wrote legs in bulk
    (bench/generate.py), never on the fund's own path, where ``post`` keeps them."""
    db.session.execute(delete(LedgerTotal).where(LedgerTotal.fund_id == fund_id))
    rows = []
    for line, (debit, credit) in sorted(totals_from_legs(fund_id).items()):
        name, kind = describe_line(line)
        rows.append(
            {"fund_id": fund_id, "line": line, "name": name, "kind": kind.value, "debit": debit, "credit": credit}
        )
    if rows:
        db.session.execute(insert(LedgerTotal), rows)


def balance(fund_id: int, code: str) -> Money:
    """Debits minus credits on one of the fund's accounts (positive for an asset in hand): an account that is a
    trial-balance line of its own (cash, fee income, …) from its running total; a bridge's receivable from its legs."""
    if line_of(code) == code:
        return line_balance(fund_id, code)
    debit, credit = db.session.execute(
        select(_total(JournalLeg.debit), _total(JournalLeg.credit))
        .join(LedgerAccount, JournalLeg.account_id == LedgerAccount.id)
        .where(LedgerAccount.fund_id == fund_id, LedgerAccount.code == code)
    ).one()
    return Money(int(debit) - int(credit))


@dataclass(frozen=True)
class AccountBalance:
    code: str
    name: str
    kind: Kind
    debit: Money
    credit: Money

    @property
    def balance(self) -> Money:
        """In the account's normal direction: debit − credit for assets and expenses, credit − debit otherwise."""
        net = self.debit - self.credit
        return net if self.kind.debit_normal else -net


def trial_balance(fund_id: int) -> list[AccountBalance]:
    """Each of the fund's lines' debit and credit totals, as the postings keep them (``LedgerTotal``): a few rows,
    whatever the number of bridges; every bridge's receivable is one line. ``reconcile`` checks them against the
    legs."""
    rows = db.session.scalars(
        select(LedgerTotal).where(LedgerTotal.fund_id == fund_id).order_by(LedgerTotal.line)
    ).all()
    return [AccountBalance(row.line, row.name, Kind(row.kind), row.debit, row.credit) for row in rows]


def line_balances(fund_id: int, prefix: str) -> dict[int, Money]:
    """Debit − credit of each line ``prefix:<id>`` that is a line of its own (a contributor's capital, its
    distributions payable, a bank's claim), keyed by the id, from the running totals."""
    rows = db.session.scalars(
        select(LedgerTotal).where(LedgerTotal.fund_id == fund_id, LedgerTotal.line.like(f"{prefix}:%"))
    ).all()
    return {int(row.line.split(":", 1)[1]): row.debit - row.credit for row in rows}


def line_balance(fund_id: int, line: str) -> Money:
    """Debit − credit of one trial-balance line (an account's own code, or ``receivable``), from the running
    totals, read afresh (a copy this session loaded before may be stale once it holds its turn)."""
    row = db.session.get(LedgerTotal, (fund_id, line), populate_existing=True)
    return row.debit - row.credit if row is not None else Money.zero()


def balances_by_prefix(fund_id: int, prefix: str, ids: Collection[int] | None = None) -> dict[int, Money]:
    """Debit − credit of each account ``prefix:<id>``, keyed by the id (e.g. every receivable at once); with ``ids``,
    of those accounts only — what a page about the bridges out needs, at the cost of the bridges out rather than of
    every receivable ever opened (issue 14)."""
    if ids is not None and not ids:
        return {}
    chosen = (
        LedgerAccount.code.like(f"{prefix}:%")
        if ids is None
        else LedgerAccount.code.in_([f"{prefix}:{i}" for i in ids])
    )
    rows = db.session.execute(
        select(LedgerAccount.code, _total(JournalLeg.debit) - _total(JournalLeg.credit))
        .outerjoin(JournalLeg, JournalLeg.account_id == LedgerAccount.id)
        .where(LedgerAccount.fund_id == fund_id, chosen)
        .group_by(LedgerAccount.code)
    ).all()
    return {int(code.split(":", 1)[1]): Money(int(net)) for code, net in rows}


def cash_closing(fund_id: int, days: list[date]) -> dict[date, Money]:
    """The special account's cash in the books at the end of each of ``days``: the running total less what was posted
    after (``LedgerDay``) — a few rows a day."""
    if not days:
        return {}
    now = line_balance(fund_id, CASH)
    debit = type_coerce(func.sum(LedgerDay.debit), BigInteger())
    credit = type_coerce(func.sum(LedgerDay.credit), BigInteger())
    after: dict[date, int] = {
        day: int(d) - int(c)
        for day, d, c in db.session.execute(
            select(LedgerDay.day, debit, credit)
            .where(LedgerDay.fund_id == fund_id, LedgerDay.line == CASH, LedgerDay.day > min(days))
            .group_by(LedgerDay.day)
        )
    }
    closing = {}
    running = now - Money(sum(v for d, v in after.items() if d > max(days)))
    for day in sorted(days, reverse=True):
        closing[day] = running
        running -= Money(after.get(day, 0))
    return closing

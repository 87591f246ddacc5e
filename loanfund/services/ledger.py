"""Posting to the special account's books, and reading balances. Postings join the caller's transaction."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from loanfund.domain.ledger import CASH, Kind, Posting, Unbalanced, describe
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import JournalEntry, JournalLeg, LedgerAccount, User
from loanfund.services import fund


def _total(column: Any) -> Any:
    """SUM of a money column as a plain integer of fen (0 for no rows)."""
    return func.coalesce(func.sum(column), 0, type_=BigInteger())


def account(code: str) -> LedgerAccount:
    """The account of that code, opened on first use. Two transactions opening the same account at once (the first
    fee income of two returns) both succeed: the insert skips a code that exists, waiting on PostgreSQL for a twin's
    uncommitted insert instead of failing on the unique index."""
    query = select(LedgerAccount).where(LedgerAccount.code == code)
    row = db.session.scalar(query)
    if row is None:
        name, kind = describe(code)
        dialect_insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        db.session.execute(
            dialect_insert(LedgerAccount)
            .values(code=code, name=name, kind=kind.value)
            .on_conflict_do_nothing(index_elements=[LedgerAccount.code])
        )
        row = db.session.scalars(query).one()
    return row


def post(
    posting: Posting,
    posted_on: date,
    *,
    application_id: int | None = None,
    actor: User | None = None,
    from_reservation: bool = False,
) -> JournalEntry:
    """Write a balanced posting (checked by the domain when it was made) inside the current transaction, then
    check in the database, in the same transaction, that what was written balances.

    This is the only way cash moves: the entry's cash legs move the special account's running position first (one
    guarded UPDATE of its one row, which also queues concurrent cash movements), then the entry is written.
    ``from_reservation``: money out that an approval reserved (a disbursement).

    :raise RuleViolation: R8, money out that nothing reserved beyond the available balance.
    """
    cash = sum((leg.debit - leg.credit for leg in posting.legs if leg.account == CASH), Money.zero())
    if cash != Money.zero():
        fund.move_cash(cash, from_reservation=from_reservation)
    entry = JournalEntry(
        key=posting.key,
        posted_on=posted_on,
        description=posting.description,
        application_id=application_id,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(entry)
    for leg in posting.legs:
        db.session.add(JournalLeg(entry=entry, account=account(leg.account), debit=leg.debit, credit=leg.credit))
    db.session.flush()
    debit, credit = db.session.execute(
        select(_total(JournalLeg.debit), _total(JournalLeg.credit)).where(JournalLeg.entry_id == entry.id)
    ).one()
    if int(debit) != int(credit) or int(debit) == 0:
        raise Unbalanced(f"记账分录 {posting.key} 借贷不平")
    return entry


def balance(code: str) -> Money:
    """Debits minus credits on one account (positive for an asset in hand)."""
    debit, credit = db.session.execute(
        select(_total(JournalLeg.debit), _total(JournalLeg.credit))
        .join(LedgerAccount, JournalLeg.account_id == LedgerAccount.id)
        .where(LedgerAccount.code == code)
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


def trial_balance() -> list[AccountBalance]:
    """Every account's debit and credit totals, by one aggregate query."""
    rows = db.session.execute(
        select(
            LedgerAccount.code,
            LedgerAccount.name,
            LedgerAccount.kind,
            _total(JournalLeg.debit),
            _total(JournalLeg.credit),
        )
        .outerjoin(JournalLeg, JournalLeg.account_id == LedgerAccount.id)
        .group_by(LedgerAccount.id, LedgerAccount.code, LedgerAccount.name, LedgerAccount.kind)
        .order_by(LedgerAccount.code)
    ).all()
    return [AccountBalance(code, name, Kind(kind), Money(int(d)), Money(int(c))) for code, name, kind, d, c in rows]


def balances_by_prefix(prefix: str, ids: Collection[int] | None = None) -> dict[int, Money]:
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
        .where(chosen)
        .group_by(LedgerAccount.code)
    ).all()
    return {int(code.split(":", 1)[1]): Money(int(net)) for code, net in rows}

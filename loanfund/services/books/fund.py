"""A fund's special account's position (R8): cash and reservations, moved only by guarded UPDATEs of the fund's one
row.

Every change is one UPDATE whose WHERE clause re-checks the condition, so two approvals racing for the last yuan
cannot both pass: the second UPDATE matches no row and is refused. The table's CHECK constraints are the backstop.
Two funds' rows are apart: one fund's approvals never wait on another's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import BigInteger, BindParameter, literal, select, update

from loanfund import clock
from loanfund.database import affected
from loanfund.domain.errors import RuleViolation, Violation
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import FundBalance, ReservedDay
from loanfund.services.record import audit
from loanfund.sql import add_to, dialect_insert


@dataclass(frozen=True)
class FundPosition:
    cash: Money
    reserved: Money

    @property
    def available(self) -> Money:
        return self.cash - self.reserved


def ensure_fund_row(fund_id: int) -> None:
    """The fund's position row, opened at its first money (two first contributions at once both pass: the insert skips
    a row that exists, waiting on PostgreSQL for a twin's uncommitted insert)."""
    if db.session.scalar(select(FundBalance.id).where(FundBalance.fund_id == fund_id)) is None:
        db.session.execute(
            dialect_insert()(FundBalance)
            .values(fund_id=fund_id, cash=Money.zero(), reserved=Money.zero())
            .on_conflict_do_nothing(index_elements=[FundBalance.fund_id])
        )


def position(fund_id: int) -> FundPosition:
    row = db.session.execute(
        select(FundBalance.cash, FundBalance.reserved).where(FundBalance.fund_id == fund_id)
    ).first()
    if row is None:
        return FundPosition(Money.zero(), Money.zero())
    return FundPosition(row.cash, row.reserved)


def _guarded(fund_id: int, values: dict[str, object], where: object | None = None) -> bool:
    audit.take_turn()  # the record's head before the position, in every transaction: no deadlock between the two
    statement = update(FundBalance).where(FundBalance.fund_id == fund_id).values(**values)
    if where is not None:
        statement = statement.where(where)  # type: ignore[arg-type]
    return affected(db.session.execute(statement.execution_options(synchronize_session=False))) == 1


def _fen(amount: Money) -> BindParameter[int]:
    """An amount as a plain integer parameter inside an SQL expression."""
    return literal(amount.fen, BigInteger())


def _on_the_day(fund_id: int, *, reserved: int = 0, released: int = 0, day: date | None = None) -> None:
    """Add to a day's reservations made and given back (``ReservedDay``; today's unless ``day``), in the same
    transaction as the position."""
    add_to(ReservedDay, {"fund_id": fund_id, "day": day or clock.today()}, {"reserved": reserved, "released": released})


def reserved_in_the_past(fund_id: int, day: date, amount: Money) -> None:
    """A past approval whose money went out the day it was approved (the 台账's, issue 29): reserved and given back on
    ``day``, so the kept days agree with the record; the position, net of it, does not move."""
    _on_the_day(fund_id, reserved=amount.fen, released=amount.fen, day=day)


def reserve(fund_id: int, amount: Money) -> None:
    """Promise ``amount`` of the fund's to an approval.

    :raise RuleViolation: R8 when cash − reservations is less than ``amount`` at the moment of the UPDATE.
    """
    ensure_fund_row(fund_id)
    fen = _fen(amount)
    if not _guarded(fund_id, {"reserved": FundBalance.reserved + fen}, FundBalance.cash - FundBalance.reserved >= fen):
        available = position(fund_id).available
        raise RuleViolation(
            Violation(
                "R8",
                "fund_insufficient",
                f"申请金额 {amount.format_wan()} 万元超过专用账户可用余额 {available.format_wan()} 万元",
                "amount",
            )
        )
    _on_the_day(fund_id, reserved=amount.fen)


def release(fund_id: int, amount: Money) -> None:
    """Give back a reservation (group rejection, withdrawal, cancellation)."""
    fen = _fen(amount)
    if not _guarded(fund_id, {"reserved": FundBalance.reserved - fen}, FundBalance.reserved >= fen):
        raise RuntimeError("released more than was reserved")  # the books are wrong: stop and roll back
    _on_the_day(fund_id, released=amount.fen)


def move_cash(fund_id: int, change: Money, *, from_reservation: bool = False) -> None:
    """The fund's special account's cash moves by ``change`` — called only by ``ledger.post``, from the cash legs of the
    entry it writes, so the position is a cache of the ledger written by the posting itself (one money writer).

    Money in is added. Money out is either a reservation becoming a disbursement (``from_reservation``: cash and the
    reservation both go down) or money no approval reserved (distributions, taxes), which only what is not reserved
    may cover (R8).

    :raise RuleViolation: R8, when money out that nothing reserved exceeds the available balance.
    """
    fen = _fen(Money(abs(change.fen)))
    if not change.is_negative:
        ensure_fund_row(fund_id)
        _guarded(fund_id, {"cash": FundBalance.cash + fen})
    elif from_reservation:
        if not _guarded(
            fund_id,
            {"cash": FundBalance.cash - fen, "reserved": FundBalance.reserved - fen},
            (FundBalance.reserved >= fen) & (FundBalance.cash >= fen),
        ):
            raise RuntimeError("paid out more than was reserved")  # the books are wrong: stop and roll back
        _on_the_day(fund_id, released=abs(change.fen))
    elif not _guarded(fund_id, {"cash": FundBalance.cash - fen}, FundBalance.cash - FundBalance.reserved >= fen):
        raise RuleViolation(
            Violation(
                "R8",
                "fund_insufficient",
                f"支付金额 {(-change).format_wan()} 万元超过专用账户可用余额 "
                f"{position(fund_id).available.format_wan()} 万元",
            )
        )

"""The special account's bank statement against the books (第十一条 封闭运行; issue 29). Pure: the lines as the bank
exported them and the books' movements of cash in, matches and each day's standing out.

A statement line is one movement on the special account at the bank: its day, its amount (money in positive, money out
negative), the counterparty, the reference the bank printed and, where the bank gives it, the balance after it. A book
movement is a journal entry with a cash leg: its day, the cash it moved (same sign), its bank reference. A line and
a movement *agree* when their amounts and days are equal and their references agree (the same after normalising, or
the entry's reference printed inside the line's text, as banks put it in a 摘要). They are matched automatically when
each is the other's only agreeing partner; otherwise by hand, with a reason, and only at the same amount — a
difference of amount is never matched away: it is shown until the bank or the books are corrected.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from loanfund.domain.money import Money

REFERENCE_CONTAINED_FROM = 4  # an entry's reference this long or longer is found inside a line's text


@dataclass(frozen=True)
class StatementLine:
    """A line as read from the bank's file. ``row``: where it was (the file's row, or the entry's position in a
    CAMT.053 statement), for the messages and for telling two identical lines of one file apart."""

    row: int
    booked_on: date
    amount: Money  # + into the special account, − out of it
    counterparty: str = ""
    reference: str = ""
    balance: Money | None = None  # the account's balance after the line, where the bank prints it
    bank_txn_id: str = ""  # the bank's own id of the transaction, where the file has one (CAMT.053 AcctSvcrRef)


def fingerprint(line: StatementLine, ordinal: int) -> str:
    """What makes a line the same line when a statement of an overlapping period is imported again: the bank's own id
    of the transaction where the file gives one, otherwise its day, amount, reference, counterparty and balance, and
    ``ordinal`` — it is the n-th line of the file with exactly those (two transfers of the same amount on one day,
    without a balance to tell them apart, are two lines)."""
    if line.bank_txn_id.strip():
        return "id:" + line.bank_txn_id.strip()[:120]
    parts = (
        line.booked_on.isoformat(),
        str(line.amount.fen),
        normalise(line.reference),
        line.counterparty.strip(),
        "" if line.balance is None else str(line.balance.fen),
        str(ordinal),
    )
    return "sha256:" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def fingerprints(lines: Sequence[StatementLine]) -> list[str]:
    """Each line's fingerprint, the ordinals counted within the file."""
    seen: dict[tuple[object, ...], int] = {}
    found = []
    for line in lines:
        same = (line.booked_on, line.amount.fen, normalise(line.reference), line.counterparty.strip(), line.balance)
        seen[same] = seen.get(same, 0) + 1
        found.append(fingerprint(line, seen[same]))
    return found


def normalise(reference: str | None) -> str:
    """A reference as compared: no spaces, upper case (``hk-001`` and ``HK 001`` are the same voucher)."""
    return re.sub(r"\s+", "", reference or "").upper()


@dataclass(frozen=True)
class Movement:
    """A journal entry that moved the special account's money."""

    entry_id: int
    posted_on: date
    amount: Money  # + in, − out (the entry's cash legs)
    bank_ref: str | None
    description: str = ""


@dataclass(frozen=True)
class Line:
    """A stored statement line: the line and its id."""

    line_id: int
    booked_on: date
    amount: Money
    reference: str
    counterparty: str = ""


def references_agree(line_reference: str, bank_ref: str | None) -> bool:
    mine, theirs = normalise(line_reference), normalise(bank_ref)
    if not mine or not theirs:
        return False
    return mine == theirs or (len(theirs) >= REFERENCE_CONTAINED_FROM and theirs in mine)


def agree(line: Line, movement: Movement) -> bool:
    return (
        line.amount == movement.amount
        and line.booked_on == movement.posted_on
        and references_agree(line.reference, movement.bank_ref)
    )


def automatic_matches(lines: Iterable[Line], movements: Iterable[Movement]) -> list[tuple[int, int]]:
    """(line id, entry id) of each line and movement that agree and have no other agreeing partner on either side.
    Candidates are looked up by (day, amount), so the cost is the number of lines and movements, not their product."""
    by_day_amount: dict[tuple[date, int], list[Movement]] = {}
    for movement in movements:
        by_day_amount.setdefault((movement.posted_on, movement.amount.fen), []).append(movement)
    partners_of_line: dict[int, list[int]] = {}
    partners_of_entry: dict[int, list[int]] = {}
    for line in lines:
        for movement in by_day_amount.get((line.booked_on, line.amount.fen), ()):
            if agree(line, movement):
                partners_of_line.setdefault(line.line_id, []).append(movement.entry_id)
                partners_of_entry.setdefault(movement.entry_id, []).append(line.line_id)
    return sorted(
        (line_id, entries[0])
        for line_id, entries in partners_of_line.items()
        if len(entries) == 1 and len(partners_of_entry[entries[0]]) == 1
    )


@dataclass(frozen=True)
class Near:
    """A book movement close to an unmatched line, and how they differ (for the operator to look at)."""

    movement: Movement
    differences: tuple[str, ...]


def near(line: Line, movements: Iterable[Movement]) -> list[Near]:
    """The unmatched movements a line nearly agrees with: the same reference at another amount or day (a wrong
    amount is shown here, with the difference), or the same amount and day under another reference (a candidate to
    match by hand)."""
    found = []
    for movement in movements:
        same_ref = references_agree(line.reference, movement.bank_ref)
        same_amount = line.amount == movement.amount
        same_day = line.booked_on == movement.posted_on
        if same_ref and same_amount and same_day:
            differences: tuple[str, ...] = ("凭证号、金额、日期均相同，但不止一笔，需人工确认",)
        elif same_ref:
            differences = tuple(
                text
                for text, differs in (
                    (
                        f"金额不同：银行 {line.amount.format()} 元，账面 {movement.amount.format()} 元，"
                        f"相差 {(line.amount - movement.amount).format()} 元",
                        not same_amount,
                    ),
                    (
                        f"日期不同：银行 {line.booked_on.isoformat()}，账面 {movement.posted_on.isoformat()}",
                        not same_day,
                    ),
                )
                if differs
            )
        elif same_amount and same_day:
            differences = (
                f"金额、日期相同，凭证号不同：银行 {line.reference or '（无）'}，账面 {movement.bank_ref or '（无）'}",
            )
        else:
            continue
        found.append(Near(movement, differences))
    return found


def hand_match_problems(line: Line, movement: Movement, reason: str) -> dict[str, list[str]]:
    """Why a line cannot be matched by hand to a movement (by field; empty when it can): the amounts must be equal —
    a difference is for the bank or the books to correct, not for a match to hide — and the reason is written."""
    problems: dict[str, list[str]] = {}
    if line.amount != movement.amount:
        problems["entry_id"] = [
            f"金额不一致（银行 {line.amount.format()} 元，账面 {movement.amount.format()} 元），不能对账：请先查明差额"
        ]
    if not reason.strip():
        problems["reason"] = ["人工对账须写明理由"]
    return problems


@dataclass(frozen=True)
class Day:
    """One day of the special account, bank against books."""

    day: date
    bank_in: Money
    bank_out: Money
    books_in: Money
    books_out: Money
    bank_closing: Money | None  # the balance after the day's last line, where the bank prints one
    books_closing: Money
    unmatched_lines: int
    unmatched_movements: int

    @property
    def difference(self) -> Money | None:
        return None if self.bank_closing is None else self.bank_closing - self.books_closing

    @property
    def reconciled(self) -> bool:
        """Every line and movement of the day matched, and the balances equal where the bank gives one."""
        return (
            self.unmatched_lines == 0
            and self.unmatched_movements == 0
            and (self.difference is None or self.difference.fen == 0)
        )

"""The special account's bank statement against the books (issue 29; 第十一条 封闭运行): formats, imports, matches and
each day's standing. The rules of matching are the domain's (``domain.bank_statement``); the files are read by
``statement_files``; this module stores, reads and decides who may.

Every import and every match takes its turn in the books first (``audit.take_turn``): two imports of overlapping files
at once, or an import and an operator's match, queue, and each reads what the other wrote — the unique fingerprint of
a line and the partial unique indexes of a standing match are the database's guard behind that.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import BigInteger, and_, case, func, insert, select, type_coerce

from loanfund import clock
from loanfund.domain import bank_statement as rules
from loanfund.domain.errors import Conflict, FieldErrors, InvalidInput, NotAllowed, NotFound
from loanfund.domain.ledger import CASH
from loanfund.domain.lifecycle import Role
from loanfund.domain.money import Money
from loanfund.domain.text import normalised, text_problem
from loanfund.extensions import db
from loanfund.models import (
    BankFormat,
    JournalEntry,
    JournalLeg,
    LedgerAccount,
    StatementBalance,
    StatementImport,
    StatementLine,
    StatementMatch,
    User,
)
from loanfund.services.books import ledger, statement_files
from loanfund.services.books.statement_files import Columns, Problem
from loanfund.services.record import audit
from loanfund.services.uow import finish

READERS = frozenset({Role.OPERATOR, Role.GROUP, Role.ADMIN})
KEEPERS = frozenset({Role.OPERATOR})  # import statements and match lines
CHUNK = 500
MAX_UPLOAD = statement_files.MAX_BYTES


class FileRefused(InvalidInput):
    """A statement file with problems: each named by row and column; nothing was stored."""

    code = "statement_refused"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__({"file": [str(p) for p in problems]})
        self.problems = problems


def _may(actor: User, roles: frozenset[Role], what: str) -> None:
    if actor.role_enum not in roles:
        raise NotAllowed(f"无权{what}", code="role_not_allowed")


# -- formats --------------------------------------------------------------------------------------------------------


def formats(fund_id: int) -> list[BankFormat]:
    return list(db.session.scalars(select(BankFormat).where(BankFormat.fund_id == fund_id).order_by(BankFormat.name)))


def format_named(fund_id: int, name: str) -> BankFormat:
    """:raise InvalidInput: the fund has no format of that name (the field ``bank_format``, naming those it has)."""
    found = db.session.scalar(select(BankFormat).where(BankFormat.fund_id == fund_id, BankFormat.name == name.strip()))
    if found is None:
        known = "、".join(f.name for f in formats(fund_id)) or "（尚未设置，请系统管理员先添加银行流水格式）"
        raise InvalidInput({"bank_format": [f"没有名为“{name.strip()}”的银行流水格式；可选：{known}"]})
    return found


def save_format(
    actor: User, fund_id: int, name: str, kind: str, columns: dict[str, Any], format_id: int | None = None
) -> BankFormat:
    """Add a bank's statement format, or change one (the administrator).

    :raise InvalidInput: every problem of the name, kind and columns at once. :raise NotFound: another fund's."""
    _may(actor, frozenset({Role.ADMIN}), "设置银行流水格式")
    if format_id is not None:
        format_of(fund_id, format_id)  # another fund's is not there, whatever is wrong with the input
    errors = FieldErrors()
    name = name.strip()
    if not name:
        errors.add("name", "请填写格式名称")
    elif len(name) > 60:
        errors.add("name", "不能超过 60 个字符")
    if kind not in statement_files.KINDS:
        errors.add("kind", "请选择文件类型")
    mapping = Columns.of(columns)
    if kind == "table":
        for key, messages in mapping.problems().items():
            for message in messages:
                errors.add(key, message)
        for key, value in mapping.as_dict().items():
            if len(value) > 60:
                errors.add(key, "列名不能超过 60 个字符")
    same = db.session.scalar(select(BankFormat).where(BankFormat.fund_id == fund_id, BankFormat.name == name))
    if same is not None and same.id != format_id:
        errors.add("name", f"已有名为“{name}”的格式")
    errors.raise_if_any()
    if format_id is None:
        row = BankFormat(fund_id=fund_id)
        db.session.add(row)
    else:
        row = format_of(fund_id, format_id)
    row.name, row.kind = name, kind
    row.columns = mapping.as_dict() if kind == "table" else {}
    return finish(row)


# -- import -----------------------------------------------------------------------------------------------------------


Progress = Callable[[int, int], None]  # (done, of)


def import_file(
    actor: User | None,
    fund_id: int,
    format_name: str,
    filename: str,
    data: bytes,
    progress: Progress | None = None,
) -> StatementImport:
    """Read the special account's statement file in the named format, store each line the fund does not have yet
    (a re-import of an overlapping period adds nothing), the bank's closing balance of each day it gives, match what
    agrees automatically, and keep the import's record. One transaction: a file with a problem stores nothing.

    :raise InvalidInput: no such format. :raise FileRefused: the file's problems, by row and column.
    :raise NotAllowed: not an operator (a command run by nobody may import)."""
    if actor is not None:
        _may(actor, KEEPERS, "导入银行流水")
    chosen = format_named(fund_id, format_name)
    read = statement_files.read(chosen.kind, data, filename, Columns.of(chosen.columns))
    if read.problems:
        raise FileRefused(read.problems)
    assert read.period is not None
    audit.take_turn()  # behind every writer of the books: what is already stored is read below, fresh
    prints = rules.fingerprints(read.lines)
    known: set[str] = set()
    for start in range(0, len(prints), CHUNK):
        known |= set(
            db.session.scalars(
                select(StatementLine.fingerprint).where(
                    StatementLine.fund_id == fund_id, StatementLine.fingerprint.in_(prints[start : start + CHUNK])
                )
            )
        )
    record = StatementImport(
        fund_id=fund_id,
        format_name=chosen.name,
        filename=filename[-200:] or "statement",
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        period_start=read.period[0],
        period_end=read.period[1],
        lines_read=len(read.lines),
        lines_added=0,
        lines_known=0,
        matched=0,
        notes=[],
        imported_by_id=actor.id if actor else None,
    )
    db.session.add(record)
    db.session.flush()
    new = [
        {
            "fund_id": fund_id,
            "import_id": record.id,
            "row": line.row,
            "booked_on": line.booked_on,
            "amount": line.amount,
            "counterparty": line.counterparty,
            "reference": line.reference,
            "balance": line.balance,
            "bank_txn_id": line.bank_txn_id,
            "fingerprint": print_,
        }
        for line, print_ in zip(read.lines, prints, strict=True)
        if print_ not in known
    ]
    new_prints = {row["fingerprint"] for row in new}
    if len(new_prints) != len(new):  # the same transaction id twice in one file
        raise FileRefused([Problem(None, "", "文件中有重复的银行流水号")])
    for start in range(0, len(new), CHUNK):
        db.session.execute(insert(StatementLine), new[start : start + CHUNK])
        if progress is not None:
            progress(min(start + CHUNK, len(new)), len(new))
    if progress is not None and not new:
        progress(0, 0)
    record.lines_added, record.lines_known = len(new), len(read.lines) - len(new)
    record.notes = _keep_balances(fund_id, record.id, read.closing)
    record.matched = len(_match_automatically(fund_id, read.period[0], read.period[1]))
    return finish(record)


def _keep_balances(fund_id: int, import_id: int, closing: dict[date, Money]) -> list[str]:
    """Store each day's closing balance the fund has not got yet; name the days an earlier file said otherwise."""
    notes = []
    days = sorted(closing)
    kept = {
        row.day: row.balance
        for row in db.session.scalars(
            select(StatementBalance).where(StatementBalance.fund_id == fund_id, StatementBalance.day.in_(days))
        )
    }
    for day in days:
        if day not in kept:
            db.session.add(StatementBalance(fund_id=fund_id, day=day, balance=closing[day], import_id=import_id))
        elif kept[day] != closing[day]:
            notes.append(
                f"{day.isoformat()} 日终余额 {closing[day].format()} 元与此前导入的 {kept[day].format()} 元不一致，"
                "保留此前的数字，请向银行核实"
            )
    return notes


def _match_automatically(fund_id: int, start: date, end: date) -> list[StatementMatch]:
    lines = _open_lines(fund_id, start, end)
    movements = _open_movements(fund_id, start, end)
    made = []
    for line_id, entry_id in rules.automatic_matches(lines, movements):
        match = StatementMatch(fund_id=fund_id, line_id=line_id, entry_id=entry_id, how="auto", reason="")
        db.session.add(match)
        made.append(match)
    db.session.flush()
    return made


def match_automatically(actor: User, fund_id: int, start: date, end: date) -> int:
    """Match again what agrees in a period (after a book entry was posted, or a match undone). How many."""
    _may(actor, KEEPERS, "对账")
    audit.take_turn()
    return finish(len(_match_automatically(fund_id, start, end)))


# -- what stands ------------------------------------------------------------------------------------------------------


def _standing() -> Any:
    return StatementMatch.undone_at.is_(None)


def _as_line(row: StatementLine) -> rules.Line:
    return rules.Line(row.id, row.booked_on, row.amount, row.reference, row.counterparty)


def _open_lines(fund_id: int, start: date, end: date) -> list[rules.Line]:
    matched = select(StatementMatch.line_id).where(StatementMatch.fund_id == fund_id, _standing())
    rows = db.session.scalars(
        select(StatementLine)
        .where(
            StatementLine.fund_id == fund_id,
            StatementLine.booked_on.between(start, end),
            StatementLine.id.not_in(matched),
        )
        .order_by(StatementLine.booked_on, StatementLine.import_id, StatementLine.row)
    )
    return [_as_line(row) for row in rows]


def _movements_query(fund_id: int, start: date, end: date) -> Any:
    cash = func.sum(JournalLeg.debit) - func.sum(JournalLeg.credit)
    return (
        select(JournalEntry.id, JournalEntry.posted_on, cash, JournalEntry.bank_ref, JournalEntry.description)
        .join(JournalLeg, JournalLeg.entry_id == JournalEntry.id)
        .join(LedgerAccount, and_(LedgerAccount.id == JournalLeg.account_id, LedgerAccount.code == CASH))
        .where(JournalEntry.fund_id == fund_id, JournalEntry.posted_on.between(start, end))
        .group_by(JournalEntry.id, JournalEntry.posted_on, JournalEntry.bank_ref, JournalEntry.description)
        .order_by(JournalEntry.posted_on, JournalEntry.id)
    )


def _movement(row: Any) -> rules.Movement:
    entry_id, posted_on, cash, bank_ref, description = row
    return rules.Movement(entry_id, posted_on, Money(int(cash)), bank_ref, description)


def _open_movements(fund_id: int, start: date, end: date) -> list[rules.Movement]:
    matched = select(StatementMatch.entry_id).where(StatementMatch.fund_id == fund_id, _standing())
    query = _movements_query(fund_id, start, end).where(JournalEntry.id.not_in(matched))
    return [_movement(row) for row in db.session.execute(query) if int(row[2]) != 0]


@dataclass(frozen=True)
class OpenLine:
    line: StatementLine
    near: list[rules.Near]


@dataclass(frozen=True)
class Standing:
    """The special account, bank against books, over a period."""

    start: date
    end: date
    covered: list[tuple[date, date]]  # the periods the imported statements cover, within start–end
    days: list[rules.Day]
    open_lines: list[OpenLine]
    open_movements: list[rules.Movement]
    matched: int
    lines: int
    imports: list[StatementImport] = field(default_factory=list)

    @property
    def unreconciled(self) -> list[rules.Day]:
        return [day for day in self.days if not day.reconciled]

    @property
    def reconciled(self) -> bool:
        return bool(self.days) and not self.unreconciled


def covered(fund_id: int, start: date, end: date) -> list[tuple[date, date]]:
    """The parts of start–end that imported statements cover, merged."""
    spans = sorted(
        (max(a, start), min(b, end))
        for a, b in db.session.execute(
            select(StatementImport.period_start, StatementImport.period_end).where(
                StatementImport.fund_id == fund_id,
                StatementImport.period_start <= end,
                StatementImport.period_end >= start,
            )
        )
    )
    merged: list[tuple[date, date]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def covered_days(fund_id: int, start: date, end: date) -> list[date]:
    """Each day from ``start`` to ``end`` an imported statement covers."""
    return _days_in(covered(fund_id, start, end))


def _days_in(spans: Iterable[tuple[date, date]]) -> list[date]:
    days = []
    for a, b in spans:
        day = a
        while day <= b:
            days.append(day)
            day += timedelta(days=1)
    return days


def day_figures(fund_id: int, days: list[date]) -> list[rules.Day]:
    """Each of ``days`` bank against books, summed by the database: money in and out on each side, what is not
    matched, and the closing balances — a few rows a day, whatever the lines of the days."""
    if not days:
        return []
    low, high = min(days), max(days)
    amount = type_coerce(StatementLine.amount, BigInteger())
    line_matched = select(StatementMatch.id).where(StatementMatch.line_id == StatementLine.id, _standing()).exists()
    bank = {
        day: (int(money_in or 0), int(money_out or 0), int(open_ or 0))
        for day, money_in, money_out, open_ in db.session.execute(
            select(
                StatementLine.booked_on,
                func.sum(case((amount > 0, amount), else_=0)),
                func.sum(case((amount < 0, -amount), else_=0)),
                func.count().filter(~line_matched),
            )
            .where(StatementLine.fund_id == fund_id, StatementLine.booked_on.between(low, high))
            .group_by(StatementLine.booked_on)
        )
    }
    cash_account = (
        select(LedgerAccount.id).where(LedgerAccount.fund_id == fund_id, LedgerAccount.code == CASH).scalar_subquery()
    )
    debit, credit = type_coerce(JournalLeg.debit, BigInteger()), type_coerce(JournalLeg.credit, BigInteger())
    per_entry = (
        select(JournalLeg.entry_id.label("entry_id"), func.sum(debit - credit).label("net"))
        .join(JournalEntry, JournalEntry.id == JournalLeg.entry_id)
        .where(
            JournalLeg.account_id == cash_account,
            JournalEntry.fund_id == fund_id,
            JournalEntry.posted_on.between(low, high),
        )
        .group_by(JournalLeg.entry_id)
        .subquery()
    )
    entry_matched = (
        select(StatementMatch.id).where(StatementMatch.entry_id == per_entry.c.entry_id, _standing()).exists()
    )
    books = {
        day: (int(money_in or 0), int(money_out or 0), int(open_ or 0))
        for day, money_in, money_out, open_ in db.session.execute(
            select(
                JournalEntry.posted_on,
                func.sum(case((per_entry.c.net > 0, per_entry.c.net), else_=0)),
                func.sum(case((per_entry.c.net < 0, -per_entry.c.net), else_=0)),
                func.count().filter(and_(per_entry.c.net != 0, ~entry_matched)),
            )
            .join(per_entry, per_entry.c.entry_id == JournalEntry.id)
            .group_by(JournalEntry.posted_on)
        )
    }
    balances = _bank_closing(fund_id, days)
    closing = ledger.cash_closing(fund_id, days)
    found = []
    for day in days:
        bank_in, bank_out, open_lines = bank.get(day, (0, 0, 0))
        books_in, books_out, open_movements = books.get(day, (0, 0, 0))
        found.append(
            rules.Day(
                day=day,
                bank_in=Money(bank_in),
                bank_out=Money(bank_out),
                books_in=Money(books_in),
                books_out=Money(books_out),
                bank_closing=balances.get(day),
                books_closing=closing[day],
                unmatched_lines=open_lines,
                unmatched_movements=open_movements,
            )
        )
    return found


def _bank_closing(fund_id: int, days: list[date]) -> dict[date, Money]:
    """The bank's balance at the end of each of ``days``: the balance a statement gave for the day, or carried from
    the last day before it that had one (a day without movements ends where the day before ended)."""
    if not days:
        return {}
    given = dict(
        db.session.execute(
            select(StatementBalance.day, StatementBalance.balance).where(
                StatementBalance.fund_id == fund_id, StatementBalance.day.between(min(days), max(days))
            )
        ).all()
    )
    before = db.session.execute(
        select(StatementBalance.balance)
        .where(StatementBalance.fund_id == fund_id, StatementBalance.day < min(days))
        .order_by(StatementBalance.day.desc())
        .limit(1)
    ).scalar()
    found: dict[date, Money] = {}
    last: Money | None = before
    day = min(days)
    wanted = set(days)
    while day <= max(days):
        last = given.get(day, last)
        if day in wanted and last is not None:
            found[day] = last
        day += timedelta(days=1)
    return found


def standing(actor: User, fund_id: int, start: date, end: date) -> Standing:
    """Bank against books from ``start`` to ``end``: each covered day's movements and closing balances, the lines and
    book movements not matched (each line with the movements it nearly agrees with).

    :raise NotAllowed: not the platform's staff or the group. :raise InvalidInput: a period upside down or over a
    year."""
    _may(actor, READERS, "查看银行对账")
    if end < start:
        raise InvalidInput({"end": ["结束日期不能早于开始日期"]})
    if (end - start).days > 366:
        raise InvalidInput({"end": ["一次最多查看一年"]})
    return reading(fund_id, start, end)


def reading(fund_id: int, start: date, end: date) -> Standing:
    """``standing`` for the services that need it (the sweep, the risk page, the report): no actor, no limits."""
    spans = covered(fund_id, start, end)
    days = _days_in(spans)
    lines = list(
        db.session.scalars(
            select(StatementLine)
            .where(StatementLine.fund_id == fund_id, StatementLine.booked_on.between(start, end))
            .order_by(StatementLine.booked_on, StatementLine.import_id, StatementLine.row)
        )
    )
    matched_lines = set(
        db.session.scalars(
            select(StatementMatch.line_id).where(
                StatementMatch.fund_id == fund_id,
                _standing(),
                StatementMatch.line_id.in_(
                    select(StatementLine.id).where(
                        StatementLine.fund_id == fund_id, StatementLine.booked_on.between(start, end)
                    )
                ),
            )
        )
    )
    movements = [_movement(row) for row in db.session.execute(_movements_query(fund_id, start, end))]
    movements = [m for m in movements if m.amount.fen != 0]
    matched_entries = set(
        db.session.scalars(
            select(StatementMatch.entry_id).where(
                StatementMatch.fund_id == fund_id,
                _standing(),
                StatementMatch.entry_id.in_([m.entry_id for m in movements] or [0]),
            )
        )
    )
    open_movements = [m for m in movements if m.entry_id not in matched_entries]
    day_rows = day_figures(fund_id, days)
    open_lines = [
        OpenLine(line, rules.near(_as_line(line), open_movements)) for line in lines if line.id not in matched_lines
    ]
    imports = list(
        db.session.scalars(
            select(StatementImport)
            .where(
                StatementImport.fund_id == fund_id,
                StatementImport.period_start <= end,
                StatementImport.period_end >= start,
            )
            .order_by(StatementImport.id.desc())
        )
    )
    return Standing(start, end, spans, day_rows, open_lines, open_movements, len(matched_lines), len(lines), imports)


# -- by hand ---------------------------------------------------------------------------------------------------------


def match_by_hand(actor: User, fund_id: int, line_id: int, entry_id: int, reason: str) -> StatementMatch:
    """The operator matches a line to a book movement the automatic match could not pair (another reference, another
    day, or more than one candidate), with the reason. The amounts must be equal.

    :raise NotFound: another fund's line or entry. :raise InvalidInput: amounts differ, no reason, an entry that moves
    no money. :raise Conflict: the line or the entry is matched already."""
    _may(actor, KEEPERS, "对账")
    audit.take_turn()
    line = db.session.get(StatementLine, line_id, populate_existing=True)
    if line is None or line.fund_id != fund_id:
        raise NotFound("没有这笔银行流水")
    entry = db.session.get(JournalEntry, entry_id)
    if entry is None or entry.fund_id != fund_id:
        raise InvalidInput({"entry_id": ["没有这笔记账分录"]})
    found = [
        _movement(row)
        for row in db.session.execute(
            _movements_query(fund_id, entry.posted_on, entry.posted_on).where(JournalEntry.id == entry_id)
        )
    ]
    if not found or found[0].amount.fen == 0:
        raise InvalidInput({"entry_id": ["该分录未收付专用账户资金，不能与银行流水对账"]})
    problems = rules.hand_match_problems(_as_line(line), found[0], reason)
    text = _reason(reason, problems)
    if problems:
        raise InvalidInput(problems)
    _refuse_standing(line_id, entry_id)
    match = StatementMatch(
        fund_id=fund_id, line_id=line_id, entry_id=entry_id, how="hand", reason=text, matched_by_id=actor.id
    )
    db.session.add(match)
    db.session.flush()
    return finish(match)


def _reason(reason: str, problems: dict[str, list[str]]) -> str:
    """A reason as people type it (``domain.text``), at most 500 characters; a problem of it added to ``problems``."""
    wrong = text_problem(reason, multiline=True)
    if wrong is None and len(normalised(reason)) > 500:
        wrong = "不能超过 500 个字符"
    if wrong is not None:
        problems.setdefault("reason", []).append(wrong)
    return normalised(reason)


def _refuse_standing(line_id: int, entry_id: int) -> None:
    for column, value, what in (
        (StatementMatch.line_id, line_id, "这笔银行流水"),
        (StatementMatch.entry_id, entry_id, "这笔记账分录"),
    ):
        if db.session.scalar(select(StatementMatch.id).where(column == value, _standing())) is not None:
            raise Conflict(f"{what}已对账，请先撤销原对账", code="already_matched")


def undo(actor: User, fund_id: int, match_id: int, reason: str) -> StatementMatch:
    """Undo a match (automatic or by hand), with the reason; the row stays, marked undone.

    :raise NotFound: another fund's. :raise InvalidInput: no reason. :raise Conflict: undone already."""
    _may(actor, KEEPERS, "撤销对账")
    match_of(fund_id, match_id)  # another fund's is not there, whatever the reason given
    problems: dict[str, list[str]] = {} if reason.strip() else {"reason": ["撤销对账须写明理由"]}
    text = _reason(reason, problems)
    if problems:
        raise InvalidInput(problems)
    audit.take_turn()
    match = db.session.get(StatementMatch, match_id, with_for_update=True, populate_existing=True)
    assert match is not None
    if match.undone_at is not None:
        raise Conflict("该对账已撤销", code="already_undone")
    match.undone_at, match.undone_by_id, match.undo_reason = clock.utcnow(), actor.id, text
    return finish(match)


def imports(fund_id: int, limit: int = 50) -> list[StatementImport]:
    return list(
        db.session.scalars(
            select(StatementImport)
            .where(StatementImport.fund_id == fund_id)
            .order_by(StatementImport.id.desc())
            .limit(limit)
        )
    )


def match_of_line(line_id: int) -> StatementMatch | None:
    return db.session.scalar(select(StatementMatch).where(StatementMatch.line_id == line_id, _standing()))


def matches_in(
    fund_id: int, start: date, end: date, limit: int = 500
) -> list[tuple[StatementMatch, StatementLine, Any]]:
    """The standing matches of the lines of a period, each with its line and its entry (the first ``limit``)."""
    rows = db.session.execute(
        select(StatementMatch, StatementLine, JournalEntry)
        .join(StatementLine, StatementLine.id == StatementMatch.line_id)
        .join(JournalEntry, JournalEntry.id == StatementMatch.entry_id)
        .where(StatementMatch.fund_id == fund_id, _standing(), StatementLine.booked_on.between(start, end))
        .order_by(StatementLine.booked_on, StatementLine.import_id, StatementLine.row)
        .limit(limit)
    ).all()
    return [(match, line, entry) for match, line, entry in rows]


LOOK_BACK_DAYS = 92  # how far back the warnings look for a day not reconciled


def unreconciled(fund_id: int, today: date) -> tuple[list[date], date | None]:
    """The days before ``today`` (within ``LOOK_BACK_DAYS``) the statements cover and that still differ from the
    books, and the last day any imported statement covers (None: none imported)."""
    covered_to = db.session.scalar(
        select(func.max(StatementImport.period_end)).where(StatementImport.fund_id == fund_id)
    )
    if covered_to is None:
        return [], None
    start, end = today - timedelta(days=LOOK_BACK_DAYS), today - timedelta(days=1)
    figures = day_figures(fund_id, _days_in(covered(fund_id, start, end)))
    return [day.day for day in figures if not day.reconciled], covered_to


def line_of(fund_id: int, line_id: int) -> StatementLine:
    """:raise NotFound: no such line in the fund (another fund's is not there)."""
    line = db.session.get(StatementLine, line_id)
    if line is None or line.fund_id != fund_id:
        raise NotFound("没有这笔银行流水")
    return line


def match_of(fund_id: int, match_id: int) -> StatementMatch:
    """:raise NotFound: no such match in the fund."""
    match = db.session.get(StatementMatch, match_id)
    if match is None or match.fund_id != fund_id:
        raise NotFound("没有这条对账记录")
    return match


def format_of(fund_id: int, format_id: int) -> BankFormat:
    """:raise NotFound: no such format in the fund."""
    found = db.session.get(BankFormat, format_id)
    if found is None or found.fund_id != fund_id:
        raise NotFound("没有这个银行流水格式")
    return found

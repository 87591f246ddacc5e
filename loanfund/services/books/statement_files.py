"""Reading the special account's statement as the bank exported it (issue 29): a table (.xlsx or .csv) whose columns
a bank format names, or an ISO 20022 CAMT.053 statement. Every problem is reported by row and column in one pass;
a file with any problem gives no lines. Nothing here writes: ``bank_statement`` stores what was read.

Hostile files: the size and the number of rows are capped; XML is parsed by defusedxml (no DTD, no entities, no
network); a spreadsheet is opened read-only with cached values only (no formula is evaluated); text cells are kept as
text, trimmed, at most the columns' lengths.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from loanfund.domain.bank_statement import StatementLine
from loanfund.domain.errors import InvalidValue
from loanfund.domain.money import Money
from loanfund.domain.text import normalised, text_problem

MAX_BYTES = 10 * 1024 * 1024
MAX_LINES = 50_000
HEADER_WITHIN = 30  # the header row is looked for among the first rows (a title, the account's number, … above it)
TEXT_MAX = {"counterparty": 200, "reference": 200, "bank_txn_id": 120}
KINDS = {"table": "表格（.xlsx / .csv）", "camt053": "ISO 20022 CAMT.053（.xml）"}
FIELDS = {
    "date": "交易日期",
    "credit": "收入金额（贷方）",
    "debit": "支出金额（借方）",
    "amount": "发生额（收入为正、支出为负）",
    "counterparty": "对方户名",
    "reference": "凭证号或摘要",
    "balance": "余额",
    "bank_txn_id": "银行流水号",
}
SUMMARY_ROWS = ("合计", "总计", "小计", "本页合计", "累计")


@dataclass(frozen=True)
class Columns:
    """A bank format's columns: the header text of each field in the bank's export ('' where the bank has none).
    The date is required, and either one signed amount or the credit and debit columns."""

    date: str = ""
    credit: str = ""
    debit: str = ""
    amount: str = ""
    counterparty: str = ""
    reference: str = ""
    balance: str = ""
    bank_txn_id: str = ""

    @classmethod
    def of(cls, mapping: dict[str, Any]) -> Columns:
        return cls(**{name: str(mapping.get(name) or "").strip() for name in FIELDS})

    def as_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FIELDS}

    def problems(self) -> dict[str, list[str]]:
        """What is missing or contradictory in the mapping itself (for the administrator's form)."""
        found: dict[str, list[str]] = {}
        if not self.date:
            found["date"] = ["请填写交易日期所在列的列名"]
        if self.amount and (self.credit or self.debit):
            found["amount"] = ["发生额与收入、支出金额只能二选一"]
        elif not self.amount and not (self.credit and self.debit):
            found["credit"] = ["请填写收入、支出金额两列的列名，或只填写一列有正负号的发生额"]
        names = [v for v in self.as_dict().values() if v]
        repeated = sorted({v for v in names if names.count(v) > 1})
        if repeated:
            found.setdefault("date", []).append(f"同一列名不能用于两项：{'、'.join(repeated)}")
        return found


@dataclass(frozen=True)
class Problem:
    row: int | None  # the file's row (1 = the first) or a CAMT.053 entry's number, or None for the whole file
    column: str  # the column's header as the bank wrote it (a CAMT.053 element), or '' for the row or file
    message: str
    unit: str = "行"  # 行 of a table, 笔 of a CAMT.053 statement

    def __str__(self) -> str:
        where = f"第 {self.row} {self.unit}" if self.row is not None else "文件"
        return f"{where}「{self.column}」：{self.message}" if self.column else f"{where}：{self.message}"


@dataclass
class Read:
    """What a file held: its lines, the bank's closing balance of each day where it gives one, the period the
    statement covers, and every problem found."""

    lines: list[StatementLine] = field(default_factory=list)
    closing: dict[date, Money] = field(default_factory=dict)
    period: tuple[date, date] | None = None
    problems: list[Problem] = field(default_factory=list)


def read(kind: str, data: bytes, filename: str, columns: Columns | None = None) -> Read:
    """Read a statement file of the format's ``kind`` (``table`` with its ``columns``, or ``camt053``)."""
    if len(data) > MAX_BYTES:
        return Read(problems=[Problem(None, "", f"文件超过 {MAX_BYTES // 1024 // 1024} MB，请按月分开导出")])
    if not data:
        return Read(problems=[Problem(None, "", "文件是空的")])
    if kind == "camt053":
        result = _camt053(data)
    elif kind == "table":
        assert columns is not None
        rows = _rows(data, filename)
        result = rows if isinstance(rows, Read) else _table(rows, columns)
    else:
        raise ValueError(f"unknown statement kind {kind!r}")
    if not result.problems and not result.lines:
        result.problems.append(Problem(None, "", "文件中没有交易明细"))
    if not result.problems and result.period is None:
        days = [line.booked_on for line in result.lines]
        result.period = (min(days), max(days))
    return result


# -- tables ---------------------------------------------------------------------------------------------------------


def _rows(data: bytes, filename: str) -> list[Sequence[Any]] | Read:
    name = filename.lower()
    if name.endswith(".xls") and not data.startswith(b"PK"):
        return Read(problems=[Problem(None, "", "不支持旧版 .xls 文件：请在 Excel 中另存为 .xlsx，或从网银导出 .csv")])
    if data.startswith(b"PK"):
        return _xlsx_rows(data)
    return _csv_rows(data)


def _xlsx_rows(data: bytes) -> list[Sequence[Any]] | Read:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        return Read(problems=[Problem(None, "", "无法读取该 .xlsx 文件：文件已损坏或不是 Excel 工作簿")])
    try:
        sheet = book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(row)
            if len(rows) > MAX_LINES + HEADER_WITHIN:
                return Read(problems=[Problem(None, "", f"超过 {MAX_LINES} 行，请按月分开导出")])
        return rows
    finally:
        book.close()


def _csv_rows(data: bytes) -> list[Sequence[Any]] | Read:
    for encoding in ("utf-8-sig", "gb18030"):  # 网银 exports are GBK as often as UTF-8
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return Read(problems=[Problem(None, "", "无法识别文件编码（应为 UTF-8 或 GBK）")])
    if "\x00" in text:
        return Read(problems=[Problem(None, "", "文件不是文本表格（.csv）")])
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    rows: list[Sequence[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            rows.append(row)
            if len(rows) > MAX_LINES + HEADER_WITHIN:
                return Read(problems=[Problem(None, "", f"超过 {MAX_LINES} 行，请按月分开导出")])
    except csv.Error as exc:
        return Read(problems=[Problem(len(rows) + 1, "", f"无法解析该行：{exc}")])
    return rows


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return normalised(str(value))


def _header(rows: Sequence[Sequence[Any]], columns: Columns) -> tuple[int, dict[str, int]] | Problem:
    for index, row in enumerate(rows[:HEADER_WITHIN]):
        texts = [_cell_text(v) for v in row]
        if columns.date in texts:
            found = {}
            missing = []
            for name, header in columns.as_dict().items():
                if not header:
                    continue
                if header in texts:
                    found[name] = texts.index(header)
                else:
                    missing.append(header)
            if missing:
                return Problem(index + 1, "、".join(missing), "表头中找不到这些列，请核对所选的银行格式")
            return index, found
    return Problem(None, columns.date, f"前 {HEADER_WITHIN} 行中找不到这一列的表头，请核对所选的银行格式")


def _table(rows: list[Sequence[Any]], columns: Columns) -> Read:
    result = Read()
    header = _header(rows, columns)
    if isinstance(header, Problem):
        result.problems.append(header)
        return result
    start, at = header
    names = columns.as_dict()
    for offset, row in enumerate(rows[start + 1 :], start=start + 2):
        cells = {name: (row[i] if i < len(row) else None) for name, i in at.items()}
        if all(_cell_text(v) == "" for v in cells.values()):
            continue
        day_text = _cell_text(cells["date"])
        if day_text in SUMMARY_ROWS or any(day_text.startswith(word) for word in SUMMARY_ROWS):
            continue
        problems: list[Problem] = []

        def problem(name: str, message: str, row_number: int = offset, into: list[Problem] = problems) -> None:
            into.append(Problem(row_number, names[name], message))

        day = day_cell(cells["date"])
        if day is None:
            problem("date", f"无法识别的日期 {day_text or '（空）'}")
        amount = _amount_of(cells, problem)
        balance = None
        if "balance" in cells and _cell_text(cells["balance"]):
            balance = money_cell(cells["balance"], "balance", problem)
        texts = {name: _cell_text(cells.get(name)) for name in ("counterparty", "reference", "bank_txn_id")}
        for name, value in texts.items():
            wrong = text_problem(value)
            if len(value) > TEXT_MAX[name]:
                problem(name, f"超过 {TEXT_MAX[name]} 个字符")
            elif wrong is not None:
                problem(name, wrong)
        result.problems += problems
        if problems or day is None or amount is None:
            continue
        result.lines.append(StatementLine(offset, day, amount, balance=balance, **texts))
        if balance is not None:
            result.closing[day] = balance  # the day's last line in the file's order
    return result


def _amount_of(cells: dict[str, Any], problem: Any) -> Money | None:
    if "amount" in cells:
        if not _cell_text(cells["amount"]):
            problem("amount", "金额为空")
            return None
        amount = money_cell(cells["amount"], "amount", problem)
    else:
        if not _cell_text(cells["credit"]) and not _cell_text(cells["debit"]):
            problem("credit", "收入、支出金额均为空")
            return None
        credit = money_cell(cells["credit"], "credit", problem) if _cell_text(cells["credit"]) else Money.zero()
        debit = money_cell(cells["debit"], "debit", problem) if _cell_text(cells["debit"]) else Money.zero()
        if credit is None or debit is None:
            return None
        if credit.is_negative or debit.is_negative:
            problem("credit" if credit.is_negative else "debit", "收入、支出金额不能为负数")
            return None
        if credit.is_positive and debit.is_positive:
            problem("credit", "同一行收入、支出金额不能都有")
            return None
        amount = credit - debit
    if amount is not None and amount.fen == 0:
        problem("amount" if "amount" in cells else "credit", "金额为零")
        return None
    return amount


def money_cell(value: Any, name: str, problem: Any) -> Money | None:
    """An amount as the bank wrote it: text ("1,234.56", "¥1,234.56", "-3.00") or a spreadsheet's number, which
    becomes its shortest decimal form at once and is refused past the fen."""
    if isinstance(value, bool):
        problem(name, "金额格式不正确")
        return None
    if isinstance(value, int | float | Decimal):
        try:
            exact = Decimal(str(value))
        except InvalidOperation:
            problem(name, "金额格式不正确")
            return None
        if not exact.is_finite() or exact != exact.quantize(Decimal("0.01")):
            problem(name, f"金额 {value} 超过两位小数")
            return None
        return Money(int(exact * 100))
    text = re.sub(r"[\s¥￥元,，]", "", str(value))
    if text.startswith("+"):
        text = text[1:]
    try:
        return Money.parse(text)
    except InvalidValue as exc:
        problem(name, f"{exc.message}：{value}")
        return None


DAY_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")


def day_cell(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _cell_text(value)
    text = text.split(" ")[0].split("T")[0] if text else text
    for pattern in DAY_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


# -- CAMT.053 -------------------------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Any, name: str) -> Iterator[Any]:
    return (child for child in element if _local(child.tag) == name)


def _child(element: Any, *path: str) -> Any:
    for name in path:
        if element is None:
            return None
        element = next(_children(element, name), None)
    return element


def _text(element: Any, *path: str) -> str:
    found = _child(element, *path)
    return (found.text or "").strip() if found is not None else ""


def _camt053(data: bytes) -> Read:
    """An ISO 20022 bank-to-customer statement (camt.053, any version): each entry booked (``Ntry`` with ``Sts``
    BOOK or none), its booking day, amount and credit/debit, the bank's reference (``AcctSvcrRef``) as the line's
    own id, the transfer's reference (``EndToEndId``, else ``InstrId``, else the remittance text, else ``NtryRef``),
    the counterparty; the statement's closing balance (CLBD) and period."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    result = Read()
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException, ValueError):
        result.problems.append(Problem(None, "", "不是有效的 CAMT.053 XML 文件（或含有不允许的实体、DTD）"))
        return result
    statements = [s for s in root.iter() if _local(s.tag) == "Stmt"]
    if _local(root.tag) != "Document" or not statements:
        result.problems.append(Problem(None, "", "不是 CAMT.053 对账单：找不到 BkToCstmrStmt/Stmt"))
        return result
    position = 0
    starts, ends = [], []
    for statement in statements:
        period = _child(statement, "FrToDt")
        if period is not None:
            start, end = day_cell(_text(period, "FrDtTm")), day_cell(_text(period, "ToDtTm"))
            if start and end:
                starts.append(start)
                ends.append(end)
        for balance in _children(statement, "Bal"):
            if _text(balance, "Tp", "CdOrPrtry", "Cd") != "CLBD":
                continue
            amount = _camt_amount(balance, None, "Bal", result)
            day = day_cell(_text(balance, "Dt", "Dt") or _text(balance, "Dt", "DtTm"))
            if amount is not None and day is not None:
                result.closing[day] = amount
        for entry in _children(statement, "Ntry"):
            position += 1
            status = _text(entry, "Sts") or _text(entry, "Sts", "Cd")
            if status and status not in ("BOOK",):
                continue
            day = day_cell(_text(entry, "BookgDt", "Dt") or _text(entry, "BookgDt", "DtTm"))
            if day is None:
                result.problems.append(Problem(position, "BookgDt", "缺少或无法识别记账日期", "笔"))
            amount = _camt_amount(entry, position, "Amt", result)
            details = _child(entry, "NtryDtls", "TxDtls")
            reference = ""
            for candidate in (
                _text(details, "Refs", "EndToEndId"),
                _text(details, "Refs", "InstrId"),
                _text(details, "RmtInf", "Ustrd"),
                _text(entry, "NtryRef"),
            ):
                if candidate and candidate.upper() != "NOTPROVIDED":
                    reference = candidate
                    break
            credit = _text(entry, "CdtDbtInd") == "CRDT"
            party = _text(details, "RltdPties", "Dbtr" if credit else "Cdtr", "Nm") or _text(
                details, "RltdPties", "Dbtr" if credit else "Cdtr", "Pty", "Nm"
            )
            if day is None or amount is None:
                continue
            result.lines.append(
                StatementLine(
                    position,
                    day,
                    amount,
                    counterparty=party[: TEXT_MAX["counterparty"]],
                    reference=reference[: TEXT_MAX["reference"]],
                    bank_txn_id=_text(entry, "AcctSvcrRef")[: TEXT_MAX["bank_txn_id"]],
                )
            )
            if len(result.lines) > MAX_LINES:
                return Read(problems=[Problem(None, "", f"超过 {MAX_LINES} 笔，请按月分开导出")])
    if starts:
        result.period = (min(starts), max(ends))
    return result


def _camt_amount(element: Any, position: int | None, name: str, result: Read) -> Money | None:
    amount = _child(element, "Amt")
    if amount is None:
        result.problems.append(Problem(position, name, "缺少金额", "笔"))
        return None
    currency = amount.get("Ccy", "")
    if currency != "CNY":
        result.problems.append(
            Problem(position, name, f"币种为 {currency or '（空）'}，专用账户只收付人民币（CNY）", "笔")
        )
        return None
    try:
        money = Money.parse((amount.text or "").strip())
    except InvalidValue as exc:
        result.problems.append(Problem(position, name, exc.message, "笔"))
        return None
    if money.is_negative:
        result.problems.append(Problem(position, name, "金额不能为负数（方向由 CdtDbtInd 表示）", "笔"))
        return None
    indicator = _text(element, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        result.problems.append(Problem(position, "CdtDbtInd", "借贷方向须为 CRDT 或 DBIT", "笔"))
        return None
    return money if indicator == "CRDT" else -money

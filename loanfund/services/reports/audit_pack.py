"""The annual audit pack (第二十一条 专项审计; DESIGN §6): one zip with everything an auditor of a year asks for —
a folder per application of the year (its usage statement as PDF and .xlsx, the materials on file, its event log and
its journal lines as CSV), the year's journal, the trial balance at the year's end, the monthly analyses submitted
(each revision as JSON and .xlsx), and ``MANIFEST.sha256`` listing every file's SHA-256 in the form ``sha256sum -c``
checks (run in the folder the zip is unpacked into).

"Of the year": submitted in it, or with money booked in it (a bridge of December paid back in January is in both).
A pack is one fund's (DESIGN §7): its applications, its books, its filings and its group's register.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, subqueryload

from loanfund import clock
from loanfund.domain.errors import InvalidInput
from loanfund.domain.events import event_label
from loanfund.domain.ledger import describe
from loanfund.domain.lifecycle import Role, State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import (
    Application,
    JournalEntry,
    JournalLeg,
    LedgerAccount,
    Material,
    StatementImport,
    StatementLine,
    StatementMatch,
)
from loanfund.services import lifecycle
from loanfund.services.applications import receipts
from loanfund.services.applications.materials import storage_dir
from loanfund.services.books import bank_statement
from loanfund.services.group import group_register
from loanfund.services.lifecycle import statement
from loanfund.services.reports import documents, exports, monthly, reporting
from loanfund.services.reports.safe_text import csv_text

# the leading group commissions the audit (第二十一条); the administrator, who reads no application anywhere else,
# does not read every enterprise's documents through the pack (issue 25, finding 11)
READERS = frozenset({Role.GROUP})
MANIFEST = "MANIFEST.sha256"


@dataclass(frozen=True)
class Packed:
    path: Path
    applications: int
    files: int


def check_year(year: int) -> None:
    if not reporting.EARLIEST.year <= year <= reporting.LATEST.year:
        raise InvalidInput({"year": ["年度须在 2000 至 2100 之间"]})


def applications_of(fund_id: int, year: int) -> list[int]:
    """Ids of the fund's applications of ``year``: submitted in it, or with a journal entry posted in it."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    first, after = clock.day_start(start), clock.day_start(date(year + 1, 1, 1))
    booked = select(JournalEntry.application_id).where(
        JournalEntry.fund_id == fund_id, JournalEntry.posted_on.between(start, end)
    )
    return list(
        db.session.scalars(
            select(Application.id)
            .where(
                Application.fund_id == fund_id,
                or_(
                    (Application.submitted_at >= first) & (Application.submitted_at < after),
                    Application.id.in_(booked),
                ),
            )
            .order_by(Application.id)
        )
    )


def build(fund_id: int, year: int, out_dir: Path, progress: Callable[[int], None] | None = None) -> Packed:
    """Write the fund's ``审计资料-<year>.zip`` into ``out_dir``; ``progress(n)`` after each application.

    :raise InvalidInput: a year outside 2000–2100. :raise documents.PdfUnavailable: no Pango for the PDFs.
    """
    check_year(year)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"审计资料-{year}.zip"
    ids = applications_of(fund_id, year)
    sums: list[tuple[str, str]] = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as pack:

        def put(name: str, data: bytes) -> None:
            pack.writestr(name, data)
            sums.append((hashlib.sha256(data).hexdigest(), name))

        for batch in _batches(ids, 200):
            for application in _load(batch):
                for name, data in _application_files(application):
                    put(f"applications/{application.reference}/{name}", data)
                if progress:
                    progress(1)
            db.session.expunge_all()  # a year of applications need not stay in memory
        put(f"journal-{year}.csv", _journal(fund_id, year))
        put(f"trial-balance-{year}-12-31.csv", _trial_balance(fund_id, date(year, 12, 31)))
        for name, data in _bank_statement_files(fund_id, year):
            put(f"bank-statement/{name}", data)
        for row in monthly.all_filed(fund_id, year):
            stem = f"monthly-reports/{row.month:%Y-%m}-revision-{row.revision}"
            report = reporting.Report.from_json(row.data)
            put(f"{stem}.json", json.dumps(row.data, ensure_ascii=False, indent=1, sort_keys=True).encode())
            put(
                f"{stem}.xlsx",
                exports.report_workbook(report, f"{report.title}资金使用分析（报送第 {row.revision} 版）", row),
            )
        for name, data in _group_files(fund_id, year):
            put(f"group/{name}", data)
        pack.writestr(MANIFEST, "".join(f"{digest}  {name}\n" for digest, name in sums).encode())
    return Packed(target, len(ids), len(sums))


def _bank_statement_files(fund_id: int, year: int) -> list[tuple[str, bytes]]:
    """The special account's statement as the bank gave it (issue 29): every line of the year with the journal entry
    it was matched with (and how, and why), each day bank against books, and the imports with their files' SHA-256."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    matches = {
        m.line_id: m
        for m in db.session.scalars(
            select(StatementMatch).where(StatementMatch.fund_id == fund_id, StatementMatch.undone_at.is_(None))
        )
    }
    lines = db.session.scalars(
        select(StatementLine)
        .where(StatementLine.fund_id == fund_id, StatementLine.booked_on.between(start, end))
        .order_by(StatementLine.booked_on, StatementLine.import_id, StatementLine.row)
    ).all()
    if not lines:
        return []
    rows = []
    for line in lines:
        match = matches.get(line.id)
        how = "" if match is None else ("自动" if match.how == "auto" else f"人工：{match.reason}")
        rows.append(
            [
                line.booked_on.isoformat(),
                line.amount.plain(),
                line.counterparty,
                line.reference,
                "" if line.balance is None else line.balance.plain(),
                line.bank_txn_id,
                "" if match is None else match.entry_id,
                how,
            ]
        )
    days = bank_statement.day_figures(fund_id, bank_statement.covered_days(fund_id, start, end))
    imports = db.session.scalars(
        select(StatementImport)
        .where(
            StatementImport.fund_id == fund_id, StatementImport.period_start <= end, StatementImport.period_end >= start
        )
        .order_by(StatementImport.id)
    ).all()
    return [
        (
            f"lines-{year}.csv",
            _csv(
                [
                    "记账日期",
                    "金额（元，收入为正）",
                    "对方户名",
                    "凭证号或摘要",
                    "余额（元）",
                    "银行流水号",
                    "对应分录号",
                    "对账方式",
                ],
                rows,
            ),
        ),
        (
            f"days-{year}.csv",
            _csv(
                [
                    "日期",
                    "银行收入",
                    "银行支出",
                    "账面收入",
                    "账面支出",
                    "银行日终余额",
                    "账面日终余额",
                    "未对账银行流水",
                    "未对账账面收付",
                    "已对平",
                ],
                [
                    [
                        d.day.isoformat(),
                        d.bank_in.plain(),
                        d.bank_out.plain(),
                        d.books_in.plain(),
                        d.books_out.plain(),
                        "" if d.bank_closing is None else d.bank_closing.plain(),
                        d.books_closing.plain(),
                        d.unmatched_lines,
                        d.unmatched_movements,
                        "是" if d.reconciled else "否",
                    ]
                    for d in days
                ],
            ),
        ),
        (
            "imports.csv",
            _csv(
                ["导入时间", "文件", "格式", "期间起", "期间止", "读取", "新增", "已有", "自动对账", "SHA-256"],
                [
                    [
                        i.imported_at.isoformat(),
                        i.filename,
                        i.format_name,
                        i.period_start.isoformat(),
                        i.period_end.isoformat(),
                        i.lines_read,
                        i.lines_added,
                        i.lines_known,
                        i.matched,
                        i.sha256,
                    ]
                    for i in imports
                ],
            ),
        ),
    ]


DECIDED_ON = ("申请", "黑名单", "月度报告", "制度")  # what a decision of the group was taken on (ids)


def _group_files(fund_id: int, year: int) -> list[tuple[str, bytes]]:
    """The leading group's register of the year (its meetings with their minutes, its decisions) and the platform's
    rules documents (第四、二十条): every version filed, with its file."""
    folder = storage_dir()
    meetings = group_register.meetings_of(fund_id, year)
    files = [
        (
            "meetings.csv",
            _csv(
                ["会议日期", "会议名称", "出席人员", "会议纪要编号", "纪要文件", "SHA-256"],
                [[m.held_on.isoformat(), m.title, m.attendees, m.minutes_ref, m.filename, m.sha256] for m in meetings],
            ),
        ),
        (
            "decisions.csv",
            _csv(
                [
                    "编号",
                    "日期",
                    "会议纪要编号",
                    "类别",
                    "决定事项",
                    "决定",
                    "说明",
                    "申请",
                    "黑名单",
                    "月度报告",
                    "制度",
                ],
                [
                    [
                        d.id,
                        d.decided_on.isoformat(),
                        d.minutes_ref,
                        group_register.KIND_LABELS[d.kind],
                        d.subject,
                        d.outcome,
                        d.note,
                        d.application_id or "",
                        d.blacklist_entry_id or "",
                        d.monthly_report_id or "",
                        d.rules_document_id or "",
                    ]
                    for d in group_register.decisions_of(fund_id, year)
                ],
            ),
        ),
    ]
    files += [(f"minutes/{m.id}-{entry_name(m.filename)}", (folder / m.sha256).read_bytes()) for m in meetings]
    documents_ = group_register.all_rules_documents(fund_id)
    files.append(
        (
            "rules.csv",
            _csv(
                ["制度名称", "版本", "报领导小组备案日期", "修订说明", "文件", "SHA-256"],
                [[d.title, d.version, d.filed_on.isoformat(), d.note, d.filename, d.sha256] for d in documents_],
            ),
        )
    )
    files += [
        (f"rules/{d.id}-v{d.version}-{entry_name(d.filename)}", (folder / d.sha256).read_bytes()) for d in documents_
    ]
    return files


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def entry_name(filename: str) -> str:
    """A name someone uploaded, as one entry of the zip: no directory of its own (``/`` or ``\\``), no ``..``, no
    control character or character Windows refuses — each becomes ``_`` — and never empty."""
    name = _UNSAFE.sub("_", filename).replace("..", "_").strip(" .")
    return name[:150] or "file"


def _batches(ids: list[int], size: int) -> Iterator[list[int]]:
    for index in range(0, len(ids), size):
        yield ids[index : index + size]


def _load(ids: list[int]) -> list[Application]:
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.id.in_(ids))
            .options(
                joinedload(Application.enterprise),
                joinedload(Application.bank),
                joinedload(Application.policy_version),
                subqueryload(Application.receipts),
                joinedload(Application.bank_claim),
            )
            .order_by(Application.id)
        )
    )


def _csv(header: list[str], rows: Sequence[Sequence[object]]) -> bytes:
    """UTF-8 with a BOM (Excel opens it as Chinese); every field data, never a formula."""
    return csv_text(header, rows, lineterminator="\n").encode()


def _application_files(application: Application) -> list[tuple[str, bytes]]:
    files: list[tuple[str, bytes]] = []
    if application.state_enum in statement.STATEMENT_STATES:
        filed = lifecycle.usage_statement(application)
        files.append(("usage-statement.pdf", documents.statement_pdf(filed)))
        files.append(("usage-statement.xlsx", documents.statement_workbook(filed)))
    events = lifecycle.timeline(application)
    files.append(
        (
            "events.csv",
            _csv(
                ["时间", "环节", "原状态", "新状态", "办理人", "角色", "意见", "数据"],
                [
                    [
                        clock.local(e.at).isoformat(timespec="seconds"),
                        event_label(e.action),
                        State(e.from_state).label if e.from_state else "",
                        State(e.to_state).label,
                        e.actor.display_name if e.actor else "系统",
                        e.actor_role,
                        e.note,
                        json.dumps(e.payload, ensure_ascii=False, sort_keys=True),
                    ]
                    for e in events
                ],
            ),
        )
    )
    files.append(("ledger.csv", _journal_lines(JournalEntry.application_id == application.id)))
    for slip in receipts.of(application):  # its 受理回执 and 电子回单 (issue 30)
        files.append((f"receipts/{slip.filename}", documents.receipt_pdf(slip)))
    folder = storage_dir()
    for material in db.session.scalars(
        select(Material).where(Material.application_id == application.id).order_by(Material.id)
    ):
        data = (folder / material.sha256).read_bytes()
        files.append((f"materials/{material.id}-{entry_name(material.filename)}", data))
    return files


def _journal_lines(where: object) -> bytes:
    rows = db.session.execute(
        select(
            JournalEntry.id,
            JournalEntry.posted_on,
            JournalEntry.key,
            JournalEntry.description,
            JournalEntry.bank_ref,
            JournalEntry.application_id,
            LedgerAccount.code,
            LedgerAccount.name,
            reporting.DEBIT,
            reporting.CREDIT,
        )
        .join(JournalLeg, JournalLeg.entry_id == JournalEntry.id)
        .join(LedgerAccount, JournalLeg.account_id == LedgerAccount.id)
        .where(where)  # type: ignore[arg-type]
        .order_by(JournalEntry.posted_on, JournalEntry.id, JournalLeg.id)
    ).all()
    return _csv(
        ["分录号", "记账日期", "幂等键", "摘要", "银行凭证号", "申请", "科目代码", "科目", "借方（元）", "贷方（元）"],
        [
            [
                i,
                on.isoformat(),
                key,
                text,
                ref or "",
                app or "",
                code,
                name,
                Money(debit).plain(),
                Money(credit).plain(),
            ]
            for i, on, key, text, ref, app, code, name, debit, credit in rows
        ],
    )


def _journal(fund_id: int, year: int) -> bytes:
    return _journal_lines(
        (JournalEntry.fund_id == fund_id) & JournalEntry.posted_on.between(date(year, 1, 1), date(year, 12, 31))
    )


def _trial_balance(fund_id: int, at: date) -> bytes:
    rows = db.session.execute(
        select(
            LedgerAccount.code,
            func.coalesce(func.sum(reporting.DEBIT), 0),
            func.coalesce(func.sum(reporting.CREDIT), 0),
        )
        .join(JournalLeg, JournalLeg.account_id == LedgerAccount.id)
        .join(JournalEntry, JournalLeg.entry_id == JournalEntry.id)
        .where(JournalEntry.fund_id == fund_id, JournalEntry.posted_on <= at)
        .group_by(LedgerAccount.code)
        .order_by(LedgerAccount.code)
    ).all()
    lines = []
    total_debit = total_credit = 0
    for code, debit, credit in rows:
        name, kind = describe(code)
        balance = int(debit) - int(credit) if kind.debit_normal else int(credit) - int(debit)
        lines.append(
            [code, name, kind.value, Money(int(debit)).plain(), Money(int(credit)).plain(), Money(balance).plain()]
        )
        total_debit, total_credit = total_debit + int(debit), total_credit + int(credit)
    lines.append(["合计", "", "", Money(total_debit).plain(), Money(total_credit).plain(), ""])
    return _csv(
        ["科目代码", "科目", "类别", f"借方累计（截至 {at.isoformat()}）", "贷方累计", "余额（正常方向）"], lines
    )

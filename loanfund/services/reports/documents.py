"""Documents for the archive and the group office: the usage statement as an A4 PDF — the page's own HTML laid out
by WeasyPrint (a maintained HTML-to-PDF library; it needs Pango, see the README) — and as a workbook."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, render_template

from loanfund.domain.money import Money
from loanfund.services.applications.receipts import Slip
from loanfund.services.lifecycle.statement import Statement
from loanfund.services.reports.workbook import TEXT, YUAN, Book, Cell, Column, yuan


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot load the system libraries it draws with (Pango)."""


def statement_html(statement: Statement) -> str:
    return render_template("applications/statement_print.html", s=statement)


def statement_pdf(statement: Statement) -> bytes:
    return html_pdf(statement_html(statement))


def receipt_pdf(slip: Slip) -> bytes:
    """A 受理回执 or an 电子回单 (issue 30) as an A4 PDF. :raise PdfUnavailable: no Pango."""
    return html_pdf(render_template("applications/receipt_print.html", r=slip))


def html_pdf(html: str) -> bytes:
    """A4 pages of one of the fund's documents (laid out by ``statement.css``). :raise PdfUnavailable: no Pango."""
    try:
        from weasyprint import CSS, HTML  # loads Pango through cffi when first imported
    except OSError as exc:  # pragma: no cover - a machine without Pango
        raise PdfUnavailable(
            "生成 PDF 需要系统的 Pango 库（Debian: apt install libpango-1.0-0 libpangoft2-1.0-0）"
        ) from exc
    stylesheet = CSS(filename=str(Path(current_app.static_folder or "") / "statement.css"))
    pdf: bytes | None = HTML(string=html).write_pdf(stylesheets=[stylesheet])
    assert pdf is not None
    return pdf


def statement_workbook(statement: Statement) -> bytes:
    book = Book(statement.fund_name, "使用情况说明表")
    filed = (
        f"填表日期 {statement.filed_on}，已报{statement.filed_with}备案" if statement.filed_on else "草稿（尚未归档）"
    )
    rows = []
    for title, lines in statement.sections:
        for line in lines:
            value = Cell(yuan(Money(line.amount_fen)), YUAN) if line.amount_fen is not None else line.value
            rows.append((title, line.label, value))
    book.sheet(
        "说明表",
        f"编号 {statement.reference} · {filed}",
        [Column("栏目", width=18), Column("项目", width=30), Column("内容", TEXT, 70)],
        rows,
    )
    book.sheet(
        "办理过程",
        f"编号 {statement.reference} 的办理过程",
        [Column("时间", width=18), Column("环节", width=16), Column("办理人", width=22), Column("意见", width=60)],
        statement.events,
    )
    return book.bytes()

"""Excel workbooks (.xlsx, openpyxl) of what the fund reports: numbers are numbers — amounts as exact decimals of 元
(or 万元) with number formats that say so — every sheet has a title block, a frozen header row and set widths."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from loanfund import clock
from loanfund.domain.money import Money
from loanfund.services.reports.safe_text import printable

YUAN = '#,##0.00"元"'
WAN = '#,##0.00"万元"'
COUNT = '#,##0"笔"'
DAYS = '0.0"天"'
PERCENT = "0.0%"
DAY = "yyyy年m月d日"
TEXT = "@"

_HEADER_FILL = PatternFill("solid", fgColor="E8EEF5")
_THIN = Side(style="thin", color="B8C4D0")


@dataclass(frozen=True)
class Column:
    title: str
    format: str = TEXT
    width: int = 14


@dataclass(frozen=True)
class Cell:
    """A value with its own number format, for a sheet whose rows mix units (a summary)."""

    value: Any
    format: str


def yuan(amount: Money) -> Decimal:
    """An amount as an exact decimal of 元 (openpyxl writes a Decimal as it prints: no binary fraction)."""
    return Decimal(amount.fen) / 100


def wan(amount: Money) -> Decimal:
    return Decimal(amount.fen) / 1_000_000


_WRAPPED = Alignment(wrap_text=True, vertical="top")  # one style object for every text cell, not one a cell


class Book:
    def __init__(self, fund_name: str, subject: str) -> None:
        self.workbook = Workbook()
        self.fund_name = fund_name
        self.subject = subject
        self._first = True

    def sheet(self, name: str, heading: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Worksheet:
        """A sheet: the title block (fund, subject, what the sheet is, when made), the header row frozen below it,
        then the rows — each value written as it is (Decimal, int, date or text), formatted by its column."""
        if self._first:
            ws = self.workbook.active
            assert ws is not None
            ws.title = name
            self._first = False
        else:
            ws = self.workbook.create_sheet(name)
        width = max(len(columns), 1)
        ws.append([printable(f"{self.fund_name} · {self.subject}")])
        ws.append([printable(heading)])
        ws.append([f"制表时间 {clock.local(clock.utcnow()):%Y年%m月%d日 %H:%M}"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
        for title_cell in (ws["A1"], ws["A2"]):
            title_cell.data_type = "s"  # the title block may quote what a user typed (a filter): text, not a formula
        ws["A1"].font = Font(bold=True, size=14)
        ws["A2"].font = Font(bold=True, size=11)
        ws["A3"].font = Font(size=9, color="51606F")
        ws.append([printable(c.title) for c in columns])
        header = ws.max_row
        for index, column in enumerate(columns, start=1):
            cell = ws.cell(row=header, column=index)
            cell.data_type = "s"
            cell.font = Font(bold=True)
            cell.fill = _HEADER_FILL
            cell.border = Border(bottom=_THIN)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            ws.column_dimensions[get_column_letter(index)].width = column.width
        # Each row's number counted here (openpyxl's max_row walks every cell: once a row, a long sheet was
        # quadratic), and each number format's style worked out once and copied to its cells — set cell by cell, a
        # sheet of the overdue list at a million applications spent a second looking styles up.
        styles: dict[str, Any] = {}
        for row, values in enumerate(rows, start=header + 1):
            ws.append([_cell(v) for v in values])
            for index, (column, value) in enumerate(zip(columns, values, strict=False), start=1):
                cell = ws.cell(row=row, column=index)
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text is text: a name beginning with = is shown, never run as a formula
                number_format = value.format if isinstance(value, Cell) else column.format
                if number_format not in styles:
                    cell.number_format = number_format
                    if number_format == TEXT:
                        cell.alignment = _WRAPPED
                    styles[number_format] = copy(cell._style)
                else:
                    cell._style = copy(styles[number_format])
        ws.freeze_panes = ws.cell(row=header + 1, column=1)
        ws.print_title_rows = f"{header}:{header}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        return ws

    def chart(
        self,
        ws: Worksheet,
        kind: str,
        title: str,
        categories: int,
        series: Sequence[int],
        rows: int,
        anchor: str,
    ) -> None:
        """A chart of the sheet's own cells beside its table (``kind``: line, bar or pie): the categories from
        column ``categories``, one series per column of ``series`` named by its header, over the first ``rows`` rows
        under the header (not a total row) — what the page draws, in the workbook, live on its numbers."""
        if rows < 1:
            return
        header = 4  # below the title block
        chart: LineChart | BarChart | PieChart
        if kind == "line":
            chart = LineChart()
        elif kind == "bar":
            chart = BarChart()
            chart.type = "col"
        else:
            chart = PieChart()
        chart.title = title
        chart.height, chart.width = 8, 16
        for column in series:
            data = Reference(ws, min_col=column, min_row=header, max_row=header + rows)
            chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=categories, min_row=header + 1, max_row=header + rows))
        ws.add_chart(chart, anchor)

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, Cell):
        return _cell(value.value)
    if isinstance(value, Money):
        raise TypeError("convert Money with yuan() or wan() so the column's unit is explicit")
    if isinstance(value, datetime):
        return clock.local(value).replace(tzinfo=None)
    if isinstance(value, str):
        return printable(value)  # a control character stored before cannot break the workbook
    if isinstance(value, date | Decimal | int) or value is None:
        return value
    return printable(str(value))

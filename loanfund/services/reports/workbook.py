"""Excel workbooks (.xlsx, XlsxWriter) of what the fund reports: numbers are numbers — amounts as exact decimals of 元
(or 万元) with number formats that say so — every sheet has a title block, a frozen header row and set widths.

XlsxWriter writes each cell straight into the sheet's XML: a month's overdue list at a million applications (3,000
lines of eleven cells) is written in a third of the time openpyxl took building a cell object each (issue 28). Text
is always written as text — the workbook is told never to take a string for a formula, a number or a link."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

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

_HEADER_ROW = 3  # 0-based: below the three rows of the title block (the header is row 4 in Excel's terms)
_CHART_SIZE = {"width": 605, "height": 302}  # 16 × 8 cm
_CHART_TYPES = {"line": "line", "bar": "column", "pie": "pie"}
# never a formula, a number or a link made of what a user typed: text is text (issue 25)
_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}


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
    """An amount as an exact decimal of 元 (written as its digits print: no binary fraction on the way)."""
    return Decimal(amount.fen) / 100


def wan(amount: Money) -> Decimal:
    return Decimal(amount.fen) / 1_000_000


class Book:
    def __init__(self, fund_name: str, subject: str) -> None:
        self.buffer = io.BytesIO()
        self.workbook = Workbook(self.buffer, _OPTIONS)
        self.fund_name = fund_name
        self.subject = subject
        title = {"bold": True, "valign": "vcenter"}
        self._title = self.workbook.add_format(title | {"font_size": 14})
        self._heading = self.workbook.add_format(title | {"font_size": 11})
        self._made = self.workbook.add_format({"font_size": 9, "font_color": "#51606F"})
        self._header = self.workbook.add_format(
            {
                "bold": True,
                "bg_color": "#E8EEF5",
                "bottom": 1,
                "bottom_color": "#B8C4D0",
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
            }
        )
        self._formats: dict[str, Format] = {}

    def _format(self, number_format: str) -> Format:
        """One format object per number format, shared by every cell that has it; text wraps, top-aligned."""
        if number_format not in self._formats:
            extra = {"text_wrap": True, "valign": "top"} if number_format == TEXT else {}
            self._formats[number_format] = self.workbook.add_format({"num_format": number_format} | extra)
        return self._formats[number_format]

    def sheet(self, name: str, heading: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Worksheet:
        """A sheet: the title block (fund, subject, what the sheet is, when made), the header row frozen below it,
        then the rows — each value written as it is (Decimal, int, date or text), formatted by its column."""
        ws = self.workbook.add_worksheet(name)
        last = max(len(columns), 1) - 1
        for row, text, style in (
            (0, printable(f"{self.fund_name} · {self.subject}"), self._title),
            (1, printable(heading), self._heading),
        ):
            if last:
                ws.merge_range(row, 0, row, last, "", style)
            ws.write_string(row, 0, text, style)
        ws.write_string(2, 0, f"制表时间 {clock.local(clock.utcnow()):%Y年%m月%d日 %H:%M}", self._made)
        for index, column in enumerate(columns):
            ws.write_string(_HEADER_ROW, index, printable(column.title), self._header)
            ws.set_column(index, index, column.width)
        for row, values in enumerate(rows, start=_HEADER_ROW + 1):
            for index, (column, value) in enumerate(zip(columns, values, strict=False)):
                style = self._format(value.format if isinstance(value, Cell) else column.format)
                _write(ws, row, index, _cell(value), style)
        ws.freeze_panes(_HEADER_ROW + 1, 0)
        ws.repeat_rows(_HEADER_ROW)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)  # one page wide, as many long as it takes
        ws.set_footer("&C第 &P 页，共 &N 页")
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
        under the header (not a total row) — what the page draws, in the workbook, live on its numbers. Columns are
        counted from 1, as Excel names them A, B, …"""
        if rows < 1:
            return
        chart = self.workbook.add_chart({"type": _CHART_TYPES[kind]})
        assert chart is not None
        first, last = _HEADER_ROW + 1, _HEADER_ROW + rows
        for column in series:
            chart.add_series(
                {
                    "name": [ws.name, _HEADER_ROW, column - 1],
                    "categories": [ws.name, first, categories - 1, last, categories - 1],
                    "values": [ws.name, first, column - 1, last, column - 1],
                }
            )
        chart.set_title({"name": title})
        chart.set_size(_CHART_SIZE)
        ws.insert_chart(anchor, chart)

    def bytes(self) -> bytes:
        self.workbook.close()
        return self.buffer.getvalue()


def _write(ws: Worksheet, row: int, column: int, value: Any, style: Format) -> None:
    if value is None:
        ws.write_blank(row, column, None, style)
    elif isinstance(value, str):
        ws.write_string(row, column, value, style)
    elif isinstance(value, date):  # a datetime is a date too
        ws.write_datetime(row, column, value, style)
    else:
        ws.write_number(row, column, value, style)


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

"""What the fund's exports write of text that came from outside (issue 25): stored values are shown, never run.

A spreadsheet runs a cell that begins with ``=`` (and a CSV field that begins with ``=``, ``+``, ``-``, ``@``, tab or
CR, the OWASP CSV-injection rule); a control character cannot be written into .xlsx at all (openpyxl refuses it and the
whole export fails). Input is checked at the door (``domain.text``); these writers make what is already stored safe
to export whatever it holds: a control character is shown as its Unicode control picture (U+240B for a vertical tab),
a formula as text."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

# C0 except tab, LF and CR (kept in multi-line text), DEL, C1 — what .xlsx cannot hold or a reader should not get
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\\x{code:02x}"  # C1: no picture exists


def printable(text: str) -> str:
    """``text`` with every control character .xlsx cannot hold shown as a visible sign."""
    return _CONTROL.sub(_picture, text)


def csv_field(value: Any) -> Any:
    """A CSV field as data: control characters shown, and a text that a spreadsheet would run as a formula prefixed
    with an apostrophe (a plain number, negative or not, stays a number)."""
    if not isinstance(value, str):
        return value
    text = printable(value)
    if text.startswith(_CSV_TRIGGERS) and not _NUMBER.match(text):
        return "'" + text
    return text


def csv_text(header: Iterable[Any], rows: Iterable[Iterable[Any]], lineterminator: str = "\r\n") -> str:
    """A CSV document (UTF-8 with BOM, so Excel reads the Chinese) whose every field is data."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerow([csv_field(v) for v in header])
    writer.writerows([csv_field(v) for v in row] for row in rows)
    return out.getvalue()

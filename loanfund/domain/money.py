"""Money as an exact count of fen (分).

Amounts are integers of fen in storage and arithmetic; rates are ``Decimal``; a ``float`` is refused wherever an
amount is built. Rounding happens once, half-up, at the end of a computation (``Money.from_decimal_fen``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from loanfund.domain.errors import InvalidValue

FEN_PER_YUAN = 100
FEN_PER_WAN = 1_000_000  # 1 万元 = 10,000 元 = 1,000,000 分

# 9,999,999,999,999.99 元: far above any fund, small enough for a 64-bit column and for Chinese capitals (万亿).
MAX_FEN = 10**15 - 1

# ASCII digits only: Python's \d and int() also take "١٢٣" or "１２３", which no one means as an amount of money.
_AMOUNT = re.compile(r"^(?P<sign>-)?(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<frac>[0-9]{1,2}))?$")

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_SECTION_UNITS = ("", "万", "亿", "万亿")


@dataclass(frozen=True, order=True, slots=True)
class Money:
    """An amount in fen. ``Money(4050000)`` is 40,500.00 元."""

    fen: int

    def __post_init__(self) -> None:
        if isinstance(self.fen, bool) or not isinstance(self.fen, int):
            raise TypeError(f"Money needs integer fen, got {type(self.fen).__name__}")

    # -- construction -------------------------------------------------------------------------------------------

    @classmethod
    def parse(cls, text: Any) -> Money:
        """Parse an amount in 元 written as text: "12,345.67", "1234.5", "0.01", "-3.00".

        Refuses floats (they are not exact), more than two decimals, misplaced separators and anything that is not
        a number. The message says what is wrong, in Chinese.
        """
        if isinstance(text, bool | float):
            raise InvalidValue('金额须写成文本形式，如 "30000000.00"，不接受浮点数', code="amount_not_text")
        if isinstance(text, int):
            raise InvalidValue('金额须写成文本形式，如 "30000000.00"', code="amount_not_text")
        if not isinstance(text, str):
            raise InvalidValue("金额格式不正确", code="amount_format")
        cleaned = text.strip()
        if not cleaned:
            raise InvalidValue("请填写金额", code="amount_missing")
        match = _AMOUNT.match(cleaned)
        if match is None:
            if re.match(r"^-?[0-9,]*\.[0-9]{3,}$", cleaned):
                raise InvalidValue("金额最多保留两位小数（精确到分）", code="amount_precision")
            raise InvalidValue("金额格式不正确，请填写数字，如 12,345.67", code="amount_format")
        whole = int(match["int"].replace(",", ""))
        frac = (match["frac"] or "").ljust(2, "0")
        fen = whole * FEN_PER_YUAN + int(frac)
        if fen > MAX_FEN:
            raise InvalidValue("金额超出系统允许的范围", code="amount_too_large")
        return cls(-fen if match["sign"] else fen)

    @classmethod
    def yuan(cls, whole: int) -> Money:
        """A whole number of 元 (for code and tests: ``Money.yuan(40_000_000)``)."""
        return cls(whole * FEN_PER_YUAN)

    @classmethod
    def from_decimal_fen(cls, value: Decimal) -> Money:
        """Round an exact ``Decimal`` count of fen half-up to whole fen — the one rounding step of a computation."""
        return cls(int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP)))

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    # -- arithmetic ---------------------------------------------------------------------------------------------

    def __add__(self, other: Money) -> Money:
        return Money(self.fen + other.fen)

    def __sub__(self, other: Money) -> Money:
        return Money(self.fen - other.fen)

    def __neg__(self) -> Money:
        return Money(-self.fen)

    def times(self, factor: Decimal) -> Decimal:
        """The exact product in fen, unrounded; round once with ``from_decimal_fen`` when the computation ends."""
        if not isinstance(factor, Decimal):
            raise TypeError("rates and ratios must be Decimal")
        return Decimal(self.fen) * factor

    @property
    def is_positive(self) -> bool:
        return self.fen > 0

    @property
    def is_negative(self) -> bool:
        return self.fen < 0

    # -- presentation -------------------------------------------------------------------------------------------

    def plain(self) -> str:
        """ "30000000.00" — the form amounts travel in (API, forms)."""
        sign = "-" if self.fen < 0 else ""
        whole, frac = divmod(abs(self.fen), FEN_PER_YUAN)
        return f"{sign}{whole}.{frac:02d}"

    def format(self) -> str:
        """ "40,500.00" — 元 with thousands separators."""
        sign = "-" if self.fen < 0 else ""
        whole, frac = divmod(abs(self.fen), FEN_PER_YUAN)
        return f"{sign}{whole:,}.{frac:02d}"

    def format_wan(self) -> str:
        """ "3,300.00" — 万元 with two decimals, and more only when needed to stay exact (3,200.000001)."""
        sign = "-" if self.fen < 0 else ""
        whole, rest = divmod(abs(self.fen), FEN_PER_WAN)
        frac = f"{rest:06d}".rstrip("0").ljust(2, "0")
        return f"{sign}{whole:,}.{frac}"

    def format_wan_rounded(self) -> str:
        """ "3,200.00" — 万元 to two decimals, half up, for a dashboard tile (the exact amount goes in its tooltip)."""
        value = (Decimal(self.fen) / FEN_PER_WAN).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return f"{value:,.2f}"

    def as_written(self) -> str:
        """As regulations write round amounts: 40,000,000.00 → 4000万元, 100,000,000.00 → 1亿元; others in 元."""
        yi, wan = 100 * 100_000_000, FEN_PER_WAN
        if self.fen and self.fen % yi == 0:
            return f"{self.fen // yi}亿元"
        if self.fen and self.fen % wan == 0:
            return f"{self.fen // wan}万元"
        return f"{self.format()}元"

    def capitals(self) -> str:
        """人民币大写 as on official documents: 40,500.00 → 人民币肆万零伍佰元整, 0.13 → 人民币壹角叁分."""
        if self.fen < 0:
            return "负" + Money(-self.fen).capitals()
        whole, frac = divmod(self.fen, FEN_PER_YUAN)
        jiao, fen = divmod(frac, 10)
        text = "人民币"
        if whole:
            text += _integer_capitals(whole) + "元"
        if not jiao and not fen:
            return text + ("整" if whole else "零元整")
        if jiao:
            text += _DIGITS[jiao] + "角"
        elif whole:
            text += "零"  # 壹元零伍分: a zero 角 between 元 and 分 must be written
        if fen:
            text += _DIGITS[fen] + "分"
        return text

    def __str__(self) -> str:
        return self.format()


def _section_capitals(section: int) -> str:
    """0 < section < 10000 in capitals, without its section unit: 1010 → 壹仟零壹拾, 500 → 伍佰."""
    text = ""
    pending_zero = False
    for position in range(3, -1, -1):
        digit = section // 10**position % 10
        if digit == 0:
            pending_zero = bool(text)
            continue
        if pending_zero:
            text += "零"
            pending_zero = False
        text += _DIGITS[digit] + _SMALL_UNITS[position]
    return text


def _integer_capitals(number: int) -> str:
    """A positive integer in capitals, sections of four digits joined by 万/亿 with the zeros the rules require."""
    sections: list[int] = []
    while number:
        number, section = divmod(number, 10_000)
        sections.append(section)
    text = ""
    zero_between = False
    for index in range(len(sections) - 1, -1, -1):
        section = sections[index]
        if section == 0:
            zero_between = bool(text)
            continue
        if text and (zero_between or section < 1000):
            text += "零"
        text += _section_capitals(section) + _SECTION_UNITS[index]
        zero_between = False
    return text

"""Money over integer fen: parsing, formatting, Chinese capitals."""

from decimal import Decimal

import pytest

from loanfund.domain.errors import InvalidValue
from loanfund.domain.money import Money


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("12,345.67", 1_234_567),
        ("1234.5", 123_450),
        ("0.01", 1),
        ("30000000.00", 3_000_000_000),
        ("1,000,000", 100_000_000),
        (" 42 ", 4_200),
        ("-3.00", -300),
    ],
)
def test_parse_accepts_amounts_in_yuan(text, fen):
    assert Money.parse(text) == Money(fen)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1.234", "金额最多保留两位小数（精确到分）"),
        ("abc", "金额格式不正确，请填写数字，如 12,345.67"),
        ("1e5", "金额格式不正确，请填写数字，如 12,345.67"),
        ("12,34.00", "金额格式不正确，请填写数字，如 12,345.67"),
        ("1.", "金额格式不正确，请填写数字，如 12,345.67"),
        ("", "请填写金额"),
        (1.5, '金额须写成文本形式，如 "30000000.00"，不接受浮点数'),
        (100, '金额须写成文本形式，如 "30000000.00"'),
        (True, '金额须写成文本形式，如 "30000000.00"，不接受浮点数'),
        (None, "金额格式不正确"),
        ("10000000000000.00", "金额超出系统允许的范围"),
    ],
)
def test_parse_refuses_what_is_not_an_exact_amount(value, message):
    with pytest.raises(InvalidValue) as caught:
        Money.parse(value)
    assert caught.value.message == message


def test_money_refuses_float_fen():
    with pytest.raises(TypeError):
        Money(1.0)  # type: ignore[arg-type]


def test_money_times_refuses_float_rate():
    with pytest.raises(TypeError):
        Money(100).times(0.5)  # type: ignore[arg-type]


def test_rounding_is_half_up_once():
    assert Money.from_decimal_fen(Decimal("0.5")) == Money(1)
    assert Money.from_decimal_fen(Decimal("0.4999")) == Money(0)
    assert Money.from_decimal_fen(Decimal("2.5")) == Money(3)  # not banker's rounding


@pytest.mark.parametrize(
    ("fen", "yuan", "wan"),
    [
        (4_050_000, "40,500.00", "4.05"),
        (3_300_000_000, "33,000,000.00", "3,300.00"),
        (3_200_000_001, "32,000,000.01", "3,200.000001"),
        (13, "0.13", "0.000013"),
        (-150, "-1.50", "-0.00015"),
    ],
)
def test_format_as_yuan_and_wan(fen, yuan, wan):
    assert Money(fen).format() == yuan
    assert Money(fen).format_wan() == wan


def test_plain_is_the_travelling_form():
    assert Money(3_000_000_000).plain() == "30000000.00"
    assert Money(1).plain() == "0.01"


@pytest.mark.parametrize(
    ("amount", "capitals"),
    [
        ("40,500.00", "人民币肆万零伍佰元整"),
        ("0.13", "人民币壹角叁分"),
        ("0.05", "人民币伍分"),
        ("0.00", "人民币零元整"),
        ("1.05", "人民币壹元零伍分"),
        ("1.20", "人民币壹元贰角"),
        ("10.00", "人民币壹拾元整"),
        ("1,010.00", "人民币壹仟零壹拾元整"),
        ("1,680.32", "人民币壹仟陆佰捌拾元叁角贰分"),
        ("100,005.00", "人民币壹拾万零伍元整"),
        ("10,010,000.00", "人民币壹仟零壹万元整"),
        ("30,037,500.00", "人民币叁仟零叁万柒仟伍佰元整"),
        ("100,000,000.00", "人民币壹亿元整"),
        ("100,000,005.00", "人民币壹亿零伍元整"),
        ("100,010,000.00", "人民币壹亿零壹万元整"),
        ("1,000,000,000.00", "人民币壹拾亿元整"),
        ("200,000,000.00", "人民币贰亿元整"),
    ],
)
def test_chinese_capitals(amount, capitals):
    assert Money.parse(amount).capitals() == capitals


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        ("40,000,000.00", "4000万元"),
        ("100,000,000.00", "1亿元"),
        ("150,000,000.00", "15000万元"),
        ("12,345.67", "12,345.67元"),
        ("0.00", "0.00元"),
    ],
)
def test_round_amounts_as_regulations_write_them(amount, written):
    assert Money.parse(amount).as_written() == written


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("199,996,160.00", "19,999.62"),  # a tile shows two decimals of 万元, half up
        ("199,996,150.00", "19,999.62"),
        ("199,996,149.99", "19,999.61"),
        ("0.00", "0.00"),
    ],
)
def test_wan_to_two_decimals_for_tiles(amount, shown):
    assert Money.parse(amount).format_wan_rounded() == shown

"""R10, R11: credit codes, jurisdiction, SME size, blacklist."""

from datetime import date

import pytest

from loanfund.domain.eligibility import (
    BlacklistEntry,
    Size,
    blacklist_end,
    blacklist_violation,
    check_credit_code_region,
    check_district,
    classify_size,
    normalise_credit_code,
)
from loanfund.domain.errors import InvalidValue
from loanfund.domain.money import Money
from tests.regions import CITY, DONGHAI


@pytest.mark.parametrize(
    "code", ["91440300708461136T", "91330100716105852F", "914403001922038216", "91110000802100433b"]
)
def test_real_format_credit_codes_are_accepted(code):
    assert normalise_credit_code(code) == code.upper()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91440300708461136A", "统一社会信用代码校验位不正确，请核对后重新输入"),
        ("9144030070846113", "统一社会信用代码应为18位，当前为16位"),
        ("91440300708461136I", "统一社会信用代码含有不允许的字符：I（不使用 I、O、S、V、Z）"),
        ("", "请填写统一社会信用代码"),
    ],
)
def test_bad_credit_codes_are_refused_with_a_message(code, message):
    with pytest.raises(InvalidValue) as caught:
        normalise_credit_code(code)
    assert caught.value.message == message


def test_districts_of_lianyungang_are_accepted_and_others_refused():
    check_district("haizhou", CITY)
    check_district("guannan", CITY)
    with pytest.raises(InvalidValue) as caught:
        check_district("nanjing", CITY)
    assert caught.value.message == "企业注册地须在本市市域内（请选择所在县区或功能区）"


def test_a_county_fund_serves_its_county_only_and_says_so_in_its_own_words():
    check_district("donghai", DONGHAI)
    with pytest.raises(InvalidValue) as caught:
        check_district("haizhou", DONGHAI)
    assert caught.value.message == "企业注册地须在本县县域内（请选择所在县区或功能区）"


@pytest.mark.parametrize(
    ("region_code", "city", "county"),
    [("320722", True, True), ("320700", True, False), ("320706", True, False), ("110000", False, False)],
)
def test_a_credit_code_is_served_where_its_registry_lies_within_the_region(region_code, city, county):
    code = f"91{region_code}MA1MB4FT6"
    assert (CITY.issued_within(code), DONGHAI.issued_within(code)) == (city, county)


def test_a_county_refuses_a_credit_code_from_elsewhere_in_the_city_with_its_own_prefix():
    with pytest.raises(InvalidValue) as caught:
        check_credit_code_region("91320706MA1MB4FT6H", DONGHAI)
    assert caught.value.message == (
        "统一社会信用代码第3至8位（登记管理机关行政区划码）为 320706，不在本县（320722xx）范围内；"
        "应急转贷资金只服务在本县县域内依法设立的企业（第八条）"
    )


W = lambda wan: Money(wan * 1_000_000)  # noqa: E731  (万元 → Money)


@pytest.mark.parametrize(
    ("employees", "revenue", "size"),
    [
        (350, 2500, Size.MEDIUM),
        (350, 1500, Size.SMALL),
        (15, 5000, Size.MICRO),
        (1200, 30000, Size.MEDIUM),
        (1000, 40000, Size.LARGE),  # 及以上 includes the bound
        (300, 2000, Size.MEDIUM),
        (20, 300, Size.SMALL),
        (19, 300, Size.MICRO),
    ],
)
def test_industrial_size_examples(employees, revenue, size):
    assert classify_size("industry", employees, W(revenue), Money(0)) is size


def test_revenue_one_fen_under_a_bound_steps_down():
    assert classify_size("industry", 300, W(2000) - Money(1), Money(0)) is Size.SMALL


def test_construction_uses_revenue_and_assets():
    assert classify_size("construction", 0, W(6000), W(5000)) is Size.MEDIUM
    assert classify_size("construction", 0, W(6000), W(4999)) is Size.SMALL


def test_unknown_industry_is_refused():
    with pytest.raises(InvalidValue):
        classify_size("mining-on-mars", 1, Money(0), Money(0))


def test_only_large_is_not_an_sme():
    assert [s.is_sme for s in Size] == [False, True, True, True]
    assert Size.MEDIUM.label == "中型"


def test_blacklist_lasts_three_years_counted_from_the_next_day():
    assert blacklist_end(date(2026, 5, 1), 3) == date(2029, 5, 1)


def test_blacklisted_enterprise_is_refused_with_the_end_date():
    entry = BlacklistEntry("91440300708461136T", "逾期不归还应急转贷资金", date(2026, 5, 1), date(2029, 5, 1))
    violation = blacklist_violation([entry], date(2029, 5, 1))
    assert violation is not None
    assert violation.message == (
        "该企业因“逾期不归还应急转贷资金”于 2026-05-01 列入黑名单，限制期至 2029-05-01（含），期间不得申请应急转贷资金"
    )
    assert blacklist_violation([entry], date(2029, 5, 2)) is None

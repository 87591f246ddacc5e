"""Who may use the fund (R10, R11): credit codes, jurisdiction, SME size and the blacklist."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

from loanfund.domain.errors import InvalidValue, Violation
from loanfund.domain.money import FEN_PER_WAN, Money

if TYPE_CHECKING:
    from collections.abc import Iterable

# -- 统一社会信用代码 (GB 32100-2015) ------------------------------------------------------------------------------

CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
_CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_character(first17: str) -> str:
    """The 18th character of a 统一社会信用代码, computed from the first 17 (GB 32100-2015 §5)."""
    total = sum(CREDIT_CODE_CHARSET.index(c) * w for c, w in zip(first17, _CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def normalise_credit_code(raw: str) -> str:
    """Validate a 统一社会信用代码 and return it upper-cased; raise ``InvalidValue`` with a Chinese message."""
    code = (raw or "").strip().upper()
    if not code:
        raise InvalidValue("请填写统一社会信用代码", code="credit_code_missing")
    if len(code) != 18:
        raise InvalidValue(f"统一社会信用代码应为18位，当前为{len(code)}位", code="credit_code_length")
    bad = sorted({c for c in code if c not in CREDIT_CODE_CHARSET})
    if bad:
        raise InvalidValue(
            f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用 I、O、S、V、Z）", code="credit_code_charset"
        )
    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        raise InvalidValue("统一社会信用代码校验位不正确，请核对后重新输入", code="credit_code_check")
    return code


# -- Jurisdiction (第八条: 在本市市域内依法设立; a county's fund: 在本县) ------------------------------------------


@dataclass(frozen=True)
class District:
    """A county-level division or a functional zone (the platform's list): its 行政区划代码 (GB/T 2260), none for a
    functional zone, which lies within ``within_code``'s region and is registered by it."""

    key: str
    name: str
    region_code: str | None
    within_code: str


SCOPE_WORDS = {"市": "市域", "县": "县域", "区": "区域"}


def shared_code(codes: Iterable[str]) -> str:
    """What 行政区划代码 have in common, digit by digit: a county's own code, or its city's four digits ("" for
    none)."""
    listed = list(codes)
    return os.path.commonprefix(listed) if listed else ""  # noqa: RUF071 — codes are compared by digit


@dataclass(frozen=True)
class Region:
    """The region a fund serves (R10): its name, the 行政区划代码 every credit code it serves starts with, and its
    districts."""

    name: str
    code_prefix: str
    districts: tuple[District, ...]

    @property
    def own(self) -> str:
        """How the fund's documents say its region: 本市, 本县, 本区 (or its name)."""
        return f"本{self.name[-1]}" if self.name[-1:] in SCOPE_WORDS else self.name

    @property
    def scope(self) -> str:
        """The region as 第八条 says it: 本市市域, 本县县域."""
        return f"{self.own}{SCOPE_WORDS[self.name[-1]]}" if self.name[-1:] in SCOPE_WORDS else self.name

    @property
    def named_scope(self) -> str:
        """The region by name as 第八条 says it: 某市市域, 某县县域."""
        return f"{self.name}{SCOPE_WORDS[self.name[-1]]}" if self.name[-1:] in SCOPE_WORDS else self.name

    def covers(self, district: str) -> bool:
        return any(d.key == district for d in self.districts)

    def issued_within(self, credit_code: str) -> bool:
        return credit_code_region(credit_code).startswith(self.code_prefix)


def check_district(key: str, region: Region) -> None:
    """R10: the enterprise is registered in one of the region's districts.

    :raise InvalidValue: it is not."""
    if not region.covers(key):
        raise InvalidValue(
            f"企业注册地须在{region.scope}内（请选择所在县区或功能区）",
            code="district_outside",
        )


def credit_code_region(code: str) -> str:
    """The registering authority's 行政区划码 in a 统一社会信用代码: its 3rd–8th characters (GB 32100-2015 §4)."""
    return code[2:8]


def check_credit_code_region(code: str, region: Region) -> None:
    """R10 (第八条: 在市域内依法设立): the credit code was issued within the fund's region.

    :raise InvalidValue: the registering authority lies outside it, named with its code."""
    if not region.issued_within(code):
        own = region.own
        raise InvalidValue(
            f"统一社会信用代码第3至8位（登记管理机关行政区划码）为 {credit_code_region(code)}，"
            f"不在{own}（{region.code_prefix}xx）范围内；"
            f"应急转贷资金只服务在{region.scope}内依法设立的企业（第八条）",
            code="credit_code_outside_region",
        )


def district_disagreement(code: str, district: str, districts: Iterable[District]) -> str | None:
    """When the credit code names a county-level district other than the one chosen, the words the reviewer reads
    (None when they agree, or when either is the city's or a zone's: a zone lies within a district)."""
    region = credit_code_region(code)
    by_key = {d.key: d for d in districts}
    chosen = by_key.get(district)
    named = next((d for d in by_key.values() if d.region_code == region), None)
    if chosen is None or chosen.region_code is None or named is None or named.key == district:
        return None
    return f"统一社会信用代码的登记地为{named.name}（{region}），所选县区为{chosen.name}，请核实注册地"


# -- SME size (第二条; reference/sme-size-2011.md) ----------------------------------------------------------------


class Size(StrEnum):
    LARGE = "large"
    MEDIUM = "medium"
    SMALL = "small"
    MICRO = "micro"

    @property
    def label(self) -> str:
        return {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}[self.value]

    @property
    def is_sme(self) -> bool:
        return self is not Size.LARGE


@dataclass(frozen=True)
class SizeBounds:
    """Lower bounds that must *all* be reached (及以上). ``None`` means the measure is not used."""

    employees: int | None = None
    revenue_wan: int | None = None
    assets_wan: int | None = None


@dataclass(frozen=True)
class Industry:
    key: str
    name: str
    large: SizeBounds
    medium: SizeBounds
    small: SizeBounds


def _i(key: str, name: str, large: SizeBounds, medium: SizeBounds, small: SizeBounds) -> Industry:
    return Industry(key, name, large, medium, small)


def _b(**kwargs: int) -> SizeBounds:
    return SizeBounds(**kwargs)


# 工信部联企业〔2011〕300号, restated in reference/sme-size-2011.md.
INDUSTRIES: dict[str, Industry] = {
    i.key: i
    for i in (
        _i("agriculture", "农、林、牧、渔业", _b(revenue_wan=20000), _b(revenue_wan=500), _b(revenue_wan=50)),
        _i(
            "industry",
            "工业",
            _b(employees=1000, revenue_wan=40000),
            _b(employees=300, revenue_wan=2000),
            _b(employees=20, revenue_wan=300),
        ),
        _i(
            "construction",
            "建筑业",
            _b(revenue_wan=80000, assets_wan=80000),
            _b(revenue_wan=6000, assets_wan=5000),
            _b(revenue_wan=300, assets_wan=300),
        ),
        _i(
            "wholesale",
            "批发业",
            _b(employees=200, revenue_wan=40000),
            _b(employees=20, revenue_wan=5000),
            _b(employees=5, revenue_wan=1000),
        ),
        _i(
            "retail",
            "零售业",
            _b(employees=300, revenue_wan=20000),
            _b(employees=50, revenue_wan=500),
            _b(employees=10, revenue_wan=100),
        ),
        _i(
            "transport",
            "交通运输业",
            _b(employees=1000, revenue_wan=30000),
            _b(employees=300, revenue_wan=3000),
            _b(employees=20, revenue_wan=200),
        ),
        _i(
            "warehousing",
            "仓储业",
            _b(employees=200, revenue_wan=30000),
            _b(employees=100, revenue_wan=1000),
            _b(employees=20, revenue_wan=100),
        ),
        _i(
            "postal",
            "邮政业",
            _b(employees=1000, revenue_wan=30000),
            _b(employees=300, revenue_wan=2000),
            _b(employees=20, revenue_wan=100),
        ),
        _i(
            "accommodation",
            "住宿业",
            _b(employees=300, revenue_wan=10000),
            _b(employees=100, revenue_wan=2000),
            _b(employees=10, revenue_wan=100),
        ),
        _i(
            "catering",
            "餐饮业",
            _b(employees=300, revenue_wan=10000),
            _b(employees=100, revenue_wan=2000),
            _b(employees=10, revenue_wan=100),
        ),
        _i(
            "telecom",
            "信息传输业",
            _b(employees=2000, revenue_wan=100000),
            _b(employees=100, revenue_wan=1000),
            _b(employees=10, revenue_wan=100),
        ),
        _i(
            "software",
            "软件和信息技术服务业",
            _b(employees=300, revenue_wan=10000),
            _b(employees=100, revenue_wan=1000),
            _b(employees=10, revenue_wan=50),
        ),
        _i(
            "real_estate",
            "房地产开发经营",
            _b(revenue_wan=200000, assets_wan=10000),
            _b(revenue_wan=1000, assets_wan=5000),
            _b(revenue_wan=100, assets_wan=2000),
        ),
        _i(
            "property_management",
            "物业管理",
            _b(employees=1000, revenue_wan=5000),
            _b(employees=300, revenue_wan=1000),
            _b(employees=100, revenue_wan=500),
        ),
        _i(
            "leasing_business",
            "租赁和商务服务业",
            _b(employees=300, assets_wan=120000),
            _b(employees=100, assets_wan=8000),
            _b(employees=10, assets_wan=100),
        ),
        _i("other", "其他未列明行业", _b(employees=300), _b(employees=100), _b(employees=10)),
    )
}


def _reaches(bounds: SizeBounds, employees: int, revenue: Money, assets: Money) -> bool:
    if bounds.employees is not None and employees < bounds.employees:
        return False
    if bounds.revenue_wan is not None and revenue.fen < bounds.revenue_wan * FEN_PER_WAN:
        return False
    return bounds.assets_wan is None or assets.fen >= bounds.assets_wan * FEN_PER_WAN


# Far above any enterprise's head count, and well inside the database's integer column.
MAX_EMPLOYEES = 10_000_000


def check_employees(employees: int) -> None:
    """:raise InvalidValue: a head count below zero or beyond ``MAX_EMPLOYEES``."""
    if not 0 <= employees <= MAX_EMPLOYEES:
        raise InvalidValue(f"从业人员人数须在 0 至 {MAX_EMPLOYEES:,} 之间", code="employees_out_of_range")


def classify_size(industry_key: str, employees: int, revenue: Money, assets: Money) -> Size:
    """Step down large → medium → small → micro: a size applies only if *every* one of its bounds is reached."""
    industry = INDUSTRIES.get(industry_key)
    if industry is None:
        raise InvalidValue("请选择所属行业", code="industry_unknown")
    if employees < 0 or revenue.is_negative or assets.is_negative:
        raise InvalidValue("从业人员、营业收入和资产总额不能为负数", code="size_measure_negative")
    for size, bounds in ((Size.LARGE, industry.large), (Size.MEDIUM, industry.medium), (Size.SMALL, industry.small)):
        if _reaches(bounds, employees, revenue, assets):
            return size
    return Size.MICRO


# -- Blacklist (R11, 第二十二条) -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BlacklistEntry:
    credit_code: str
    reason: str
    listed_on: date
    ends_on: date


# 第二十二条: what puts an enterprise on the blacklist.
BLACKLIST_GROUNDS: dict[str, str] = {
    "false_statement": "虚报",
    "concealment": "瞒报",
    "fraud": "骗取",
    "not_returned": "逾期不还",
}


def blacklist_end(listed_on: date, years: int) -> date:
    """The last day of the bar. 按年计算期间，开始的当日不计入（民法典第二百零一条）: listed 2026-05-01 for 3 years →
    barred through 2029-05-01, free to apply from 2029-05-02."""
    return listed_on + relativedelta(years=years)


def blacklist_violation(entries: list[BlacklistEntry], today: date) -> Violation | None:
    """R11: the entry in force today (the one ending last), as a violation naming its reason and end date."""
    in_force = [e for e in entries if e.listed_on <= today <= e.ends_on]
    if not in_force:
        return None
    entry = max(in_force, key=lambda e: e.ends_on)
    return Violation(
        "R11",
        "blacklisted",
        f"该企业因“{entry.reason}”于 {entry.listed_on.isoformat()} 列入黑名单，"
        f"限制期至 {entry.ends_on.isoformat()}（含），期间不得申请应急转贷资金",
    )


def bank_agreement_violation(bank_name: str, start: date, end: date, on: date) -> Violation | None:
    """R10 (第十条): only a cooperating bank whose agreement is in force on ``on`` (both ends included)."""
    if start <= on <= end:
        return None
    return Violation(
        "R10",
        "bank_agreement_not_in_force",
        f"{bank_name}的合作协议不在有效期内（{start.isoformat()} 至 {end.isoformat()}）",
        "bank_id",
    )

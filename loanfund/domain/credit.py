"""The platform's 资格和信用审查 at acceptance (第八、十五条; part of R10): what the reviewer found, in fields a bank
and the leading group can read, and what it allows.

第八条 asks for an enterprise that 符合国家和省、市产业发展政策或支持的方向，运营状况良好，无严重不良信用记录. The
reviewer states each from the 征信 report on file: an enterprise outside the industrial policy, or not operating
well, is not accepted; a bad record still outstanding (未结清) is accepted only for the leading group to decide — the
operator cannot approve it alone (R6); one since settled (已结清) is recorded and shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TypeVar

from loanfund.domain.errors import Violation

E = TypeVar("E", bound=StrEnum)

# A 征信 report older than this is not a check of the enterprise as it is now (docs/decisions.md).
REPORT_MAX_AGE_DAYS = 30


class AdverseRecord(StrEnum):
    """不良信用记录 in the 征信 report. The values are the API's ``credit_adverse``."""

    NONE = "none"
    RESOLVED = "resolved"
    CURRENT = "current"

    @property
    def label(self) -> str:
        return ADVERSE_LABELS[self]


ADVERSE_LABELS = {
    AdverseRecord.NONE: "无不良信用记录",
    AdverseRecord.RESOLVED: "有不良记录，已结清",
    AdverseRecord.CURRENT: "有未结清的不良记录",
}


class IndustryFit(StrEnum):
    """产业政策: whether the enterprise fits the state's, province's and city's policy (``credit_industry``)."""

    FITS = "fits"
    OUTSIDE = "outside"

    @property
    def label(self) -> str:
        return {IndustryFit.FITS: "符合产业发展政策", IndustryFit.OUTSIDE: "不符合产业发展政策"}[self]


class Operating(StrEnum):
    """运营状况 (``credit_operating``)."""

    GOOD = "good"
    POOR = "poor"

    @property
    def label(self) -> str:
        return {Operating.GOOD: "运营状况良好", Operating.POOR: "运营状况不佳（停产、半停产或严重亏损等）"}[self]


@dataclass(frozen=True)
class CreditCheck:
    """The reviewer's findings, typed: ``None`` where nothing (or nothing readable) was given."""

    report_date: date | None
    adverse: str | None
    industry: str | None
    operating: str | None
    conclusion: str


def _known(kind: type[E], value: str | None) -> E | None:
    try:
        return kind(value) if value else None
    except ValueError:
        return None


def check_problems(check: CreditCheck, today: date) -> dict[str, str]:
    """What is missing or unreadable in the findings, by field (every one at once)."""
    found: dict[str, str] = {}
    if check.report_date is None:
        found["credit_report_date"] = "请填写征信报告日期"
    elif check.report_date > today:
        found["credit_report_date"] = f"征信报告日期不能晚于今天（{today.isoformat()}）"
    for field, kind, what in (
        ("credit_adverse", AdverseRecord, "不良信用记录情况"),
        ("credit_industry", IndustryFit, "是否符合产业政策"),
        ("credit_operating", Operating, "运营状况"),
    ):
        if _known(kind, getattr(check, field.removeprefix("credit_"))) is None:
            found[field] = f"请选择{what}"
    if not check.conclusion.strip():
        found["credit_check_note"] = "请填写审查结论"
    return found


def refusals(check: CreditCheck, today: date) -> list[Violation]:
    """第八条: why the platform may not accept the enterprise on these findings (read only once they are complete)."""
    found: list[Violation] = []
    if check.report_date is not None and (today - check.report_date).days > REPORT_MAX_AGE_DAYS:
        found.append(
            Violation(
                "R10",
                "credit_report_stale",
                f"征信报告日期为 {check.report_date.isoformat()}，已超过 {REPORT_MAX_AGE_DAYS} 天，请重新查询后再受理",
                "credit_report_date",
            )
        )
    if _known(IndustryFit, check.industry) is IndustryFit.OUTSIDE:
        found.append(
            Violation(
                "R10",
                "industry_policy",
                "企业不符合国家和省、市产业发展政策或支持的方向，不予受理（第八条）",
                "credit_industry",
            )
        )
    if _known(Operating, check.operating) is Operating.POOR:
        found.append(
            Violation(
                "R10",
                "operating_poor",
                "企业运营状况不佳，不符合“运营状况良好”的条件，不予受理（第八条）",
                "credit_operating",
            )
        )
    return found


def needs_group(adverse: str | None) -> bool:
    """A bad record still outstanding: the leading group decides whether the fund lends (R6)."""
    return _known(AdverseRecord, adverse) is AdverseRecord.CURRENT


def findings(adverse: str | None, industry: str | None, operating: str | None) -> str:
    """The three findings in words, for a statement, a list or a notice (empty when the check has none)."""
    known = (_known(AdverseRecord, adverse), _known(IndustryFit, industry), _known(Operating, operating))
    return "；".join(k.label for k in known if k is not None)

"""第二十七条: renewals that involve a land or house mortgage get a 绿色快捷通道 at the land and housing departments.
The application says which mortgage the renewal involves; the platform then issues a letter asking the departments
that register it to handle the enterprise's mortgage first."""

from __future__ import annotations

from enum import StrEnum

from loanfund.domain.lifecycle import State


class Mortgage(StrEnum):
    """The mortgage the renewal involves (the API's ``mortgage``)."""

    NONE = "none"
    LAND = "land"
    HOUSE = "house"
    BOTH = "both"

    @property
    def label(self) -> str:
        return MORTGAGE_LABELS[self]

    @property
    def subject(self) -> str:
        """What is to be registered: 土地抵押, 房产抵押, 土地和房产抵押."""
        return {Mortgage.LAND: "土地抵押", Mortgage.HOUSE: "房产抵押", Mortgage.BOTH: "土地和房产抵押"}.get(self, "")

    @property
    def land(self) -> bool:
        return self in (Mortgage.LAND, Mortgage.BOTH)

    @property
    def house(self) -> bool:
        return self in (Mortgage.HOUSE, Mortgage.BOTH)


MORTGAGE_LABELS = {
    Mortgage.NONE: "不涉及土地、房产抵押",
    Mortgage.LAND: "涉及土地抵押",
    Mortgage.HOUSE: "涉及房产抵押",
    Mortgage.BOTH: "涉及土地和房产抵押",
}

EVENT = "green-channel-letter"  # the application's event when the letter is issued
EVENT_LABELS = {EVENT: "开具绿色通道函"}

# From acceptance until the bank has renewed: the mortgage is registered for the new loan in that time.
LETTER_STATES = frozenset({State.ACCEPTED, State.BANK_COMMITTED, State.GROUP_REVIEW, State.APPROVED, State.DISBURSED})


def departments(mortgage: Mortgage, land_department: str, housing_department: str) -> tuple[str, ...]:
    """Whom the letter is addressed to: the land department for land, the housing department for a house."""
    named = []
    if mortgage.land:
        named.append(land_department)
    if mortgage.house:
        named.append(housing_department)
    return tuple(named)


def letter_refusal(mortgage: str, state: State) -> str | None:
    """Why no letter may be issued for an application now (None: it may)."""
    try:
        kind = Mortgage(mortgage)
    except ValueError:
        kind = Mortgage.NONE
    if kind is Mortgage.NONE:
        return "该申请的续贷不涉及土地、房产抵押，无需开具绿色通道函"
    if state not in LETTER_STATES:
        return f"申请当前状态为“{state.label}”：绿色通道函在受理后、银行续贷前开具"
    return None


def letter_number(year: int, seq: int) -> str:
    return f"绿通〔{year}〕{seq}号"

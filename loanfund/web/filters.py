"""Template filters: money in 元 and 万元, dates as 2026-11-29, local times, labels."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from flask import Flask, request, url_for
from flask_login import current_user

from loanfund.clock import cn_day, local
from loanfund.domain.events import event_label
from loanfund.domain.lifecycle import Role, State
from loanfund.domain.money import Money
from loanfund.domain.time_limits import next_step
from loanfund.models import Fund
from loanfund.services import funds
from loanfund.services.applications import materials
from loanfund.services.reports import exports

# Badge colours per state: calm for the normal path, amber for waiting on someone, red for exits and trouble.
STATE_BADGES: dict[State, str] = {
    State.SUBMITTED: "secondary",
    State.ACCEPTED: "info",
    State.BANK_COMMITTED: "info",
    State.GROUP_REVIEW: "warning",
    State.APPROVED: "primary",
    State.DISBURSED: "primary",
    State.RENEWED: "primary",
    State.REPAID: "success",
    State.ARCHIVED: "dark",
    State.REJECTED: "danger",
    State.BANK_DECLINED: "danger",
    State.GROUP_REJECTED: "danger",
    State.WITHDRAWN: "light",
    State.CANCELLED: "light",
    State.RECOVERY: "danger",
    State.WRITTEN_OFF: "danger",
}


def yuan(value: Money | str | None) -> str:
    """An amount in 元 with separators; a stored plain amount ("30000000.00", a frozen record's) reads the same."""
    if isinstance(value, str):
        value = Money.parse(value)
    return "—" if value is None else value.format()


def wan(value: Money | None) -> str:
    return "—" if value is None else value.format_wan()


def wan2(value: Money | None) -> str:
    """万元 with two decimals for tiles and summaries (``wan`` keeps every fen)."""
    return "—" if value is None else value.format_wan_rounded()


def day(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return local(value).strftime("%Y-%m-%d")
    return value.isoformat()


def moment(value: datetime | None) -> str:
    return "—" if value is None else local(value).strftime("%Y-%m-%d %H:%M")


def next_of(state: str) -> str:
    """What an application in ``state`` waits for, and whose move it is (``domain.time_limits.next_step``)."""
    return next_step(State(state))


def change(fraction: Decimal | None) -> str:
    """A change against another period: +25.0% / −3.2% / — (nothing to compare with)."""
    if fraction is None:
        return "—"
    percent = (fraction * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"+{percent}%" if percent > 0 else (f"−{-percent}%" if percent < 0 else "0.0%")


def figure(value: Money | int | Decimal, kind: str) -> str:
    """A summary figure in its unit (元, 笔, 天)."""
    if isinstance(value, Money):
        return f"{value.format()} 元"
    return f"{value} 笔" if kind == "count" else f"{value} 天"


def filesize(size: int) -> str:
    return materials.filesize(size)


SHOWN_FUND = "loanfund.shown_fund"


def shown_fund() -> Fund | None:
    """The fund whose name and bodies the page carries: the signed-in staff member's, else the platform's only fund
    (None on a platform of several, to a user of none). Looked up once a request; an error page shown because the
    database is unreachable still renders, as the platform's."""
    kept = request.environ  # the request's own (an app context, and its g, may outlive a request in tests)
    if SHOWN_FUND not in kept:
        kept[SHOWN_FUND] = funds.fund_shown_to(current_user)
    found: Fund | None = kept[SHOWN_FUND]
    return found


def platform_title() -> str:
    fund = shown_fund()
    return f"{fund.name}管理系统" if fund else funds.PLATFORM_NAME


def role_label(role: str) -> str:
    """A role's name, with the body of the page's fund that holds it; the daily sweep records its findings as the
    system."""
    if role not in Role.__members__.values():
        return "系统日常巡查"
    fund = shown_fund()
    return fund.role_title(role) if fund else Role(role).label


def combine_page(args: dict[str, str], page: int) -> dict[str, str]:
    """The query string's arguments with another page number (the pager keeps every filter)."""
    return {**args, "page": str(max(page, 1))}


def without_page(args: dict[str, str]) -> dict[str, str]:
    """The query string's filters without the page (an export covers every page)."""
    return {k: v for k, v in args.items() if k != "page"}


def this_page(**changes: str) -> str:
    """This page's address with some query arguments changed (a section's 全部 keeps the period and the fund)."""
    return url_for(request.endpoint or "", **{**request.args.to_dict(), **changes, **(request.view_args or {})})


def register(app: Flask) -> None:
    app.add_template_filter(filesize)
    app.add_template_filter(combine_page)
    app.add_template_filter(without_page)
    app.add_template_filter(yuan)
    app.add_template_filter(wan)
    app.add_template_filter(wan2)
    app.add_template_filter(day)
    app.add_template_filter(moment)
    app.add_template_filter(cn_day)
    app.add_template_filter(change)
    app.add_template_filter(next_of, "next_step")
    app.add_template_filter(figure)
    app.add_template_global(lambda s: State(s).label, "state_label")
    app.add_template_global(lambda s: STATE_BADGES[State(s)], "state_badge")
    app.add_template_global(role_label, "role_label")
    app.add_template_global(shown_fund, "shown_fund")
    app.add_template_global(platform_title, "platform_title")
    app.add_template_global(exports.change, "change_of")
    app.add_template_global(event_label, "event_label")
    app.add_template_global(this_page, "this_page")

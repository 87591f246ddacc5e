"""The signed-in home: each role's dashboard and work queues."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from loanfund import clock
from loanfund.domain.lifecycle import PLATFORM_ROLES, Role
from loanfund.services import platform
from loanfund.services.applications.workbench import dashboard, queues
from loanfund.services.funds import own_fund
from loanfund.services.oversight import liability
from loanfund.services.people import vetting
from loanfund.services.reports import monthly, reporting

bp = Blueprint("main", __name__)


@bp.get("/home")
@login_required
def home() -> str:
    """Dashboard figures and what the user has to do next (the administrator's set-up lives under /admin);
    ``?queue=``: which queue's rows to show (the first otherwise)."""
    user = current_user
    if not user.vetted:  # an enterprise sign-up: its licence and the vetting, nothing of the enterprise yet
        return render_template("main/pending.html", record=vetting.own_sign_up(user))
    if user.role_enum in PLATFORM_ROLES:  # the platform's people: every fund side by side (DESIGN §7)
        lines, total = platform.overview(user)
        return render_template("main/overview.html", lines=lines, total=total, reads_reports=monthly.can_read(user))
    return render_template(
        "main/home.html",
        figures=dashboard(user),
        queues=queues(user, request.args.get("queue")),
        is_enterprise=user.role_enum is Role.ENTERPRISE,
        bank_flags=liability.flagged_years(user.bank_id) if user.role_enum is Role.BANK and user.bank_id else [],
        liaison=user.bank.liaison.user if user.role_enum is Role.BANK and user.bank and user.bank.liaison else None,
        this_month=_this_month() if monthly.can_read(user) else None,
        filed=monthly.queue(user, 6) if monthly.can_read(user) and user.fund_id is not None else [],
        sign_ups=vetting.waiting(user) if user.role_enum is Role.REVIEWER else 0,
    )


def _this_month() -> reporting.Summary:
    """The month so far, by the same reporting service as the monthly analysis."""
    today = clock.today()
    return reporting.summary(own_fund(current_user).id, today.replace(day=1), today)

"""The special account: reconciliation (trial balance, cash vs. position, receivables vs. applications), and the
early-warning page over the money out."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from loanfund.domain.lifecycle import Role
from loanfund.domain.warning import Risk
from loanfund.services.books import fund
from loanfund.services.books.reconcile import at_a_glance, latest_run
from loanfund.services.funds import own_fund
from loanfund.services.oversight import risk
from loanfund.web.roles import roles_required

bp = Blueprint("fund", __name__, url_prefix="/fund")


@bp.get("/reconciliation")
@roles_required(Role.ADMIN, Role.OPERATOR, Role.GROUP)
def reconciliation() -> str:
    """:raise 404: for roles that do not keep or oversee the books."""
    fund_id = own_fund(current_user).id
    return render_template(
        "fund/reconciliation.html",
        result=at_a_glance(fund_id),
        position=fund.position(fund_id),
        run=latest_run(fund_id),
    )


@bp.get("/risk")
@roles_required(Role.OPERATOR, Role.GROUP)
def risk_page() -> str:
    """Early warning (第二十条): how many of each kind and the first lines of each; ``?risk=<kind>&page=<n>``: the
    further lines of one kind. :raise 404: for roles other than the operators and the leading group, or an unknown
    kind."""
    wanted = request.args.get("risk")
    if wanted is not None and wanted not in {r.value for r in Risk}:
        abort(404)
    page = min(max(request.args.get("page", 1, type=int), 1), 10000)
    report = risk.report(own_fund(current_user).id, only=Risk(wanted) if wanted else None, page=page)
    return render_template("fund/risk.html", report=report, shown=risk.SHOWN)

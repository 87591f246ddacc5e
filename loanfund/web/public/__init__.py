"""Public pages: the fee calculator (用款费用测算) and the guide to applying (办事指南)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, render_template, request

from loanfund import clock
from loanfund.domain.errors import InvalidValue
from loanfund.domain.money import Money
from loanfund.domain.policy import LoanType, band_labels
from loanfund.services import directory, funds
from loanfund.services.applications import materials
from loanfund.services.applications.quotes import quote_fee, quote_input_errors
from loanfund.services.policies import policy_version_in_force
from loanfund.web.forms import field_errors
from loanfund.web.public.forms import QuoteForm

bp = Blueprint("public", __name__)


@bp.get("/")
def calculator() -> str:
    """The calculator: amount and days in, the fee by band and day out. Works without JavaScript (a GET form);
    with JavaScript the result follows the inputs as they change."""
    fund = funds.fund_for_page(request.args.get("fund"))
    form = QuoteForm(request.args if set(request.args) - {"fund"} else None)
    _, policy = policy_version_in_force(fund.id, clock.today())
    quote = None
    if set(request.args) - {"fund"}:
        form_ok = form.validate()
        amount = form.amount.money
        days = form.days.data if not form.days.errors else None
        rule_errors = quote_input_errors(policy, amount, days)
        field_errors(form, rule_errors.errors)
        if form_ok and not rule_errors.errors and amount is not None and days is not None:
            quote = quote_fee(fund, amount, days)
    return render_template(
        "public/calculator.html", form=form, quote=quote, policy=policy, fund=fund, funds=funds.funds()
    )


@bp.get("/money/words")
def money_words() -> tuple[Response, int]:
    """An amount as the forms echo it while one types: with separators, in 万元 and in 大写 — written by ``Money``,
    the one place that writes money, so the page never has a second copy of the 大写 rules."""
    try:
        amount = Money.parse(request.args.get("amount", ""))
    except InvalidValue as exc:
        return jsonify({"error": exc.message}), 422
    return jsonify({"yuan": amount.format(), "wan": amount.format_wan(), "capitals": amount.capitals()}), 200


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness for a load balancer or a monitor: the process answers, nothing more (no database, no session). Also
    the baseline ``make bench`` measures every page against: the cost of the app's request handling itself."""
    return Response("ok\n", mimetype="text/plain")


@bp.get("/guide")
def guide() -> str:
    """办事指南: who may apply, the materials, the steps and their time limits, the fees as the regulation writes
    them, the cooperating banks and the contact — every figure from the policy in force today."""
    fund = funds.fund_for_page(request.args.get("fund"))
    version, policy = policy_version_in_force(fund.id, clock.today())
    return render_template(
        "public/guide.html",
        fund=fund,
        funds=funds.funds(),
        region=fund.region(),
        policy=policy,
        version=version,
        bands=list(zip(band_labels(policy), policy.bands, strict=True)),
        checklist=materials.checklist(fund.id),
        providers=materials.PROVIDER_LABELS,
        banks=directory.banks_taking_applications(fund.id, clock.today()),
        contact=fund.contact_lines,
        served_loans="、".join(t.label for t in policy.loan_types),
        other_loans="、".join(t.label for t in LoanType if t not in policy.loan_types),
    )

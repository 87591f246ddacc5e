"""Capital and income (第五、二十五、二十六条; R13): contributions, distribution runs and their payment."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from loanfund import clock
from loanfund.domain.errors import InvalidInput, LoanFundError
from loanfund.domain.ledger import FEE_INCOME
from loanfund.domain.money import Money
from loanfund.models import Contribution
from loanfund.services import directory
from loanfund.services.applications import preview, receipts
from loanfund.services.applications.preview import Confirmation
from loanfund.services.books import ledger
from loanfund.services.books.capital import (
    DistributionResult,
    contributor_named,
    dissolution_statement,
    parse_tax_rate,
    pay_distributions,
    payable_now,
    record_contribution,
    run_distribution,
)
from loanfund.services.funds import own_fund
from loanfund.services.reports import documents
from loanfund.web import confirming
from loanfund.web.admin import admin_only, bp
from loanfund.web.admin.forms import ContributionForm, DistributionForm, PaymentForm
from loanfund.web.downloads import attachment
from loanfund.web.forms import field_errors
from loanfund.web.submitting import submit_once


@bp.route("/contributions", methods=["GET", "POST"])
@admin_only
def contributions() -> str | Response:
    """Record capital paid in — shown for confirmation first (amount in 大写, the account before and after)."""
    form = ContributionForm()
    if form.validate_on_submit() and not confirming.revising():

        def contribute() -> Contribution:
            contributor = contributor_named(
                own_fund(current_user).id, (form.contributor_name.data or "").strip(), form.kind.data or ""
            )
            return record_contribution(
                contributor,
                form.amount.money or Money.zero(),
                form.received_on.data,
                form.reference.data or "",
                current_user,
            )

        def confirm() -> str | None:
            if confirming.confirmed():
                return None
            shown = preview.confirm_money(own_fund(current_user).id, "登记出资", contribute, _contribution_shown)
            return confirming.page(shown, form, url_for("admin.contributions"), "专用账户 · 出资")

        taken = submit_once(
            form,
            contribute,
            confirm=confirm,
            on_invalid=lambda exc: field_errors(form, exc.errors),
            flashed=(),
        )
        if taken.page is not None:
            return taken.page
        if taken.done:
            flash("出资已登记并入账", "success")
        if not taken.invalid:
            return redirect(url_for("admin.contributions"))
    rows = directory.contributions(own_fund(current_user).id)
    return _capital_page(form, rows, DistributionForm(formdata=None))


def _contribution_shown(contribution: Contribution) -> Confirmation:
    """The amount and its day (the contributor's name and the reference follow as typed)."""
    return Confirmation(
        title="",
        amount_label="出资金额",
        amount=contribution.amount,
        date_label="到账日期",
        on=contribution.received_on,
    )


def _capital_page(
    form: ContributionForm,
    rows: list[Contribution] | None = None,
    distribution_form: DistributionForm | None = None,
    payment_form: PaymentForm | None = None,
) -> str:
    fund_id = own_fund(current_user).id
    if rows is None:
        rows = directory.contributions(fund_id)
    net, lines = dissolution_statement(fund_id)
    return render_template(
        "admin/contributions.html",
        contributions=rows,
        total=sum((c.amount for c in rows), Money.zero()),
        form=form,
        distribution_form=distribution_form or DistributionForm(formdata=None),
        payment_form=payment_form or PaymentForm(formdata=None),
        payable=sum(payable_now(fund_id).values(), Money.zero()),
        income=-ledger.balance(fund_id, FEE_INCOME),
        net=net,
        lines=lines,
        runs=directory.distribution_runs(fund_id),
        paid_slips=receipts.distribution_payments(fund_id),
    )


@bp.get("/distributions/payments/<string(length=14):number>.pdf")
@admin_only
def distribution_slip(number: str) -> Response:
    """The 电子回单 of one payment of distributions, as an A4 PDF. :raise 404: no such payment of this fund."""
    slip = next((s for s in receipts.distribution_payments(own_fund(current_user).id) if s.number == number), None)
    if slip is None:
        abort(404)
    try:
        content = documents.receipt_pdf(slip)
    except documents.PdfUnavailable as exc:
        flash(str(exc), "danger")
        return redirect(url_for("admin.contributions"))
    return attachment(content, "application/pdf", slip.filename)


@bp.post("/distributions")
@admin_only
def distribute() -> str | Response:
    """Distribute the fee income after tax by capital share (R13), and pay it out if asked — confirmed first."""
    form = DistributionForm()
    if form.validate() and not confirming.revising():

        def run() -> DistributionResult:
            return run_distribution(
                own_fund(current_user).id,
                clock.today(),
                parse_tax_rate(form.tax_rate.data or ""),
                current_user,
                pay=bool(form.pay.data),
                bank_ref=form.bank_ref.data or "",
            )

        def confirm() -> str | None:
            if confirming.confirmed():
                return None
            shown = preview.confirm_money(
                own_fund(current_user).id, "收益分配", run, _distribution_shown, "分配登记后不能撤销。"
            )
            return confirming.page(shown, form, url_for("admin.distribute"), "专用账户 · 收益分配（第二十五条）")

        def on_form(exc: LoanFundError) -> None:
            if isinstance(exc, InvalidInput):
                field_errors(form, {k if k in ("tax_rate", "bank_ref") else "_form": v for k, v in exc.errors.items()})
            else:
                field_errors(form, {"_form": [exc.message]})

        taken = submit_once(form, run, confirm=confirm, on_invalid=on_form, invalid=(LoanFundError,))
        if taken.page is not None:
            return taken.page
        if taken.result is not None:
            result = taken.result
            message = f"已分配 {result.income.format()} 元（税费 {result.tax.format()} 元"
            if result.losses_covered.is_positive:
                message += f"，弥补核销损失 {result.losses_covered.format()} 元"
            flash(message + "）" + (f"，已支付 {result.paid.format()} 元" if result.paid else ""), "success")
        if not taken.invalid:
            return redirect(url_for("admin.contributions"))
    return _capital_page(ContributionForm(formdata=None), distribution_form=form)


def _distribution_shown(result: DistributionResult) -> Confirmation:
    lines = [("税费", f"{result.tax.format()} 元")]
    if result.losses_covered.is_positive:
        lines.append(("弥补核销损失", f"{result.losses_covered.format()} 元"))
    lines += [(f"分配给{contributor.name}", f"{share.format()} 元") for contributor, share in result.shares]
    lines.append(("本次支付", f"{result.paid.format()} 元" if result.paid is not None else "暂不支付，记为应付"))
    return Confirmation(title="", amount_label="分配的收益", amount=result.income, lines=tuple(lines))


@bp.post("/distributions/payment")
@admin_only
def pay() -> str | Response:
    """Pay what earlier distribution runs left payable (taxes, contributors' shares), from what is not reserved."""
    form = PaymentForm()
    if form.validate() and not confirming.revising():

        def pay_now() -> Money:
            return pay_distributions(own_fund(current_user).id, clock.today(), form.bank_ref.data or "", current_user)

        def confirm() -> str | None:
            if confirming.confirmed():
                return None
            shown = preview.confirm_money(
                own_fund(current_user).id,
                "支付分配款及税费",
                pay_now,
                lambda paid: Confirmation(title="", amount_label="支付金额", amount=paid),
                "支付后资金即从专用账户划出，不能撤销。",
            )
            return confirming.page(shown, form, url_for("admin.pay"), "专用账户 · 收益分配（第二十五条）")

        taken = submit_once(
            form,
            pay_now,
            confirm=confirm,
            on_invalid=lambda exc: field_errors(
                form, exc.errors if isinstance(exc, InvalidInput) else {"_form": [exc.message]}
            ),
            invalid=(LoanFundError,),
        )
        if taken.page is not None:
            return taken.page
        if taken.result is not None:
            flash(f"已从专用账户支付分配款及税费 {taken.result.format()} 元", "success")
        if not taken.invalid:
            return redirect(url_for("admin.contributions"))
    return _capital_page(ContributionForm(formdata=None), payment_form=form)

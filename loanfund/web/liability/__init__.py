"""Bank liability (R12, 第二十三条) in the browser: the operator records a claim from the application's page and the
bank's payments on the claims page; the group and the administrator read it; a bank sees only its own claims."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from loanfund import clock
from loanfund.domain.errors import RuleViolation
from loanfund.domain.lifecycle import Role
from loanfund.models import BankClaim, BankClaimPayment
from loanfund.services import lifecycle
from loanfund.services.applications import preview
from loanfund.services.applications.preview import Confirmation
from loanfund.services.funds import own_fund
from loanfund.services.oversight import liability
from loanfund.web import confirming
from loanfund.web.forms import field_errors
from loanfund.web.liability.forms import ClaimForm, PaymentForm
from loanfund.web.roles import roles_required
from loanfund.web.submitting import submit_once

bp = Blueprint("liability", __name__)
operators = roles_required(Role.OPERATOR)


def _page(forms: dict[int, PaymentForm] | None = None, status: int = 200) -> tuple[str, int]:
    claims = liability.claims(current_user)
    payment_forms = forms or {}
    if current_user.role_enum is Role.OPERATOR:
        for c in claims:
            if c.outstanding.is_positive and c.id not in payment_forms:
                payment_forms[c.id] = PaymentForm(formdata=None, data={"paid_on": clock.today()})
    return render_template("liability/index.html", claims=claims, forms=payment_forms), status


@bp.get("/bank-claims")
@roles_required(Role.OPERATOR, Role.GROUP, Role.ADMIN, Role.BANK)
def index() -> tuple[str, int]:
    return _page()


@bp.post("/applications/<int(max=2147483647):application_id>/bank-claim")
@operators
def record(application_id: int) -> Response | str:
    lifecycle.get(current_user, application_id)  # another fund's: 404 before anything is read
    form = ClaimForm()
    target = url_for("apps.detail", application_id=application_id)
    if not form.validate():
        flash("页面已过期，请刷新页面后重新提交", "danger")
        return redirect(target)
    if confirming.revising():
        return redirect(target)

    def call() -> BankClaim:
        return liability.record_claim(current_user, application_id, form.basis.data or "")

    def confirm() -> str | None:
        if confirming.confirmed():
            return None
        shown = preview.confirm_money(
            own_fund(current_user).id,
            "认定合作银行清偿责任",
            call,
            _claim_shown,
            "认定后尚未收回的本金和用款费用转由合作银行清偿，不能撤销。",
        )
        return confirming.page(shown, form, url_for("liability.record", application_id=application_id))

    taken = submit_once(
        form,
        call,
        confirm=confirm,
        invalid=(RuleViolation,),  # every rule that refused it, in one line above the page
        on_invalid=lambda exc: flash("；".join(v.message for v in exc.violations), "danger"),
    )
    if taken.page is not None:
        return taken.page
    if taken.result is not None:
        flash(f"已登记{taken.result.bank.name}的清偿责任 {taken.result.amount.format()} 元", "success")
    return redirect(target)


def _claim_shown(claim: BankClaim) -> Confirmation:
    return Confirmation(
        title="",
        amount_label="由银行清偿",
        amount=claim.amount,
        lines=(
            ("合作银行", claim.bank.name),
            ("其中本金", f"{claim.principal.format()} 元"),
            ("其中用款费用", f"{claim.fee.format()} 元"),
        ),
        date_label="认定日期",
        on=claim.claimed_on,
        danger=True,
    )


@bp.post("/bank-claims/<int(max=2147483647):claim_id>/payments")
@operators
def pay(claim_id: int) -> tuple[str, int] | Response | str:
    """A bank's payment on its claim — shown for confirmation first."""
    liability.claim_of(current_user, claim_id)  # another fund's: 404 before anything is read
    form = PaymentForm()
    if not form.validate() or confirming.revising():
        return _page({claim_id: form}, 200 if confirming.revising() else 422)
    assert form.amount.money is not None and form.paid_on.data is not None
    amount, paid_on = form.amount.money, form.paid_on.data

    def call() -> BankClaimPayment:
        return liability.record_payment(current_user, claim_id, amount, paid_on, form.transfer_ref.data)

    def confirm() -> str | None:
        if confirming.confirmed():
            return None
        shown = preview.confirm_money(
            own_fund(current_user).id,
            "登记银行清偿款",
            call,
            lambda payment: Confirmation(
                title="", amount_label="清偿金额", amount=payment.amount, date_label="到账日期", on=payment.paid_on
            ),
            "确认后清偿款即记入专用账户，不能撤销。",
        )
        return confirming.page(shown, form, url_for("liability.pay", claim_id=claim_id), "合作银行清偿责任")

    taken = submit_once(form, call, confirm=confirm, on_invalid=lambda exc: field_errors(form, exc.errors))
    if taken.page is not None:
        return taken.page
    if taken.invalid:
        return _page({claim_id: form}, 422)
    if taken.refused:
        return _page({claim_id: form}, 409)
    if taken.done:
        flash("清偿款已登记入账", "success")
    return redirect(url_for("liability.index"))

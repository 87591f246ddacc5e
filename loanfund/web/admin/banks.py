"""Cooperating banks and their agreements (第十六条), and their designated accounts."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from loanfund.domain.errors import InvalidInput
from loanfund.domain.lifecycle import Role
from loanfund.services import admin as admin_service
from loanfund.services import directory, uow
from loanfund.services.books import bank_accounts
from loanfund.services.funds import own_fund
from loanfund.services.oversight import liability
from loanfund.web.admin import admin_only, bp
from loanfund.web.admin.forms import BankForm
from loanfund.web.forms import field_errors, options


def _bank_input(form: BankForm) -> admin_service.BankInput:
    return admin_service.BankInput(
        **{
            name: form[name].data or ""
            for name in (
                "code",
                "name",
                "agreement_no",
                "account_name",
                "account_no",
                "account_bank",
                "officer_name",
                "officer_phone",
            )
        },
        liaison_id=form.liaison_id.data or None,
        agreement_start=form.agreement_start.data,
        agreement_end=form.agreement_end.data,
    )


@bp.route("/banks", methods=["GET", "POST"])
@bp.route("/banks/<int(max=2147483647):bank_id>", methods=["GET", "POST"])
@admin_only
def banks(bank_id: int | None = None) -> str | Response:
    fund_id = own_fund(current_user).id
    bank = directory.bank(fund_id, bank_id or 0)
    if bank_id and bank is None:
        abort(404)  # no such bank, or another fund's
    form = BankForm(obj=bank)
    form.liaison_id.choices = options(
        [(0, "未指定"), *((u.id, u.display_name) for u in directory.users_with_role(fund_id, Role.OPERATOR))]
    )
    if bank is not None and not form.is_submitted():
        form.liaison_id.data = bank.liaison.user_id if bank.liaison else 0
    if form.validate_on_submit():
        try:
            saved = admin_service.save_bank(_bank_input(form), bank, current_user)
        except InvalidInput as exc:
            uow.discard()
            field_errors(form, exc.errors)
        else:
            flash(f"已保存 {saved.bank.name}", "success")
            if saved.proposed is not None:
                flash("指定账户变更已提交，须由另一名管理员或运营人员确认后生效；此前放款仍划入原账户。", "warning")
            return redirect(url_for("admin.banks"))
    if bank is not None and not form.is_submitted():
        pending = bank_accounts.pending_change(bank)
        if pending is not None:  # the form shows what the account will be once confirmed
            for field in bank_accounts.ACCOUNT_FIELDS:
                form[field].data = getattr(pending, f"new_{field}")
    return render_template(
        "admin/banks.html",
        banks=directory.banks(fund_id),
        form=form,
        bank=bank,
        pending={c.bank_id: c for c in bank_accounts.changes(fund_id) if c.decision == "pending"},
        flags=liability.flags_by_bank(fund_id),
    )

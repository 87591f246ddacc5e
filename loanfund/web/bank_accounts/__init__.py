"""Confirming a change of a bank's designated receiving account (maker–checker): administrators and operators."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from loanfund.domain.errors import LoanFundError
from loanfund.domain.lifecycle import Role
from loanfund.services import bank_accounts, once, uow
from loanfund.services.once import AlreadySubmitted
from loanfund.web.bank_accounts.forms import AccountChangeDecisionForm
from loanfund.web.roles import roles_required

bp = Blueprint("bank_accounts", __name__, url_prefix="/bank-accounts")
checkers = roles_required(Role.ADMIN, Role.OPERATOR)


@bp.get("")
@checkers
def index() -> str:
    """:raise 404: for roles that neither keep the banks nor pay the bridges."""
    changes = bank_accounts.changes()
    decision_forms = {c.id: AccountChangeDecisionForm(formdata=None) for c in changes if c.decision == "pending"}
    return render_template("bank_accounts/index.html", changes=changes, forms=decision_forms)


@bp.post("/<int(max=2147483647):change_id>")
@checkers
def decide(change_id: int) -> Response:
    """:raise 404: no such change, or not a role that confirms."""
    form = AccountChangeDecisionForm()
    if not form.validate():
        flash("页面已过期，请刷新页面后重新提交", "danger")
        return redirect(url_for("bank_accounts.index"))
    try:
        once.claim(current_user, form.once.data, form.fingerprint())
        change = bank_accounts.decide(current_user, change_id, form.confirm.data == "yes", form.note.data or "")
    except AlreadySubmitted as exc:
        flash(exc.message, "info")
    except LoanFundError as exc:
        uow.discard()
        flash(exc.message, "danger")
    else:
        if change.decision == "confirmed":
            flash(f"{change.bank.name}的指定账户已变更为 {change.new_account_no}，此后放款划入新账户", "success")
        else:
            flash(f"已退回{change.bank.name}的指定账户变更，仍使用原账户", "info")
    return redirect(url_for("bank_accounts.index"))

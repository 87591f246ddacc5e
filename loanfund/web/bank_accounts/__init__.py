"""Confirming a change of a bank's designated receiving account (maker–checker): administrators and operators."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from loanfund.domain.lifecycle import Role
from loanfund.models import BankAccountChange
from loanfund.services.applications.preview import Confirmation
from loanfund.services.books import bank_accounts
from loanfund.services.funds import own_fund
from loanfund.web import confirming
from loanfund.web.bank_accounts.forms import AccountChangeDecisionForm
from loanfund.web.roles import roles_required
from loanfund.web.submitting import submit_once

bp = Blueprint("bank_accounts", __name__, url_prefix="/bank-accounts")
checkers = roles_required(Role.ADMIN, Role.OPERATOR)


@bp.get("")
@checkers
def index() -> str:
    """:raise 404: for roles that neither keep the banks nor pay the bridges."""
    changes = bank_accounts.changes(own_fund(current_user).id)
    decision_forms = {c.id: AccountChangeDecisionForm(formdata=None) for c in changes if c.decision == "pending"}
    return render_template("bank_accounts/index.html", changes=changes, forms=decision_forms)


@bp.post("/<int(max=2147483647):change_id>")
@checkers
def decide(change_id: int) -> str | Response:
    """The checker's decision on a change of a bank's designated account — where bridge money goes from now on:
    shown first, old and new account side by side, and taken on 确认.

    :raise 404: no such change, another fund's, or not a role that confirms."""
    bank_accounts.change_of(current_user, change_id)  # before anything is read
    form = AccountChangeDecisionForm()
    if confirming.revising():
        return redirect(url_for("bank_accounts.index"))
    if not form.validate():
        flash("页面已过期，请刷新页面后重新提交", "danger")
        return redirect(url_for("bank_accounts.index"))

    def call() -> BankAccountChange:
        return bank_accounts.decide(current_user, change_id, form.confirm.data == "yes", form.note.data or "")

    url = url_for("bank_accounts.decide", change_id=change_id)
    taken = submit_once(
        form, call, confirm=lambda: confirming.ask_first(form, call, _shown, url, "合作银行指定账户变更（第十七条）")
    )
    if taken.page is not None:
        return taken.page
    change = taken.result
    if change is not None and change.decision == "confirmed":
        flash(f"{change.bank.name}的指定账户已变更为 {change.new_account_no}，此后放款划入新账户", "success")
    elif change is not None:
        flash(f"已退回{change.bank.name}的指定账户变更，仍使用原账户", "info")
    return redirect(url_for("bank_accounts.index"))


def _shown(change: BankAccountChange) -> Confirmation:
    lines = (
        ("合作银行", change.bank.name),
        ("原账户", f"{change.old_account_name} · {change.old_account_bank} · {change.old_account_no}"),
        ("新账户", f"{change.new_account_name} · {change.new_account_bank} · {change.new_account_no}"),
    )
    if change.decision == "confirmed":
        return Confirmation(
            title="变更指定账户",
            lines=lines,
            warning="确认后，此后所有应急转贷资金划入新账户，银行随即收到通知；请先与银行书面核实新账户。",
            danger=True,
        )
    return Confirmation(title="退回指定账户变更", lines=lines, warning="退回后仍使用原账户。")

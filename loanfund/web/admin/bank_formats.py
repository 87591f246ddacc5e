"""How each bank exports the special account's statement (issue 29): the column headers of its table, or CAMT.053."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectField

from loanfund.domain.errors import InvalidInput
from loanfund.services import uow
from loanfund.services.books import bank_statement, statement_files
from loanfund.services.funds import own_fund
from loanfund.web.admin import admin_only, bp
from loanfund.web.forms import Form, field_errors, options, text


class BankFormatForm(Form):
    name = text("格式名称（如 工商银行网银明细）", max_length=60)
    kind = SelectField("文件类型", choices=options(list(statement_files.KINDS.items())))
    date = text(f"{statement_files.FIELDS['date']}所在列的列名", max_length=60)
    credit = text(f"{statement_files.FIELDS['credit']}列名", max_length=60)
    debit = text(f"{statement_files.FIELDS['debit']}列名", max_length=60)
    amount = text(f"{statement_files.FIELDS['amount']}列名（与收入、支出二选一）", max_length=60)
    counterparty = text(f"{statement_files.FIELDS['counterparty']}列名", max_length=60)
    reference = text(f"{statement_files.FIELDS['reference']}列名", max_length=60)
    balance = text(f"{statement_files.FIELDS['balance']}列名", max_length=60)
    bank_txn_id = text(f"{statement_files.FIELDS['bank_txn_id']}列名", max_length=60)


def _page(form: BankFormatForm, status: int = 200, editing: int | None = None) -> tuple[str, int]:
    return (
        render_template(
            "admin/bank_formats.html",
            formats=bank_statement.formats(own_fund(current_user).id),
            form=form,
            editing=editing,
            fields=statement_files.FIELDS,
            kinds=statement_files.KINDS,
        ),
        status,
    )


@bp.route("/bank-formats", methods=["GET", "POST"])
@admin_only
def bank_formats() -> tuple[str, int] | Response:
    """The formats, and a new one: every problem next to its field."""
    form = BankFormatForm()
    if not form.is_submitted():
        return _page(BankFormatForm(formdata=None))
    return _save(form, None)


@bp.route("/bank-formats/<int(max=2147483647):format_id>", methods=["GET", "POST"])
@admin_only
def bank_format(format_id: int) -> tuple[str, int] | Response:
    """One format, to change (a bank changed its export)."""
    found = next((f for f in bank_statement.formats(own_fund(current_user).id) if f.id == format_id), None)
    if found is None:
        abort(404)
    form = BankFormatForm()
    if not form.is_submitted():
        form = BankFormatForm(formdata=None, data={"name": found.name, "kind": found.kind, **found.columns})
        return _page(form, editing=format_id)
    return _save(form, format_id)


def _save(form: BankFormatForm, format_id: int | None) -> tuple[str, int] | Response:
    if not form.validate():
        return _page(form, 422, format_id)
    columns = {name: getattr(form, name).data or "" for name in statement_files.FIELDS}
    try:
        row = bank_statement.save_format(
            current_user, own_fund(current_user).id, form.name.data or "", form.kind.data or "", columns, format_id
        )
    except InvalidInput as exc:
        uow.discard()
        field_errors(form, exc.errors)
        return _page(form, 422, format_id)
    flash(f"已保存银行流水格式“{row.name}”", "success")
    return redirect(url_for("admin.bank_formats"))

"""The special account's bank statement against the books (issue 29; 第十一条 封闭运行): the operator imports the
bank's file and matches what did not match by itself; the group and the administrator read. Parse, call
``services.books.bank_statement``, render."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import FileField, HiddenField, SelectField

from loanfund import clock
from loanfund.domain.errors import Conflict, InvalidInput, NotFound
from loanfund.domain.lifecycle import Role
from loanfund.services import uow
from loanfund.services.books import bank_statement
from loanfund.services.funds import own_fund
from loanfund.web.forms import Form, field_errors, long_text
from loanfund.web.roles import roles_required

bp = Blueprint("bank_statement", __name__, url_prefix="/fund/bank-statement")


class UploadForm(Form):
    bank_format = SelectField("银行流水格式", validate_choice=False)
    file = FileField("对账单文件（.xlsx、.csv 或 CAMT.053 .xml，10 MB 以内）")


class MatchForm(Form):
    entry_id = SelectField("对应的记账分录", validate_choice=False)
    reason = long_text("人工对账理由")


class UndoForm(Form):
    reason = long_text("撤销理由")


class RematchForm(Form):
    month = HiddenField()


def _period() -> tuple[date, date, str]:
    """The month asked for (``?month=2026-11``), this month by default. :raise 404: not a month."""
    text = request.args.get("month") or request.form.get("month") or clock.today().strftime("%Y-%m")
    try:
        year, month = (int(part) for part in text.split("-", 1))
        start = date(year, month, 1)
    except ValueError:
        abort(404)
    if not 2000 <= year <= 2100:
        abort(404)
    return start, date(year, month, calendar.monthrange(year, month)[1]), f"{year:04d}-{month:02d}"


def _page(
    upload: UploadForm | None = None,
    match: tuple[int, MatchForm] | None = None,
    undo: tuple[int, UndoForm] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    start, end, month = _period()
    fund_id = own_fund(current_user).id
    standing = bank_statement.standing(current_user, fund_id, start, end)
    keeper = current_user.role_enum in bank_statement.KEEPERS
    formats = bank_statement.formats(fund_id)
    if upload is None:
        upload = UploadForm(formdata=None)
    upload.bank_format.choices = [(f.name, f.name) for f in formats]
    match_forms = {}
    for open_line in standing.open_lines:
        form = (
            match[1]
            if match and match[0] == open_line.line.id
            else MatchForm(formdata=None, prefix=f"m{open_line.line.id}")
        )
        same = [m for m in standing.open_movements if m.amount == open_line.line.amount]
        form.entry_id.choices = [
            (
                str(m.entry_id),
                f"{m.posted_on.isoformat()} {m.amount.format()} 元 {m.bank_ref or '（无凭证号）'} {m.description}",
            )
            for m in same
        ]
        match_forms[open_line.line.id] = form
    matches = bank_statement.matches_in(fund_id, start, end)
    undo_forms = {
        m.id: (undo[1] if undo and undo[0] == m.id else UndoForm(formdata=None, prefix=f"u{m.id}"))
        for m, _, _ in matches
    }
    return (
        render_template(
            "fund/bank_statement.html",
            standing=standing,
            month=month,
            previous=(start - timedelta(days=1)).strftime("%Y-%m"),
            following=(end + timedelta(days=1)).strftime("%Y-%m"),
            keeper=keeper,
            formats=formats,
            upload=upload,
            match_forms=match_forms,
            matches=matches,
            undo_forms=undo_forms,
            rematch=RematchForm(formdata=None, data={"month": month}),
        ),
        status,
    )


@bp.get("")
@roles_required(*bank_statement.READERS)
def index() -> tuple[str, int]:
    """:raise 404: for the roles that neither keep nor oversee the books."""
    return _page()


@bp.post("/imports")
@roles_required(Role.OPERATOR)
def upload() -> tuple[str, int] | Response:
    """The bank's file, in a format the administrator set: every problem of the file by row and column, nothing stored
    until the file is right; a line the fund has already is not added again."""
    form = UploadForm()
    form.bank_format.choices = [(f.name, f.name) for f in bank_statement.formats(own_fund(current_user).id)]
    if not form.validate():
        return _page(upload=form, status=422)
    sent = request.files.get(form.file.name)
    if sent is None or not sent.filename:
        field_errors(form, {"file": ["请选择对账单文件"]})
        return _page(upload=form, status=422)
    try:
        record = bank_statement.import_file(
            current_user,
            own_fund(current_user).id,
            form.bank_format.data or "",
            sent.filename,
            sent.read(bank_statement.MAX_UPLOAD + 1),
        )
    except InvalidInput as exc:
        uow.discard()
        field_errors(form, exc.errors)
        return _page(upload=form, status=422)
    flash(
        f"已导入 {record.filename}：读取 {record.lines_read} 笔，新增 {record.lines_added} 笔，"
        f"已有 {record.lines_known} 笔，自动对账 {record.matched} 笔",
        "success",
    )
    for note in record.notes:
        flash(note, "warning")
    return redirect(url_for("bank_statement.index", month=record.period_end.strftime("%Y-%m")))


@bp.post("/lines/<int(max=2147483647):line_id>/match")
@roles_required(Role.OPERATOR)
def match(line_id: int) -> tuple[str, int] | Response:
    """A line matched by hand to a book movement of the same amount, with the reason. :raise 404: another fund's."""
    try:
        bank_statement.line_of(own_fund(current_user).id, line_id)
    except NotFound:
        abort(404)
    form = MatchForm(prefix=f"m{line_id}")
    if not form.validate():
        return _page(match=(line_id, form), status=422)
    try:
        entry_id = int(form.entry_id.data or "0")
    except ValueError:
        entry_id = 0
    try:
        bank_statement.match_by_hand(current_user, own_fund(current_user).id, line_id, entry_id, form.reason.data or "")
    except (InvalidInput, Conflict) as exc:
        uow.discard()
        field_errors(form, exc.errors if isinstance(exc, InvalidInput) else {"_form": [exc.message]})
        return _page(match=(line_id, form), status=422)
    except NotFound:
        abort(404)
    flash("已人工对账", "success")
    return redirect(url_for("bank_statement.index", month=_period()[2]))


@bp.post("/matches/<int(max=2147483647):match_id>/undo")
@roles_required(Role.OPERATOR)
def undo(match_id: int) -> tuple[str, int] | Response:
    """:raise 404: another fund's match."""
    try:
        bank_statement.match_of(own_fund(current_user).id, match_id)
    except NotFound:
        abort(404)
    form = UndoForm(prefix=f"u{match_id}")
    if not form.validate():
        return _page(undo=(match_id, form), status=422)
    try:
        bank_statement.undo(current_user, own_fund(current_user).id, match_id, form.reason.data or "")
    except (InvalidInput, Conflict) as exc:
        uow.discard()
        field_errors(form, exc.errors if isinstance(exc, InvalidInput) else {"_form": [exc.message]})
        return _page(undo=(match_id, form), status=422)
    except NotFound:
        abort(404)
    flash("已撤销对账", "success")
    return redirect(url_for("bank_statement.index", month=_period()[2]))


@bp.post("/rematch")
@roles_required(Role.OPERATOR)
def rematch() -> Response:
    """Match again what agrees in the month (after an entry was booked or a match undone)."""
    RematchForm().validate()
    start, end, month = _period()
    made = bank_statement.match_automatically(current_user, own_fund(current_user).id, start, end)
    flash(f"自动对账 {made} 笔", "success")
    return redirect(url_for("bank_statement.index", month=month))

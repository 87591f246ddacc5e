"""The fund's past from its Excel 台账 (issue 29): the administrator sends the file, reads what it would import — every
problem by row and column, or the bridges, their total and fees — and confirms by sending the same file again; the
import then streams its progress, bridge by bridge, and ends with the import's record. Parse, call
``services.books.ledger_import``, render."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Response, current_app, render_template, request, stream_template, stream_with_context
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from wtforms import BooleanField, FileField, HiddenField

from loanfund.domain.errors import InvalidInput, LoanFundError
from loanfund.services import uow
from loanfund.services.books import ledger_import
from loanfund.services.funds import own_fund
from loanfund.web.admin import admin_only, bp
from loanfund.web.forms import Form, field_errors

SHOWN = 200  # problems listed on the page; the rest counted (the CLI and the record keep them all)


class LedgerImportForm(Form):
    file = FileField("台账文件（.xlsx，按模板填写，10 MB 以内）")
    row_by_row = BooleanField("逐行导入：有问题的行不导入，其余照常导入（记录在案）")
    checked = HiddenField()  # the SHA-256 of the file checked: the confirmation must send the same file


def _page(form: LedgerImportForm, result: ledger_import.Result | None = None, status: int = 200) -> tuple[str, int]:
    return (
        render_template(
            "admin/ledger_import.html",
            form=form,
            result=result,
            shown=SHOWN,
            columns=ledger_import.COLUMNS,
            records=ledger_import.records(own_fund(current_user).id),
        ),
        status,
    )


@bp.get("/ledger-import")
@admin_only
def ledger_import_page() -> tuple[str, int]:
    return _page(LedgerImportForm(formdata=None))


@bp.get("/ledger-import/template.xlsx")
@admin_only
def ledger_import_template() -> Response:
    return Response(
        ledger_import.template(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": "attachment; filename*=UTF-8''ledger-import-template.xlsx"},
    )


@bp.post("/ledger-import")
@admin_only
def ledger_import_run() -> tuple[str, int] | Response:
    """First press: the file checked, nothing written — its problems, or what it would import with 确认导入. The
    confirmed press (the same file, by its SHA-256) imports it and streams the progress."""
    form = LedgerImportForm()
    if not form.validate():
        return _page(form, status=422)
    sent = request.files.get(form.file.name)
    if sent is None or not sent.filename:
        field_errors(form, {"file": ["请选择台账文件"]})
        return _page(form, status=422)
    filename, data = sent.filename, sent.read(ledger_import.MAX_BYTES + 1)
    fund_id = own_fund(current_user).id
    row_by_row = bool(form.row_by_row.data)
    confirmed = bool(request.form.get("confirmed")) and form.checked.data == ledger_import.sha256(data)
    try:
        result = ledger_import.run(current_user, fund_id, filename, data, dry_run=True, row_by_row=row_by_row)
    except InvalidInput as exc:
        field_errors(form, exc.errors)
        return _page(form, status=422)
    uow.discard()
    if not confirmed or not result.importable:
        form.checked.data = ledger_import.sha256(data)
        return _page(form, result, 422 if result.problems and not result.importable else 200)

    def progress() -> Iterator[dict[str, Any]]:
        steps = ledger_import.running(current_user, fund_id, filename, data, row_by_row=row_by_row)
        shown = -1
        try:
            while True:
                done, of = next(steps)
                if done * 100 // of != shown:  # a step a percent: the page stays small
                    shown = done * 100 // of
                    yield {"done": done, "of": of, "percent": shown}
        except StopIteration as finished:
            yield {"result": finished.value}
        except LoanFundError as exc:
            uow.discard()
            yield {"error": exc.message}
        except SQLAlchemyError:  # the status is sent already: the page says it, the log keeps the cause
            uow.discard()
            current_app.logger.exception("ledger import failed while writing")
            yield {"error": "数据库写入失败，请稍后重试"}

    return Response(stream_with_context(stream_template("admin/ledger_import_run.html", steps=progress())))

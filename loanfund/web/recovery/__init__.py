"""The recovery file of an overdue bridge (第二十一条): a page of its own, part of the application's record. Operators
write it; reviewers and the group read it; an enterprise or a bank does not reach it (404)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from loanfund import clock
from loanfund.domain.errors import InvalidInput, LoanFundError, RuleViolation
from loanfund.domain.lifecycle import Role
from loanfund.domain.money import Money
from loanfund.services import lifecycle
from loanfund.services.applications import preview
from loanfund.services.applications.preview import Confirmation
from loanfund.services.funds import own_fund
from loanfund.services.oversight import recovery_file
from loanfund.web import confirming
from loanfund.web.forms import field_errors
from loanfund.web.recovery.forms import CauseForm, MeasureForm
from loanfund.web.roles import roles_required
from loanfund.web.submitting import submit_once

bp = Blueprint("recovery", __name__)
readers = roles_required(Role.REVIEWER, Role.OPERATOR, Role.GROUP)


def _page(
    application_id: int, cause: CauseForm | None = None, measure: MeasureForm | None = None, status: int = 200
) -> tuple[str, int]:
    application = lifecycle.get(current_user, application_id)
    writable = current_user.role_enum is Role.OPERATOR and application.state_enum in recovery_file.FILE_STATES
    return (
        render_template(
            "recovery/file.html",
            a=application,
            records=recovery_file.records(application),
            account=lifecycle.account_of(application),
            cause_form=(cause or CauseForm(formdata=None)) if writable else None,
            measure_form=(measure or MeasureForm(formdata=None, data={"taken_on": clock.today(), "amount": "0"}))
            if writable
            else None,
        ),
        status,
    )


@bp.get("/applications/<int(max=2147483647):application_id>/recovery")
@readers
def file(application_id: int) -> tuple[str, int]:
    """:raise 404: not the user's to see, or not a role that reads recovery files."""
    return _page(application_id)


@bp.post("/applications/<int(max=2147483647):application_id>/recovery/cause")
@roles_required(Role.OPERATOR)
def cause(application_id: int) -> tuple[str, int] | str | Response:
    """The cause analysis, reported to the group office: shown first, taken on 确认."""
    form = CauseForm()
    if not form.validate() or confirming.revising():
        return _page(application_id, cause=form, status=422 if form.errors else 200)

    def call() -> object:
        return recovery_file.record_cause(current_user, application_id, form.cause.data or "")

    def shown(_: object) -> Confirmation:
        return Confirmation(
            title="报送逾期原因分析",
            lines=(("报送至", "领导小组办公室"),),
            warning="报送后原因分析记入追偿档案并报领导小组办公室，不能修改；补充的情况请另行记录追偿措施。",
        )

    url = url_for("recovery.cause", application_id=application_id)
    taken = submit_once(
        form,
        call,
        confirm=lambda: confirming.ask_first(form, call, shown, url, _subtitle(application_id)),
        on_invalid=lambda exc: field_errors(form, exc.errors),
    )
    if taken.page is not None:
        return taken.page
    if taken.invalid:
        return _page(application_id, cause=form, status=422)
    if taken.done:
        flash("原因分析已记录并报送领导小组办公室", "success")
    return redirect(url_for("recovery.file", application_id=application_id))


@bp.post("/applications/<int(max=2147483647):application_id>/recovery/measures")
@roles_required(Role.OPERATOR)
def measure(application_id: int) -> tuple[str, int] | str | Response:
    """A recovery measure, and the money it brought back: shown first — the amount in 大写 and the special account
    before and after — and taken on 确认."""
    form = MeasureForm()
    if not form.validate() or confirming.revising():
        return _page(application_id, measure=form, status=422 if form.errors else 200)
    assert form.taken_on.data is not None
    taken_on, amount = form.taken_on.data, form.amount.money or Money.zero()

    def call() -> object:
        return recovery_file.record_measure(
            current_user, application_id, taken_on, form.measure.data or "", amount, form.transfer_ref.data or ""
        )

    def shown(_: object) -> Confirmation:
        return Confirmation(
            title="",
            amount_label="追回金额",
            amount=amount,
            date_label="日期",
            on=taken_on,
            lines=(("划款凭证号", form.transfer_ref.data or "—"),),
        )

    def confirm() -> str | None:
        if confirming.confirmed():
            return None
        warning = "登记后记入追偿档案；追回的资金即记入专用账户，不能撤销。" if amount.is_positive else ""
        confirmation = preview.confirm_money(own_fund(current_user).id, "登记追偿措施", call, shown, warning)
        url = url_for("recovery.measure", application_id=application_id)
        return confirming.page(confirmation, form, url, _subtitle(application_id))

    def beside_fields(exc: LoanFundError) -> None:
        if isinstance(exc, RuleViolation):  # what the amount may be (what is still owed)
            field_errors(form, {"amount": [v.message for v in exc.violations]})
        else:
            field_errors(form, exc.errors)  # type: ignore[attr-defined]

    taken = submit_once(form, call, confirm=confirm, on_invalid=beside_fields, invalid=(InvalidInput, RuleViolation))
    if taken.page is not None:
        return taken.page
    if taken.invalid:
        return _page(application_id, measure=form, status=422)
    if taken.done:
        flash("追偿措施已记录", "success")
    return redirect(url_for("recovery.file", application_id=application_id))


def _subtitle(application_id: int) -> str:
    application = lifecycle.get(current_user, application_id)
    return f"追偿档案 · {application.reference} · {application.enterprise.name}"

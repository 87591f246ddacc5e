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
from loanfund.services import lifecycle, once, recovery_file, uow
from loanfund.services.once import AlreadySubmitted
from loanfund.web.forms import field_errors
from loanfund.web.recovery.forms import CauseForm, MeasureForm
from loanfund.web.roles import roles_required

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
def cause(application_id: int) -> tuple[str, int] | Response:
    form = CauseForm()
    if not form.validate():
        return _page(application_id, cause=form, status=422)
    try:
        once.claim(current_user, form.once.data, form.fingerprint())
        recovery_file.record_cause(current_user, application_id, form.cause.data or "")
    except AlreadySubmitted as exc:
        uow.discard()
        flash(exc.message, "info")
    except InvalidInput as exc:
        uow.discard()
        field_errors(form, exc.errors)
        return _page(application_id, cause=form, status=422)
    except LoanFundError as exc:
        uow.discard()
        flash(exc.message, "danger")
    else:
        flash("原因分析已记录并报送领导小组办公室", "success")
    return redirect(url_for("recovery.file", application_id=application_id))


@bp.post("/applications/<int(max=2147483647):application_id>/recovery/measures")
@roles_required(Role.OPERATOR)
def measure(application_id: int) -> tuple[str, int] | Response:
    form = MeasureForm()
    if not form.validate():
        return _page(application_id, measure=form, status=422)
    try:
        once.claim(current_user, form.once.data, form.fingerprint())
        assert form.taken_on.data is not None
        recovery_file.record_measure(
            current_user,
            application_id,
            form.taken_on.data,
            form.measure.data or "",
            form.amount.money or Money.zero(),
            form.transfer_ref.data or "",
        )
    except AlreadySubmitted as exc:
        uow.discard()
        flash(exc.message, "info")
    except InvalidInput as exc:
        uow.discard()
        field_errors(form, exc.errors)
        return _page(application_id, measure=form, status=422)
    except RuleViolation as exc:
        uow.discard()
        field_errors(form, {"amount": [v.message for v in exc.violations]})
        return _page(application_id, measure=form, status=422)
    except LoanFundError as exc:
        uow.discard()
        flash(exc.message, "danger")
    else:
        flash("追偿措施已记录", "success")
    return redirect(url_for("recovery.file", application_id=application_id))

"""The blacklist (R11, 第二十二条): operators propose, the leading group confirms, rejects or lifts; staff read it and
export it for the city credit system. Enterprises and banks never reach it (404)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from loanfund import clock
from loanfund.domain.errors import InvalidInput, LoanFundError
from loanfund.domain.lifecycle import Role
from loanfund.models import BlacklistEntry
from loanfund.services import blacklist, directory, once, uow
from loanfund.services.once import AlreadySubmitted
from loanfund.web.blacklist.forms import DecisionForm, LiftForm, ProposalForm
from loanfund.web.forms import field_errors
from loanfund.web.roles import roles_required

bp = Blueprint("blacklist", __name__, url_prefix="/blacklist")
readers = roles_required(Role.REVIEWER, Role.OPERATOR, Role.GROUP)


def _proposal_form() -> ProposalForm:
    form = ProposalForm()
    if form.listed_on.data is None:
        form.listed_on.data = clock.today()
    return form


def _page(proposal: ProposalForm | None = None, status: int = 200) -> tuple[str, int]:
    today = clock.today()
    entries = blacklist.entries()
    return (
        render_template(
            "blacklist/index.html",
            entries=entries,
            today=today,
            labels=blacklist.STATUS_LABELS,
            proposal=proposal or _proposal_form(),
            decisions={e.id: DecisionForm(formdata=None) for e in entries if e.state == "proposed"},
            lifts={e.id: LiftForm(formdata=None) for e in entries if e.status(today) in ("in_force", "scheduled")},
        ),
        status,
    )


@bp.get("")
@readers
def index() -> tuple[str, int]:
    return _page()


@bp.post("")
@roles_required(Role.OPERATOR)
def propose() -> tuple[str, int] | WerkzeugResponse:
    form = _proposal_form()
    if not form.validate():
        return _page(form, 422)
    enterprise = directory.enterprise_by_credit_code(form.credit_code.data or "")
    if enterprise is None:
        missing = "未找到该统一社会信用代码的企业" if form.credit_code.data else "请填写企业统一社会信用代码"
        form.credit_code.errors = [missing]
        return _page(form, 422)
    try:
        once.claim(current_user, form.once.data, form.fingerprint())
        blacklist.submit_proposal(
            current_user, enterprise, form.ground.data or "", form.basis.data or "", form.listed_on.data
        )
    except AlreadySubmitted as exc:
        uow.discard()
        flash(exc.message, "info")
    except InvalidInput as exc:
        uow.discard()
        field_errors(form, exc.errors)
        return _page(form, 422)
    except LoanFundError as exc:
        uow.discard()
        flash(exc.message, "danger")
        return _page(form, 409)
    else:
        flash(f"已提议将{enterprise.name}列入黑名单，待领导小组确认", "success")
    return redirect(url_for("blacklist.index"))


@bp.post("/<int(max=2147483647):entry_id>/decision")
@roles_required(Role.GROUP)
def decide(entry_id: int) -> WerkzeugResponse:
    form = DecisionForm()
    return _group_step(
        form,
        lambda: blacklist.decide(current_user, entry_id, form.confirm.data == "yes", form.note.data or ""),
        lambda e: f"{e.enterprise_name}：{'已确认列入黑名单' if e.state == 'confirmed' else '不予确认'}",
    )


@bp.post("/<int(max=2147483647):entry_id>/lift")
@roles_required(Role.GROUP)
def lift(entry_id: int) -> WerkzeugResponse:
    form = LiftForm()
    return _group_step(
        form,
        lambda: blacklist.lift(current_user, entry_id, form.lift_reason.data or ""),
        lambda e: f"{e.enterprise_name}的黑名单已提前解除",
    )


def _group_step(
    form: DecisionForm | LiftForm, call: Callable[[], BlacklistEntry], done: Callable[[BlacklistEntry], str]
) -> WerkzeugResponse:
    """A group's decision on an entry, once per form: what went wrong, or what was done, as a message on the list."""
    if not form.validate():
        flash("；".join(e for errors in form.errors.values() for e in errors), "danger")
        return redirect(url_for("blacklist.index"))
    try:
        once.claim(current_user, form.once.data, form.fingerprint())
        entry = call()
    except AlreadySubmitted as exc:
        uow.discard()
        flash(exc.message, "info")
    except InvalidInput as exc:
        uow.discard()
        flash("；".join(m for messages in exc.errors.values() for m in messages), "danger")
    except LoanFundError as exc:
        uow.discard()
        flash(exc.message, "danger")
    else:
        flash(done(entry), "success")
    return redirect(url_for("blacklist.index"))


@bp.get("/export.csv")
@readers
def export() -> Response:
    """For the city credit system (市征信管理系统): credit code, name, reason, dates."""
    name = f"blacklist-{clock.today().isoformat()}.csv"
    return Response(
        blacklist.export_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )

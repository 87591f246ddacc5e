"""The blacklist (R11, 第二十二条): operators propose, the leading group confirms, rejects or lifts; staff read it and
export it for the city credit system. Enterprises and banks never reach it (404)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from loanfund import clock
from loanfund.clock import cn_day
from loanfund.domain.lifecycle import Role
from loanfund.models import BlacklistEntry
from loanfund.services import directory
from loanfund.services.applications.preview import Confirmation
from loanfund.services.funds import own_fund
from loanfund.services.group import group_register
from loanfund.services.oversight import blacklist
from loanfund.web import confirming
from loanfund.web.blacklist.forms import DecisionForm, LiftForm, ProposalForm
from loanfund.web.forms import field_errors
from loanfund.web.roles import roles_required
from loanfund.web.submitting import submit_once

bp = Blueprint("blacklist", __name__, url_prefix="/blacklist")
readers = roles_required(Role.REVIEWER, Role.OPERATOR, Role.GROUP)


def _proposal_form() -> ProposalForm:
    form = ProposalForm()
    if form.listed_on.data is None:
        form.listed_on.data = clock.today()
    return form


def _page(proposal: ProposalForm | None = None, status: int = 200) -> tuple[str, int]:
    today = clock.today()
    fund_id = own_fund(current_user).id
    entries = blacklist.entries(fund_id)
    return (
        render_template(
            "blacklist/index.html",
            entries=entries,
            today=today,
            labels=blacklist.STATUS_LABELS,
            proposal=proposal or _proposal_form(),
            decisions={e.id: DecisionForm(formdata=None) for e in entries if e.state == "proposed"},
            lifts={e.id: LiftForm(formdata=None) for e in entries if e.status(today) in ("in_force", "scheduled")},
            group_decisions=group_register.on_blacklist(fund_id),
        ),
        status,
    )


@bp.get("")
@readers
def index() -> tuple[str, int]:
    return _page()


@bp.post("")
@roles_required(Role.OPERATOR)
def propose() -> tuple[str, int] | str | WerkzeugResponse:
    """An operator's proposal, shown first (who, why, the bar it would start) and taken on 确认."""
    form = _proposal_form()
    if not form.validate() or confirming.revising():
        return _page(form, 422 if form.errors else 200)
    enterprise = directory.enterprise_by_credit_code(form.credit_code.data or "")
    if enterprise is None:
        missing = "未找到该统一社会信用代码的企业" if form.credit_code.data else "请填写企业统一社会信用代码"
        form.credit_code.errors = [missing]
        return _page(form, 422)

    def call() -> BlacklistEntry:
        assert enterprise is not None
        return blacklist.submit_proposal(
            current_user, enterprise, form.ground.data or "", form.basis.data or "", form.listed_on.data
        )

    url = url_for("blacklist.propose")
    taken = submit_once(
        form,
        call,
        confirm=lambda: confirming.ask_first(form, call, _proposal_shown, url, "黑名单（第二十二条）"),
        on_invalid=lambda exc: field_errors(form, exc.errors),
    )
    if taken.page is not None:
        return taken.page
    if taken.invalid:
        return _page(form, 422)
    if taken.refused:
        return _page(form, 409)
    if taken.done:
        flash(f"已提议将{enterprise.name}列入黑名单，待领导小组确认", "success")
    return redirect(url_for("blacklist.index"))


def _entry_lines(entry: BlacklistEntry) -> tuple[tuple[str, str], ...]:
    return (
        ("企业", entry.enterprise_name),
        ("统一社会信用代码", entry.credit_code),
        ("列入原因", entry.reason),
        ("列入依据", entry.basis or "—"),
        ("限制期", f"{cn_day(entry.listed_on)}至{cn_day(entry.ends_on)}（含）"),
    )


def _proposal_shown(entry: BlacklistEntry) -> Confirmation:
    return Confirmation(
        title="提议列入黑名单",
        lines=_entry_lines(entry),
        warning="提议即报领导小组确认；确认后该企业在限制期内不得申请应急转贷资金，并报送市征信管理系统。",
        danger=True,
    )


@bp.post("/<int(max=2147483647):entry_id>/decision")
@roles_required(Role.GROUP)
def decide(entry_id: int) -> str | WerkzeugResponse:
    """The group's decision on a proposal, shown first with what it starts (a bar of three years, reported to the
    city credit system) and taken on 确认."""
    blacklist.entry_of(current_user, entry_id)  # another fund's: 404 before anything is read
    form = DecisionForm()
    return _group_step(
        form,
        lambda: blacklist.decide(
            current_user, entry_id, form.confirm.data == "yes", form.note.data or "", form.minutes_ref.data or ""
        ),
        _decision_shown,
        url_for("blacklist.decide", entry_id=entry_id),
        lambda e: f"{e.enterprise_name}：{'已确认列入黑名单' if e.state == 'confirmed' else '不予确认'}",
    )


def _decision_shown(entry: BlacklistEntry) -> Confirmation:
    if entry.state == "confirmed":
        return Confirmation(
            title="列入黑名单",
            lines=_entry_lines(entry),
            warning=(
                f"确认后{entry.enterprise_name}自 {cn_day(entry.listed_on)}至{cn_day(entry.ends_on)}（含）不得申请"
                "应急转贷资金，名单报送市征信管理系统；此后只能由领导小组决定并说明理由提前解除。"
            ),
            danger=True,
        )
    return Confirmation(
        title="不予确认",
        lines=_entry_lines(entry)[:4],
        warning="不予确认后该提议即终止，企业不列入黑名单；如有新的事实须重新提议。",
    )


@bp.post("/<int(max=2147483647):entry_id>/lift")
@roles_required(Role.GROUP)
def lift(entry_id: int) -> str | WerkzeugResponse:
    blacklist.entry_of(current_user, entry_id)  # another fund's: 404 before anything is read
    form = LiftForm()
    return _group_step(
        form,
        lambda: blacklist.lift(current_user, entry_id, form.lift_reason.data or "", form.minutes_ref.data or ""),
        lambda e: Confirmation(
            title="提前解除黑名单",
            lines=_entry_lines(e),
            warning=(
                f"解除后{e.enterprise_name}自 {cn_day(clock.today())} 起即可再次申请应急转贷资金，不能恢复原限制期。"
            ),
            danger=True,
        ),
        url_for("blacklist.lift", entry_id=entry_id),
        lambda e: f"{e.enterprise_name}的黑名单已提前解除",
    )


def _group_step(
    form: DecisionForm | LiftForm,
    call: Callable[[], BlacklistEntry],
    describe: Callable[[BlacklistEntry], Confirmation],
    action_url: str,
    done: Callable[[BlacklistEntry], str],
) -> str | WerkzeugResponse:
    """A group's decision on an entry: the first press shows it, 确认 takes it (once per form); what went wrong, or
    what was done, as a message on the list."""
    if confirming.revising():
        return redirect(url_for("blacklist.index"))
    if not form.validate():
        flash("；".join(e for errors in form.errors.values() for e in errors), "danger")
        return redirect(url_for("blacklist.index"))
    taken = submit_once(
        form,
        call,
        confirm=lambda: confirming.ask_first(form, call, describe, action_url, "黑名单（第二十二条）"),
        # the list has no form to put a field's message beside: every message above it
        on_invalid=lambda exc: flash("；".join(m for ms in exc.errors.values() for m in ms), "danger"),
    )
    if taken.page is not None:
        return taken.page
    if taken.result is not None:
        flash(done(taken.result), "success")
    return redirect(url_for("blacklist.index"))


@bp.get("/export.csv")
@readers
def export() -> Response:
    """For the city credit system (市征信管理系统): credit code, name, reason, dates."""
    name = f"blacklist-{clock.today().isoformat()}.csv"
    return Response(
        blacklist.export_csv(own_fund(current_user).id),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )

"""The leading group's register in the browser (第四、二十条): the year's meetings with their minutes and decisions,
the reports heard, and the platform's 管理制度 with their filing dates. The group's office records; the platform files
its rules; the platform and the administrator read."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from loanfund import clock
from loanfund.domain.errors import InvalidInput
from loanfund.models import GroupDecision
from loanfund.services import uow
from loanfund.services.applications.preview import Confirmation
from loanfund.services.group import group_register
from loanfund.uploads import uploaded
from loanfund.web import confirming
from loanfund.web.downloads import attachment
from loanfund.web.forms import field_errors
from loanfund.web.group.forms import DecisionForm, HeardForm, MeetingForm, RulesForm
from loanfund.web.roles import roles_required
from loanfund.web.submitting import submit_once

bp = Blueprint("group", __name__, url_prefix="/group")
readers = roles_required(*group_register.READERS)
recorders = roles_required(*group_register.RECORDERS)


def _files() -> list[tuple[str, bytes]]:
    return uploaded("file")


def _register_page(
    year: int, meeting: MeetingForm | None = None, decision: DecisionForm | None = None, status: int = 200
) -> tuple[str, int]:
    staff = current_user.role_enum in group_register.RECORDERS
    return (
        render_template(
            "group/register.html",
            year=year,
            lines=group_register.register(current_user, year),
            kinds=group_register.KIND_LABELS,
            meeting_form=(meeting or MeetingForm(formdata=None, data={"held_on": clock.today()})) if staff else None,
            decision_form=(decision or DecisionForm(formdata=None)) if staff else None,
        ),
        status,
    )


@bp.get("")
@readers
def register() -> tuple[str, int]:
    year = request.args.get("year", type=int) or clock.today().year
    return _register_page(min(max(year, 2000), 2100))


@bp.post("/meetings")
@recorders
def record_meeting() -> tuple[str, int] | Response:
    """A meeting and its minutes file: every problem next to its field, nothing stored until all are right."""
    form = MeetingForm()
    if form.validate():
        try:
            meeting = group_register.record_meeting(
                current_user,
                form.held_on.data,
                form.title.data or "",
                form.attendees.data or "",
                form.minutes_ref.data or "",
                _files(),
            )
        except InvalidInput as exc:
            uow.discard()
            field_errors(form, exc.errors)
        else:
            flash(f"已登记会议（纪要 {meeting.minutes_ref}）", "success")
            return redirect(url_for("group.register", year=meeting.held_on.year))
    return _register_page(clock.today().year, meeting=form, status=422)


@bp.post("/decisions")
@recorders
def record_decision() -> tuple[str, int] | str | Response:
    """Another 重大事项 the group decided, at a registered meeting: shown first, taken on 确认."""
    form = DecisionForm()
    if not form.validate() or confirming.revising():
        return _register_page(clock.today().year, decision=form, status=422 if form.errors else 200)

    def call() -> GroupDecision:
        return group_register.record_other(
            current_user,
            form.minutes_ref.data or "",
            form.subject.data or "",
            form.outcome.data or "",
            form.note.data or "",
        )

    url = url_for("group.record_decision")
    taken = submit_once(
        form,
        call,
        confirm=lambda: confirming.ask_first(form, call, _decision_shown, url, "领导小组登记簿"),
        on_invalid=lambda exc: field_errors(form, exc.errors),
        flashed=(),
    )
    if taken.page is not None:
        return taken.page
    if taken.invalid:
        return _register_page(clock.today().year, decision=form, status=422)
    if taken.result is not None:
        flash(f"已登记领导小组决定第 {taken.result.id} 号", "success")
    return redirect(url_for("group.register"))


def _decision_shown(row: GroupDecision) -> Confirmation:
    return Confirmation(
        title="登记决定",
        lines=(
            ("会议纪要", row.minutes_ref),
            ("决定事项", row.subject),
            ("决定", row.outcome),
            ("表决情况与说明", row.note or "—"),
        ),
        warning="登记簿只增不改：登记后如需更正，请另行登记一项决定。",
    )


@bp.get("/meetings/<int(max=2147483647):meeting_id>/minutes")
@readers
def minutes(meeting_id: int) -> Response:
    meeting, data = group_register.meeting_minutes(current_user, meeting_id)
    return attachment(data, meeting.content_type, meeting.filename)


@bp.post("/reports/<int(max=2147483647):report_id>/heard")
@recorders
def heard(report_id: int) -> str | Response:
    """The group heard a submitted monthly report (第四条): recorded in the register, after a confirmation."""
    form = HeardForm()
    report = group_register.filed_report(current_user, report_id)
    back = url_for("reports.revision", year=report.month.year, month=report.month.month, revision=report.revision)
    if not form.validate():
        flash("页面已过期，请刷新页面后重新提交", "danger")
        return redirect(back)
    if confirming.revising():
        return redirect(back)

    def call() -> GroupDecision:
        return group_register.hear_report(current_user, report_id, form.minutes_ref.data or "", form.note.data or "")

    url = url_for("group.heard", report_id=report_id)
    # an InvalidInput's message names every field's problem: told above the page like any refusal
    taken = submit_once(
        form, call, confirm=lambda: confirming.ask_first(form, call, _decision_shown, url, "听取运行情况报告（第四条）")
    )
    if taken.page is not None:
        return taken.page
    if taken.done:
        flash("已登记领导小组听取该报告", "success")
    return redirect(back)


@bp.get("/rules")
@readers
def rules() -> tuple[str, int]:
    return _rules_page()


def _rules_page(form: RulesForm | None = None, status: int = 200) -> tuple[str, int]:
    filer = current_user.role_enum in group_register.RULES_FILERS
    return (
        render_template(
            "group/rules.html",
            documents=group_register.rules_documents(current_user),
            form=(form or RulesForm(formdata=None, data={"filed_on": clock.today()})) if filer else None,
        ),
        status,
    )


@bp.post("/rules")
@roles_required(*group_register.RULES_FILERS)
def file_rules() -> tuple[str, int] | Response:
    """A new version of a rules document, with its filing date: every problem next to its field."""
    form = RulesForm()
    if form.validate():
        try:
            document = group_register.file_rules(
                current_user, form.title.data or "", form.filed_on.data, form.note.data or "", _files()
            )
        except InvalidInput as exc:
            uow.discard()
            field_errors(form, exc.errors)
        else:
            flash(f"已登记《{document.title}》第 {document.version} 版，报领导小组备案", "success")
            return redirect(url_for("group.rules"))
    return _rules_page(form, 422)


@bp.get("/rules/<int(max=2147483647):document_id>/file")
@readers
def rules_file(document_id: int) -> Response:
    document, data = group_register.rules_file(current_user, document_id)
    return attachment(data, document.content_type, document.filename)

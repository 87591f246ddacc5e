"""The green-channel letter (第二十七条) in the browser: an operator issues it from the application's page, after a
confirmation; every party to the application downloads it as PDF."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from loanfund.clock import cn_day
from loanfund.domain.lifecycle import Role
from loanfund.models import GreenChannelLetter
from loanfund.services import lifecycle
from loanfund.services.applications import green_channel
from loanfund.services.applications.preview import Confirmation
from loanfund.services.reports import documents
from loanfund.web import confirming
from loanfund.web.downloads import attachment
from loanfund.web.forms import Form, SubmitOnce
from loanfund.web.roles import roles_required
from loanfund.web.submitting import submit_once

bp = Blueprint("green", __name__)


class IssueForm(SubmitOnce, Form):
    """Nothing to type: the letter is written from the application."""


@bp.post("/applications/<int(max=2147483647):application_id>/green-channel")
@roles_required(Role.OPERATOR)
def issue(application_id: int) -> str | Response:
    lifecycle.get(current_user, application_id)  # another fund's: 404 before anything is read
    form = IssueForm()
    target = url_for("apps.detail", application_id=application_id)
    if not form.validate():
        flash("页面已过期，请刷新页面后重新提交", "danger")
        return redirect(target)
    if confirming.revising():
        return redirect(target)

    def confirm() -> str | None:
        application = lifecycle.get(current_user, application_id)
        subtitle = f"{application.reference} · {application.enterprise.name} · {application.bank.name}"
        url = url_for("green.issue", application_id=application_id)
        return confirming.ask_first(form, call, _shown, url, subtitle)

    def call() -> GreenChannelLetter:
        return green_channel.issue(current_user, application_id)

    taken = submit_once(form, call, confirm=confirm)
    if taken.page is not None:
        return taken.page
    if taken.result is not None:
        flash(f"已开具绿色通道函 {taken.result.number}，并告知企业和合作银行", "success")
    return redirect(target)


def _shown(letter: GreenChannelLetter) -> Confirmation:
    return Confirmation(
        title="开具绿色通道函",
        lines=(
            ("函号", letter.number),
            ("致", letter.departments),
            ("事项", f"{letter.enterprise_name}续贷涉及的{letter.subject}登记，请予优先办理"),
            ("到期贷款", f"{letter.bank_name} · {letter.loan_contract_no} · {letter.loan_amount_due.format()} 元"),
            ("开具日期", cn_day(letter.issued_on)),
        ),
        warning="函号开具后即占用，企业和合作银行将收到通知。",
    )


@bp.get("/applications/<int(max=2147483647):application_id>/green-channel.pdf")
@login_required
def letter_pdf(application_id: int) -> Response:
    """The letter as issued, for every party to the application. :raise 404: none, or not the user's to see."""
    letter = green_channel.letter_for(current_user, application_id)
    try:
        content = green_channel.letter_pdf(letter)
    except documents.PdfUnavailable as exc:
        flash(str(exc), "danger")
        return redirect(url_for("apps.detail", application_id=application_id))
    return attachment(content, "application/pdf", f"绿色通道函-{letter.number}.pdf")

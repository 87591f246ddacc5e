"""The fund's dissolution in the browser (第二十六条): the platform proposes, the group decides at a registered
meeting, the platform records the government's approval, then closes the books — each after a confirmation; the
closing shows each contributor's share in 元 and 大写 and the special account emptied."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from loanfund import clock
from loanfund.domain.lifecycle import Role
from loanfund.domain.money import Money
from loanfund.models import Dissolution
from loanfund.services.applications import preview
from loanfund.services.applications.preview import Confirmation
from loanfund.services.funds import own_fund
from loanfund.services.group import dissolution
from loanfund.web import confirming
from loanfund.web.forms import Form, SubmitOnce, day_field, field_errors, long_text, text
from loanfund.web.roles import roles_required
from loanfund.web.submitting import submit_once

bp = Blueprint("dissolution", __name__, url_prefix="/fund/dissolution")


class ProposeForm(SubmitOnce, Form):
    reason = long_text("提议解散的理由")


class DecideForm(SubmitOnce, Form):
    decision = text("决定")  # the button pressed: dissolve / keep
    minutes_ref = text("会议纪要编号")
    note = long_text("意见")


class ApprovalForm(SubmitOnce, Form):
    approval_ref = text("政府批复文号")
    approved_on = day_field("批准日期")


class CloseForm(SubmitOnce, Form):
    closed_on = day_field("结清日期")
    bank_ref = text("银行凭证号（返还净资产的支付流水）", max_length=64)


def _page(forms: dict[str, Form] | None = None, status: int = 200) -> tuple[str, int]:
    row = dissolution.current(own_fund(current_user).id)
    role = current_user.role_enum
    given = forms or {}
    shown: dict[str, Form] = {}
    if role is Role.OPERATOR and row is None:
        shown["propose"] = given.get("propose") or ProposeForm(formdata=None)
    if row is not None and row.state == "proposed" and role is Role.GROUP:
        shown["decide"] = given.get("decide") or DecideForm(formdata=None)
    if row is not None and row.state == "decided" and role is Role.OPERATOR:
        shown["approve"] = given.get("approve") or ApprovalForm(formdata=None, data={"approved_on": clock.today()})
    if row is not None and row.state == "approved" and role is Role.OPERATOR:
        shown["close"] = given.get("close") or CloseForm(formdata=None, data={"closed_on": clock.today()})
    closing = dissolution.closing_now(own_fund(current_user).id) if row is None or row.state != "closed" else None
    return (
        render_template(
            "fund/dissolution.html",
            row=row,
            history=dissolution.history(own_fund(current_user).id),
            labels=dissolution.STATE_LABELS,
            closing=closing,
            forms=shown,
        ),
        status,
    )


@bp.get("")
@roles_required(*dissolution.READERS)
def index() -> tuple[str, int]:
    return _page()


def _take(form: Form, name: str, call, describe, url: str) -> str | Response | tuple[str, int]:  # type: ignore[no-untyped-def]
    """A step of the dissolution: validated, shown first, taken on 确认; a refusal shown on the page."""
    if not form.validate() or confirming.revising():
        return _page({name: form}, 422 if form.errors else 200)
    taken = submit_once(
        form,
        call,
        confirm=lambda: confirming.ask_first(form, call, describe, url, "应急转贷资金解散（第二十六条）"),
        on_invalid=lambda exc: field_errors(form, exc.errors),
    )
    if taken.page is not None:
        return taken.page
    if taken.invalid:
        return _page({name: form}, 422)
    if taken.done:
        flash("已办理", "success")
    return redirect(url_for("dissolution.index"))


def _described(title: str, warning: str):  # type: ignore[no-untyped-def]
    def describe(row: Dissolution) -> Confirmation:
        lines = [("事项", dissolution.STATE_LABELS[row.state]), ("理由", row.reason)]
        if row.approval_ref:
            lines.append(("政府批复", f"{row.approval_ref}（{row.approved_on}）"))
        if row.shares:
            lines += [(f"返还{s['contributor']}", f"{s['share']} 元") for s in row.shares]
        return Confirmation(title=title, lines=tuple(lines), warning=warning)

    return describe


@bp.post("/propose")
@roles_required(Role.OPERATOR)
def propose() -> str | Response | tuple[str, int]:
    form = ProposeForm()
    return _take(
        form,
        "propose",
        lambda: dissolution.propose(current_user, form.reason.data or ""),
        _described("提议解散", "提议报领导小组讨论；领导小组决定并经政府批准后，本资金停止受理申请。"),
        url_for("dissolution.propose"),
    )


@bp.post("/<int(max=2147483647):dissolution_id>/decide")
@roles_required(Role.GROUP)
def decide(dissolution_id: int) -> str | Response | tuple[str, int]:
    dissolution.of(current_user, dissolution_id)  # another fund's: 404 before anything is read
    form = DecideForm()
    dissolve = form.decision.data == "dissolve"
    return _take(
        form,
        "decide",
        lambda: dissolution.decide(
            current_user, dissolution_id, dissolve, form.minutes_ref.data or "", form.note.data or ""
        ),
        _described("同意解散" if dissolve else "不同意解散", "决定记入领导小组登记簿。"),
        url_for("dissolution.decide", dissolution_id=dissolution_id),
    )


@bp.post("/<int(max=2147483647):dissolution_id>/approval")
@roles_required(Role.OPERATOR)
def approval(dissolution_id: int) -> str | Response | tuple[str, int]:
    dissolution.of(current_user, dissolution_id)
    form = ApprovalForm()
    return _take(
        form,
        "approve",
        lambda: dissolution.record_approval(
            current_user, dissolution_id, form.approval_ref.data or "", form.approved_on.data
        ),
        _described("登记政府批准", "登记后本资金即停止受理申请，不再放款。"),
        url_for("dissolution.approval", dissolution_id=dissolution_id),
    )


@bp.post("/<int(max=2147483647):dissolution_id>/close")
@roles_required(Role.OPERATOR)
def close(dissolution_id: int) -> str | Response | tuple[str, int]:
    dissolution.of(current_user, dissolution_id)
    form = CloseForm()
    if not form.validate() or confirming.revising():
        return _page({"close": form}, 422 if form.errors else 200)
    closed_on = form.closed_on.data or clock.today()

    def call() -> Dissolution:
        return dissolution.close(current_user, dissolution_id, closed_on, form.bank_ref.data or "")

    def confirm() -> str | None:
        if confirming.confirmed():
            return None
        shown = preview.confirm_money(
            own_fund(current_user).id,
            "结清并返还净资产",
            call,
            _closing_shown,
            "结清后专用账户余额为零，各科目余额为零，不能撤销。",
        )
        return confirming.page(shown, form, url_for("dissolution.close", dissolution_id=dissolution_id))

    taken = submit_once(form, call, confirm=confirm, on_invalid=lambda exc: field_errors(form, exc.errors))
    if taken.page is not None:
        return taken.page
    if taken.invalid:
        return _page({"close": form}, 422)
    if taken.done:
        flash("已结清账目，净资产已按出资比例返还", "success")
    return redirect(url_for("dissolution.index"))


def _closing_shown(row: Dissolution) -> Confirmation:
    shares = [(s["contributor"], Money.parse(s["capital"]), Money.parse(s["share"])) for s in row.shares or []]
    return Confirmation(
        title="结清并返还净资产",
        amount_label="返还出资方合计",
        amount=sum((share for _, _, share in shares), Money.zero()),
        lines=tuple(
            (f"返还{name}（出资 {capital.format()} 元）", f"{share.format()} 元") for name, capital, share in shares
        ),
        date_label="结清日期",
        on=row.closed_on,
    )

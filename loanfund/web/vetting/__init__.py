"""Vetted sign-up: the new enterprise user uploads its business licence; the platform reviewer vets it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from loanfund.domain.errors import InvalidInput, NotAllowed, NotFound
from loanfund.domain.lifecycle import Role
from loanfund.models import Enterprise
from loanfund.services import uow
from loanfund.services.funds import district_choices
from loanfund.services.people import vetting
from loanfund.web.roles import roles_required

bp = Blueprint("vetting", __name__)
reviewer_only = roles_required(Role.REVIEWER)


@bp.post("/sign-up/licence")
@login_required
def upload_licence() -> Response | str:
    """The signed-up user's business licence (a new one replaces the last, and goes back to the reviewer)."""
    if current_user.role_enum is not Role.ENTERPRISE or current_user.vetted:
        abort(404)
    upload = request.files.get("file")
    try:
        vetting.attach_licence(current_user, upload.filename or "" if upload else "", upload.read() if upload else b"")
    except InvalidInput as exc:
        uow.discard()
        for message in exc.errors.get("file", []):
            flash(message, "danger")
    except (NotFound, NotAllowed) as exc:
        uow.discard()
        flash(exc.message, "warning")
    else:
        flash("营业执照已上传，等待平台审核", "success")
    return redirect(url_for("main.home"))


@bp.get("/sign-ups/<int(max=2147483647):sign_up_id>/licence")
@login_required
def licence(sign_up_id: int) -> Response:
    """The licence file, for the reviewer and the user who uploaded it (404 for anyone else)."""
    try:
        record, path = vetting.licence_file(current_user, sign_up_id)
    except NotFound:
        abort(404)
    return send_file(path, mimetype=record.licence_type, download_name=record.licence_name, as_attachment=False)


@bp.get("/sign-ups")
@reviewer_only
def index() -> str:
    return render_template("vetting/index.html", sign_ups=vetting.pending(current_user))


@bp.route("/sign-ups/<int(max=2147483647):sign_up_id>", methods=["GET", "POST"])
@reviewer_only
def detail(sign_up_id: int) -> tuple[str, int] | Response:
    try:
        record = vetting.sign_up_for(current_user, sign_up_id)
    except NotFound:
        abort(404)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = request.form
        try:
            if form.get("what") == "identity":
                vetting.correct_identity(
                    current_user,
                    sign_up_id,
                    vetting.Identity(form.get("name", ""), form.get("credit_code", ""), form.get("district", "")),
                )
                flash("企业登记信息已更正（审计记录保留更正前后的内容）", "success")
            else:
                approve = form.get("decision") == "approve"
                vetting.decide(current_user, sign_up_id, approve=approve, note=form.get("note", ""))
                flash("已通过审核" if approve else "已退回", "success")
                return redirect(url_for("vetting.index"))
        except InvalidInput as exc:
            uow.discard()
            errors = exc.errors
        except NotAllowed as exc:
            uow.discard()
            flash(exc.message, "warning")
        else:
            return redirect(url_for("vetting.detail", sign_up_id=sign_up_id))
    existing: Enterprise = record.enterprise
    return render_template(
        "vetting/detail.html",
        record=record,
        enterprise=existing,
        errors=errors,
        form=request.form if request.method == "POST" else {},
        districts=district_choices(),
        district_note=vetting.district_note(record),
        declared=vetting.declared(record),
    ), (422 if errors else 200)

"""Users and their access: accounts, roles, login limits, the login record, switching an account off."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from loanfund import clock
from loanfund.domain.errors import InvalidInput, NotAllowed
from loanfund.domain.lifecycle import PLATFORM_ROLES, Role
from loanfund.services import admin as admin_service
from loanfund.services import directory, uow
from loanfund.services.funds import own_fund
from loanfund.services.people import accounts, password_reset, second_factor
from loanfund.services.people.accounts import add_user
from loanfund.web.admin import admin_only, bp
from loanfund.web.admin.forms import UserForm
from loanfund.web.forms import field_errors, options


@bp.route("/users", methods=["GET", "POST"])
@admin_only
def users() -> str | Response:
    form = UserForm()
    form.role.choices = options((r.value, r.label) for r in Role if r not in PLATFORM_ROLES)  # a fund's users
    fund_id = own_fund(current_user).id
    form.bank_id.choices = options([(0, "—")] + [(b.id, b.name) for b in directory.banks(fund_id)])
    if form.validate_on_submit():
        enterprise = directory.enterprise_by_credit_code(form.credit_code.data or "")
        try:
            user = add_user(
                form.username.data or "",
                form.password.data or "",
                Role(form.role.data),
                display_name=form.display_name.data or "",
                enterprise=enterprise,
                bank=directory.bank(fund_id, form.bank_id.data or 0),
                fund=None if form.role.data == Role.ENTERPRISE.value else current_user.fund,
            )
        except InvalidInput as exc:
            uow.discard()
            errors = {{"enterprise": "credit_code", "bank": "bank_id"}.get(k, k): v for k, v in exc.errors.items()}
            if "credit_code" in errors and form.credit_code.data and enterprise is None:
                errors["credit_code"] = ["未找到该统一社会信用代码的企业"]
            field_errors(form, errors)
        else:
            flash(f"已创建用户 {user.username}", "success")
            return redirect(url_for("admin.users"))
    return render_template(
        "admin/users.html",
        users=directory.users(fund_id),
        form=form,
        limited=accounts.limited_accounts(clock.utcnow(), directory.people_of(fund_id)),
        with_second_factor=second_factor.enrolled_among(directory.people_of(fund_id)),
    )


@bp.post("/users/<int(max=2147483647):user_id>/limits")
@admin_only
def lift_limits(user_id: int) -> Response:
    user = directory.user_of(own_fund(current_user).id, user_id)
    if user is None:
        abort(404)  # nobody, or another fund's
    lifted = accounts.lift_limits(current_user, user)
    flash(f"已解除 {user.username} 的登录限制（{lifted} 处）", "success")
    return redirect(url_for("admin.users"))


@bp.get("/logins")
@admin_only
def logins() -> str:
    username = (request.args.get("username") or "").strip()[:64]
    people = directory.people_of(own_fund(current_user).id)
    return render_template(
        "admin/logins.html",
        records=accounts.login_records(people, username=username),
        resets=password_reset.recent(people, username=username),
        factor_events=second_factor.events(people, username=username),
        factor_kinds=second_factor.EVENT_LABELS,
        factor_purpose=second_factor.purpose_label,
        now=clock.utcnow(),
        username=username,
    )


@bp.post("/users/<int(max=2147483647):user_id>/active")
@admin_only
def toggle_active(user_id: int) -> Response:
    user = directory.user_of(own_fund(current_user).id, user_id)
    if user is None:
        abort(404)  # nobody, or another fund's
    try:
        admin_service.set_active(current_user, user, not user.active)
        flash(f"{user.username} 已{'启用' if user.active else '停用'}", "success")
    except NotAllowed as exc:
        uow.discard()
        flash(exc.message, "danger")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int(max=2147483647):user_id>/second-factor/reset")
@admin_only
def reset_second_factor(user_id: int) -> Response:
    """A user lost the phone and the recovery codes: their second factor off, their sessions and tokens ended; they
    enrol again (at their next login, where it is required)."""
    user = directory.user_of(own_fund(current_user).id, user_id)
    if user is None:
        abort(404)  # nobody, or another fund's
    if second_factor.reset(current_user, user, address=request.remote_addr or ""):
        flash(f"已重置 {user.username} 的两步验证；该用户须重新启用", "success")
    else:
        flash(f"{user.username} 未启用两步验证，无需重置", "info")
    return redirect(url_for("admin.users"))

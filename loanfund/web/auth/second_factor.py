"""两步验证 on the web (issue 30): the code asked after the password at login, the account's page to turn it on (QR
code, first code, recovery codes shown once), renew the recovery codes or turn it off, and — when the deployment
requires one — every page but these sends a user without one to enrol first."""

from __future__ import annotations

import time

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from loanfund.domain.errors import InvalidInput, NotAllowed, NotFound
from loanfund.models import User
from loanfund.services import uow
from loanfund.services.people import second_factor
from loanfund.web.auth import bp, sign_in
from loanfund.web.auth.forms import CodeForm, StartForm
from loanfund.web.forms import field_errors

PENDING_KEY = "2fa"  # the user whose password was right, when, and where to after: the code page's
PENDING_FOR = 300  # seconds to type the code after the password
# what a user who must enrol may still reach: this page, logging out, and the files every page needs
OPEN_WHILE_ENROLLING = frozenset(
    {"auth.second_factor_page", "auth.logout", "auth.login_code", "static", "bootstrap.static", "favicon"}
)


def ask_after_password(user: User, target: str) -> Response | None:
    """The user's password was right: when theirs is on, the code page instead of signing in."""
    if not second_factor.enrolled(user):
        return None
    session.clear()
    session[PENDING_KEY] = {"user": user.id, "at": int(time.time()), "next": target}
    return redirect(url_for("auth.login_code"))


@bp.route("/login/code", methods=["GET", "POST"])
def login_code() -> str | Response:
    """The second step of a login: the code from the app (or a recovery code), within five minutes of the password."""
    pending = session.get(PENDING_KEY) or {}
    user = second_factor.awaiting_code(int(pending.get("user") or 0)) if pending else None
    if user is None or time.time() - int(pending.get("at", 0)) > PENDING_FOR:
        session.pop(PENDING_KEY, None)  # no password typed here lately: the page says to log in again
        return render_template("auth/login_code.html", form=None, username="")
    form = CodeForm()
    if form.validate_on_submit():
        try:
            second_factor.check(user, form.otp.data or "", purpose="login", address=request.remote_addr or "")
        except InvalidInput as exc:
            field_errors(form, exc.errors)
        else:
            target = str(pending.get("next") or url_for("main.home"))
            sign_in(user)
            if second_factor.unused_recovery_codes(user) <= 2:
                flash("未用的恢复码已不多，请在“两步验证”页面重新生成", "warning")
            return redirect(target)
    return render_template("auth/login_code.html", form=form, username=user.username)


@bp.route("/account/second-factor", methods=["GET", "POST"])
@login_required
def second_factor_page() -> str | Response | tuple[str, int]:
    """The account's 两步验证: begin (a QR code), confirm with the first code (the recovery codes, shown once);
    when on, new recovery codes or off, each after a code."""
    if not second_factor.asked_of(current_user):
        abort(404)  # the enterprises' and banks' accounts are not asked for one
    start, code = StartForm(prefix="start"), CodeForm()
    doing = request.form.get("doing", "")
    address = request.remote_addr or ""
    codes: list[str] = []
    status = 200
    if request.method == "POST" and doing == "begin" and start.validate_on_submit():
        try:
            second_factor.begin_enrolment(current_user)
        except NotAllowed as exc:
            flash(exc.message, "warning")
        return redirect(url_for("auth.second_factor_page"))
    if request.method == "POST" and doing in ("confirm", "renew", "remove") and code.validate_on_submit():
        try:
            if doing == "confirm":
                codes = second_factor.confirm_enrolment(current_user, code.otp.data or "", address=address)
                flash("两步验证已启用。请抄下或打印下面的恢复码，妥善保管：它们只显示这一次", "success")
            else:
                passed = second_factor.check(current_user, code.otp.data or "", purpose=doing, address=address)
                if doing == "renew":
                    codes = second_factor.renew_recovery_codes(current_user, passed, address=address)
                    flash("已生成新的恢复码，原有恢复码全部作废。新的恢复码只显示这一次", "success")
                else:
                    second_factor.remove(current_user, passed, address=address)
                    flash("两步验证已停用", "success")
                    return redirect(url_for("auth.second_factor_page"))
        except InvalidInput as exc:
            uow.discard()
            field_errors(code, exc.errors)
            status = 422
        except NotFound as exc:
            uow.discard()
            flash(exc.message, "warning")
            return redirect(url_for("auth.second_factor_page"))
    elif request.method == "POST":
        status = 422
    factor = second_factor.factor_of(current_user)
    return render_template(
        "account/second_factor.html",
        factor=factor,
        pending=None if factor else second_factor.pending(current_user),
        unused=second_factor.unused_recovery_codes(current_user) if factor else 0,
        codes=codes,
        start=start,
        form=code,
        doing=doing,
        required=second_factor.must_enrol(current_user),
    ), status


@bp.before_app_request
def enrol_first() -> Response | None:
    """Where the deployment requires a second factor, a user of a role it asks who has none enrols before anything
    else."""
    if (
        current_user.is_authenticated
        and request.endpoint not in OPEN_WHILE_ENROLLING
        and not request.path.startswith("/api/")
        and second_factor.must_enrol(current_user)
    ):
        return redirect(url_for("auth.second_factor_page"))
    return None

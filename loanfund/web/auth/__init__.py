"""Log in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from loanfund.domain.errors import InvalidInput
from loanfund.extensions import login_manager
from loanfund.models import User
from loanfund.services import uow
from loanfund.services.accounts import AuthenticationFailed, active_user, authenticate, change_password, set_notices
from loanfund.web.auth.forms import LoginForm, NoticesForm, PasswordForm
from loanfund.web.forms import field_errors

bp = Blueprint("auth", __name__)


def register_user_loader() -> None:
    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return active_user(user_id)  # a switched-off user's session ends at once


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never redirect a freshly logged-in user elsewhere, nor into a header with a line
    break or a backslash in it (``/%0D%0Ax``, ``/\\evil``)."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and target.isprintable()
        and not any(c in target for c in " \\")
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.username.data or "", form.password.data or "")
        except AuthenticationFailed as exc:
            form.password.errors = [exc.message]
        else:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    logout_user()
    flash("已安全退出", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password() -> str | Response:
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current_password.data or "", form.new_password.data or "")
        except InvalidInput as exc:
            uow.discard()
            field_errors(form, exc.errors)
        else:
            flash("密码已修改", "success")
            return redirect(url_for("main.home"))
    return render_template("account/password.html", form=form)


@bp.route("/account/notices", methods=["GET", "POST"])
@login_required
def notices() -> str | Response:
    form = NoticesForm()
    if request.method == "GET":
        form.email.data, form.by_email.data = current_user.email or "", current_user.email_notices
    elif form.validate_on_submit():
        try:
            set_notices(current_user, form.email.data or "", bool(form.by_email.data))
        except InvalidInput as exc:
            uow.discard()
            field_errors(form, exc.errors)
        else:
            flash("通知设置已保存", "success")
            return redirect(url_for("inbox.index"))
    return render_template("account/notices.html", form=form)

"""Log in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from loanfund.domain.errors import InvalidInput, NotFound
from loanfund.extensions import login_manager
from loanfund.models import User
from loanfund.services import uow
from loanfund.services.people import password_reset, sessions, tokens
from loanfund.services.people.accounts import AuthenticationFailed, authenticate, change_password, set_notices
from loanfund.services.people.second_factor import asked_of
from loanfund.web.auth.forms import EndForm, ForgotForm, LoginForm, NoticesForm, PasswordForm, ResetForm
from loanfund.web.forms import field_errors

bp: Blueprint = Blueprint("auth", __name__)


def register_user_loader() -> None:
    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        """The user of this browser's open session on the server; a logged-out, idle, expired or switched-off one is
        nobody (and Flask-Login sends them to the login page)."""
        found = sessions.find(session.get(SESSION_KEY), user_id)
        if found is None:
            return None
        g.session_id = found.session_id
        return found.user


SESSION_KEY = "sk"


def sign_in(user: User) -> None:
    """Open a new session for ``user`` in this browser: nothing from before carries over (a new CSRF token, a new
    session key)."""
    session.clear()
    session[SESSION_KEY] = sessions.begin(
        user, address=request.remote_addr or "", agent=request.user_agent.string or ""
    )
    login_user(user)


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
            user = authenticate(form.username.data or "", form.password.data or "", address=request.remote_addr or "")
        except AuthenticationFailed as exc:
            form.password.errors = [exc.message]
        else:
            target = _safe_next(request.args.get("next"))
            asked = ask_after_password(user, target)  # their second factor on: its code first
            if asked is not None:
                return asked
            sign_in(user)
            return redirect(target)
    return render_template("auth/login.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot() -> str | Response:
    """忘记密码: one answer whatever was typed (``password_reset.ANSWER``); the link goes by e-mail."""
    form = ForgotForm()
    if form.validate_on_submit():
        password_reset.request(
            form.identifier.data or "",
            address=request.remote_addr or "",
            link=lambda token: url_for("auth.reset", token=token, _external=True),
        )
        flash(password_reset.ANSWER, "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/reset/<string(length=43):token>", methods=["GET", "POST"])
def reset(token: str) -> tuple[str, int] | str | Response:
    """The link's page: a new password, twice. A link used, replaced or expired says so (410), and how to ask again."""
    try:
        found = password_reset.find(token)
    except NotFound as exc:
        return render_template("auth/reset_gone.html", message=exc.message), 410
    form = ResetForm()
    if form.validate_on_submit():
        try:
            password_reset.reset(token, form.new_password.data or "", form.new_password_again.data or "")
        except InvalidInput as exc:
            uow.discard()
            field_errors(form, exc.errors)
        except NotFound as exc:  # its twin took the link first
            uow.discard()
            return render_template("auth/reset_gone.html", message=exc.message), 410
        else:
            if current_user.is_authenticated:  # this browser's session ended with every other
                logout_user()
            session.clear()
            flash("密码已重置，请用新密码登录；该账户在其他浏览器中的登录和全部接口令牌已失效", "success")
            return redirect(url_for("auth.login"))
    assert found.user is not None
    return render_template("auth/reset.html", form=form, username=found.user.username)


@bp.post("/logout")
@login_required
def logout() -> Response:
    sessions.end(session.get(SESSION_KEY))  # for good: a copy of the cookie kept from before no longer signs in
    logout_user()
    session.clear()
    flash("已安全退出", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password() -> str | Response:
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            change_password(
                current_user,
                form.current_password.data or "",
                form.new_password.data or "",
                keep_session_id=g.get("session_id"),
            )
        except InvalidInput as exc:
            uow.discard()
            field_errors(form, exc.errors)
        else:
            flash("密码已修改；其他浏览器中的登录和全部接口令牌已失效", "success")
            return redirect(url_for("main.home"))
    return render_template("account/password.html", form=form, second_factor_asked=asked_of(current_user))


@bp.route("/account/notices", methods=["GET", "POST"])
@login_required
def notices() -> str | Response:
    form = NoticesForm()
    if request.method == "GET":
        form.email.data, form.by_email.data = current_user.email or "", current_user.email_notices
        form.mobile.data, form.by_sms.data = current_user.mobile or "", current_user.sms_notices
    elif form.validate_on_submit():
        try:
            set_notices(
                current_user,
                form.email.data or "",
                bool(form.by_email.data),
                form.mobile.data or "",
                bool(form.by_sms.data),
            )
        except InvalidInput as exc:
            uow.discard()
            field_errors(form, exc.errors)
        else:
            flash("通知设置已保存", "success")
            return redirect(url_for("inbox.index"))
    return render_template("account/notices.html", form=form)


@bp.route("/account/sessions", methods=["GET", "POST"])
@login_required
def my_sessions() -> str | Response:
    """The user's signed-in browsers and API tokens; any of them can be ended here."""
    form = EndForm()
    if form.validate_on_submit():
        kind, _, number = (form.target.data or "").partition(":")
        # an id as the page writes it: ASCII digits within the database's integers ("²" is a digit to str.isdigit)
        known = number.isascii() and number.isdigit() and len(number) <= 9
        try:
            if kind == "session" and known and int(number) != g.get("session_id"):
                sessions.end_one(current_user, int(number))
            elif kind == "token" and known:
                tokens.revoke(current_user, int(number))
            else:
                raise NotFound("没有这个会话")
        except NotFound as exc:
            uow.discard()
            flash(exc.message, "warning")
        else:
            flash("已结束" if kind == "session" else "令牌已吊销", "success")
        return redirect(url_for("auth.my_sessions"))
    return render_template(
        "account/sessions.html",
        sessions=sessions.open_sessions(current_user),
        tokens=tokens.live_tokens(current_user),
        current=g.get("session_id"),
        form=form,
    )


from loanfund.web.auth.second_factor import ask_after_password  # noqa: E402  (its views register on ``bp``)

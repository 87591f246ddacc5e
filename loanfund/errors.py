"""App-wide error pages: problem+json under /api/, a Chinese page elsewhere. Never a stack trace to a user."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge
from werkzeug.exceptions import NotFound as PageNotFound
from werkzeug.wrappers import Response

from loanfund.api.errors import TITLES, problem
from loanfund.database import is_contention, is_duplicate
from loanfund.domain.errors import NotFound
from loanfund.extensions import db, login_manager

CONTENTION_MESSAGE = "该记录正被他人同时处理，本次操作未生效。请刷新页面查看最新状态后重试。"
CSRF_MESSAGE = "页面已过期或来源无法验证，请刷新页面后重新提交"

PAGE_MESSAGES = {
    400: "请求有误，请返回上一页重试。",
    403: "您没有权限执行此操作。",
    404: "您要找的页面不存在，或您无权查看。",
    405: "不支持该请求方法。",
    413: "上传的文件过大。",
    500: "系统出现内部错误，操作未生效。请稍后重试，或联系系统管理员。",
}


def _wants_problem() -> bool:
    return request.path.startswith("/api/")


def _page_before() -> str | None:
    """The page the user came from, when it is one of ours: where to reload after a refused POST."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/") and not referrer.path.startswith("//"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return None


def register_errorhandlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response | tuple[str, int]:
        status = exc.code or 500
        if _wants_problem():
            return problem(status)
        return render_template(
            "errors/error.html",
            status=status,
            title=TITLES.get(status, "错误"),
            message=PAGE_MESSAGES.get(status, exc.description),
        ), status

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(exc: RequestEntityTooLarge) -> Response | tuple[str, int]:
        if request.endpoint == "apps.upload" and request.view_args:
            from loanfund.web.applications import upload_too_large

            return upload_too_large(int(request.view_args["application_id"]))
        return http_error(exc)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> tuple[str, int]:
        return render_template("errors/error.html", status=400, title="请求未通过安全校验", message=CSRF_MESSAGE), 400

    @app.errorhandler(NotFound)
    def not_found(exc: NotFound) -> Response | tuple[str, int]:
        return http_error(PageNotFound())

    @app.errorhandler(DBAPIError)
    def database_error(exc: DBAPIError) -> Response | tuple[str, int]:
        """Another transaction got there first (a lock not granted in time, a serialization failure, a unique index
        that refuses a second copy): nothing was written; the user reloads and retries. Anything else is a 500."""
        if not (is_contention(exc) or is_duplicate(exc)):
            return unexpected(exc)
        app.logger.info("contention on %s %s: %s", request.method, request.path, exc.orig)
        if _wants_problem():
            db.session.rollback()
            return problem(409, title="与当前状态冲突", detail=CONTENTION_MESSAGE, code="contention")
        if "_login_user" not in g:  # the lock stopped the user's own loading: show the page without asking again
            g._login_user = login_manager.anonymous_user()
        g.database_busy = True  # the page asks the database nothing more (no unread count in its header)
        # Rendered before the rollback, which would expire the user the page header shows (and reloading it may
        # meet the same lock).
        page = render_template(
            "errors/error.html", status=409, title="操作未生效", message=CONTENTION_MESSAGE, back=_page_before()
        )
        db.session.rollback()
        return page, 409

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response | tuple[str, int]:
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        g.database_busy = True  # the error page must not depend on the database that may have failed
        return http_error(InternalServerError())

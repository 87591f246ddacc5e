"""App-wide error pages: problem+json under /api/, a Chinese page elsewhere. Never a stack trace to a user."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge
from werkzeug.exceptions import NotFound as PageNotFound
from werkzeug.wrappers import Response

from loanfund.api.errors import TITLES, problem
from loanfund.domain.errors import NotFound
from loanfund.extensions import db

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

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response | tuple[str, int]:
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return http_error(InternalServerError())

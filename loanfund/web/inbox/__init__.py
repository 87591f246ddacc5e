"""Each user's in-app inbox (站内信, DESIGN §6): every notice lands here, whatever the e-mail settings."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, g, has_request_context, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from loanfund.services.oversight import notices
from loanfund.web.inbox.forms import ReadForm

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


@bp.get("")
@login_required
def index() -> str:
    return render_template("inbox/index.html", messages=notices.inbox(current_user), form=ReadForm())


@bp.post("/read")
@login_required
def read_all() -> Response:
    if ReadForm().validate():
        count = notices.mark_read(current_user)
        flash(f"已将 {count} 条消息标为已读", "success")
    return redirect(url_for("inbox.index"))


@bp.post("/<int(max=2147483647):message_id>/read")
@login_required
def read_one(message_id: int) -> Response:
    """Only the user's own message is marked; another's id is not there (404), as in the API."""
    if not notices.owns(current_user, message_id):
        abort(404)
    if ReadForm().validate():
        notices.mark_read(current_user, message_id)
    return redirect(url_for("inbox.index"))


def register_unread_count(app: Flask) -> None:
    @app.context_processor
    def unread_count() -> dict[str, int]:
        """The header's unread count: one COUNT for a logged-in user's page; nothing for anyone else, nor on a page
        that reports the database busy or failing, nor a document rendered outside a request (the audit pack)."""
        if not has_request_context() or g.get("database_busy") or not current_user.is_authenticated:
            return {"unread_count": 0}
        return {"unread_count": notices.unread(current_user)}

"""第二十四条 in the browser: for an application (a loss above all) or a blacklist entry, who reviewed, committed,
decided, prepared, authorised and received — one printable page, read by the platform and the group."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from loanfund.services.group import accountability
from loanfund.web.roles import roles_required

bp = Blueprint("accountability", __name__)
readers = roles_required(*accountability.READERS)


@bp.get("/applications/<int(max=2147483647):application_id>/accountability")
@readers
def application(application_id: int) -> str:
    """:raise 404: not the reader's application."""
    return render_template("accountability.html", a=accountability.for_application(current_user, application_id))


@bp.get("/blacklist/<int(max=2147483647):entry_id>/accountability")
@readers
def blacklist_entry(entry_id: int) -> str:
    """:raise 404: no such entry."""
    return render_template("accountability.html", a=accountability.for_blacklist_entry(current_user, entry_id))

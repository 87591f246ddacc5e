"""The e-mail queue: what was sent, what failed, sending again."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from loanfund.domain.errors import LoanFundError
from loanfund.services import uow
from loanfund.services.funds import own_fund
from loanfund.services.oversight import mailer, sms
from loanfund.web.admin import admin_only, bp
from loanfund.web.admin.forms import RequeueForm


@bp.get("/mail")
@admin_only
def mail() -> str:
    """The e-mail queue: what has not gone out yet, with every attempt (nothing is lost without an SMTP server)."""
    return render_template(
        "admin/mail.html",
        deliveries=mailer.pending(own_fund(current_user).id),
        configured=mailer.configured(),
        texts=sms.pending(own_fund(current_user).id),
        texting=sms.configured(),
        form=RequeueForm(),
    )


@bp.post("/mail/<int(max=2147483647):delivery_id>/requeue")
@admin_only
def requeue_mail(delivery_id: int) -> Response:
    fund_id = own_fund(current_user).id
    mailer.delivery_of(delivery_id, fund_id)  # another fund's: 404 before anything is read
    if RequeueForm().validate():
        try:
            mailer.requeue(delivery_id, fund_id)
            flash("已重新加入发送队列", "success")
        except LoanFundError as exc:
            uow.discard()
            flash(exc.message, "danger")
    return redirect(url_for("admin.mail"))

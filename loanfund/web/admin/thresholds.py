"""The early-warning thresholds (R15)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from loanfund.domain.errors import InvalidInput
from loanfund.services import uow
from loanfund.services.funds import own_fund
from loanfund.services.oversight import settings, time_limits
from loanfund.web.admin import admin_only, bp
from loanfund.web.admin.forms import ThresholdsForm
from loanfund.web.forms import field_errors


@bp.route("/settings", methods=["GET", "POST"])
@admin_only
def thresholds() -> str | Response:
    form = ThresholdsForm()
    fund_id = own_fund(current_user).id
    if not form.is_submitted():
        current = settings.thresholds(fund_id)
        form.due_within_days.data = str(current.due_within_days)
        form.concentration_percent.data = str(current.concentration_percent)
        form.utilisation_percent.data = str(current.utilisation_percent)
        form.statement_days.data = str(current.statement_days)
        promised = time_limits.limits(fund_id)
        for stage, key in time_limits.KEYS.items():
            form[key].data = str(promised.of(stage))
    elif form.validate():
        try:
            settings.save_thresholds(
                current_user,
                fund_id,
                form.due_within_days.data or "",
                form.concentration_percent.data or "",
                form.utilisation_percent.data or "",
                form.statement_days.data,  # None when not sent: kept as it is
                {key: form[key].data for key in time_limits.KEYS.values()},
            )
        except InvalidInput as exc:
            uow.discard()
            field_errors(form, exc.errors)
        else:
            flash("预警设置已保存", "success")
            return redirect(url_for("admin.thresholds"))
    return render_template("admin/settings.html", form=form)

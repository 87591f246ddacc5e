"""Policy versions (R14): the numbers in force from a date, confirmed before they apply."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from loanfund.clock import cn_day
from loanfund.domain.errors import InvalidInput
from loanfund.domain.money import Money
from loanfund.models import PolicyVersion
from loanfund.services import directory, uow
from loanfund.services import policies as versions
from loanfund.services.applications.preview import Confirmation
from loanfund.services.funds import own_fund
from loanfund.web import confirming
from loanfund.web.admin import admin_only, bp
from loanfund.web.admin.forms import PolicyForm
from loanfund.web.forms import field_errors


def _policy_shown(version: PolicyVersion) -> Confirmation:
    policy = version.to_policy()
    bands = "；".join(
        f"第 {n} 档 {band.base_rate_permille}‰ / {band.extended_rate_permille}‰"
        for n, band in enumerate(policy.bands, start=1)
    )
    return Confirmation(
        title="新增政策版本",
        lines=(
            ("版本", version.name),
            ("施行日期", cn_day(version.effective_from)),
            ("日费率（基础天数内 / 超出部分）", bands),
            ("用款期限", f"最长 {policy.max_days} 天"),
            ("额度上限", f"银行承诺续贷额度的 {(policy.cap_ratio * 100).normalize():f}%"),
            ("受理的贷款种类", "、".join(t.label for t in policy.loan_types)),
        ),
        warning="施行日起批准的申请按此版本定价和审核，并保持不变；版本登记后不能修改或撤回。",
    )


@bp.route("/policies", methods=["GET", "POST"])
@admin_only
def policies() -> str | Response:
    form = PolicyForm()
    if form.validate_on_submit():
        data = {
            "name": form.name.data,
            "effective_from": form.effective_from.data,
            "description": form.description.data,
            "bands": [
                {
                    "upper_bound": form.band1_upper.data,
                    "upper_inclusive": form.band1_inclusive.data,
                    "base_rate_permille": form.band1_base.data,
                    "extended_rate_permille": form.band1_extended.data,
                },
                {
                    "upper_bound": form.band2_upper.data,
                    "upper_inclusive": form.band2_inclusive.data,
                    "base_rate_permille": form.band2_base.data,
                    "extended_rate_permille": form.band2_extended.data,
                },
                {
                    "upper_bound": None,
                    "upper_inclusive": False,
                    "base_rate_permille": form.band3_base.data,
                    "extended_rate_permille": form.band3_extended.data,
                },
            ],
            "base_rate_days": form.base_rate_days.data,
            "max_days": form.max_days.data,
            "cap_percent": form.cap_percent.data,
            "group_threshold": (form.group_threshold.money or Money(0)).plain(),
            "group_for_overdue_loan": form.group_for_overdue_loan.data,
            "renewal_sla_days": form.renewal_sla_days.data,
            "blacklist_years": form.blacklist_years.data,
            "rate_mode": form.rate_mode.data,
            "loan_types": form.loan_types.data,
        }
        try:
            if not confirming.revising():
                shown = confirming.ask_first(
                    form,
                    lambda: versions.create_policy_version(own_fund(current_user), data),
                    _policy_shown,
                    url_for("admin.policies"),
                    "政策版本（R14）",
                )
                if shown is not None:
                    return shown
                version = versions.create_policy_version(own_fund(current_user), data)
                flash(f"已新增政策版本 {version.name}，自 {version.effective_from} 起施行", "success")
                return redirect(url_for("admin.policies"))
        except InvalidInput as exc:
            uow.discard()
            field_errors(form, {k.replace("_rate", ""): v for k, v in exc.errors.items()})
    rows = directory.policy_versions(own_fund(current_user))
    return render_template("admin/policies.html", versions=[(r, r.to_policy()) for r in rows], form=form)

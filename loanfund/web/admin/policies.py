"""Policy versions (R14): the numbers in force from a date, confirmed before they apply — with as many fee bands as
the policy has, and corrected or withdrawn (with the reason) until they take effect (issue 27)."""

from __future__ import annotations

import re
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from loanfund.clock import cn_day
from loanfund.domain.errors import Conflict, InvalidInput
from loanfund.domain.money import Money
from loanfund.models import PolicyVersion
from loanfund.services import directory, uow
from loanfund.services import policies as versions
from loanfund.services.applications.preview import Confirmation
from loanfund.services.funds import own_fund
from loanfund.web import confirming
from loanfund.web.admin import admin_only, bp
from loanfund.web.admin.forms import MAX_BANDS, PolicyForm, PolicyRevisionForm, PolicyWithdrawalForm
from loanfund.web.forms import field_errors

_BAND_ERROR = re.compile(r"^band(\d+)_(base|extended)_rate$")


def _policy_shown(title: str, warning: str) -> Any:
    def shown(version: PolicyVersion) -> Confirmation:
        policy = version.to_policy()
        bands = "；".join(
            f"第 {n} 档 {band.base_rate_permille}‰ / {band.extended_rate_permille}‰"
            for n, band in enumerate(policy.bands, start=1)
        )
        return Confirmation(
            title=title,
            lines=(
                ("版本", version.name),
                ("施行日期", cn_day(version.effective_from)),
                ("日费率（基础天数内 / 超出部分）", bands),
                ("用款期限", f"最长 {policy.max_days} 天"),
                ("额度上限", f"银行承诺续贷额度的 {policy.cap_percent}%"),
                ("受理的贷款种类", "、".join(t.label for t in policy.loan_types)),
            ),
            warning=warning,
        )

    return shown


NEW_WARNING = "施行日起批准的申请按此版本定价和审核，并保持不变；施行前可以更正或撤回（须说明原因），施行后不能更改。"


def _data(form: PolicyForm) -> dict[str, Any]:
    """The form's parameters as the service reads them: every band row typed (empty rows are skipped there)."""
    return {
        "name": form.name.data,
        "effective_from": form.effective_from.data,
        "description": form.description.data,
        "bands": [
            {
                "upper_bound": entry.upper.data or None,
                "upper_inclusive": entry.inclusive.data,
                "base_rate_permille": entry.base.data,
                "extended_rate_permille": entry.extended.data,
            }
            for entry in form.bands.entries
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


def _errors(form: PolicyForm, errors: dict[str, list[str]]) -> None:
    """A service's errors beside the fields: a band's rate beside its row's field (``band2_base_rate``)."""
    rest = {}
    for name, messages in errors.items():
        found = _BAND_ERROR.match(name)
        if found and int(found.group(1)) <= len(form.bands.entries):
            field = form.bands.entries[int(found.group(1)) - 1][found.group(2)]
            field.errors = [*field.errors, *messages]
        else:
            rest["_form" if name == "bands" else name] = messages  # about the bands together: above the form
    field_errors(form, rest)


def _one_more_band(form: PolicyForm) -> bool:
    """增加一档 pressed: one more empty row, nothing saved."""
    if not form.add_band.data:
        return False
    if len(form.bands.entries) < MAX_BANDS:
        form.bands.append_entry()
    return True


def _page(form: PolicyForm, *, editing: PolicyVersion | None = None) -> tuple[str, int]:
    fund = own_fund(current_user)
    rows = directory.policy_versions(fund)
    return (
        render_template(
            "admin/policies.html",
            versions=[(r, r.to_policy(), versions.may_change(r)) for r in rows],
            form=form,
            editing=editing,
            locked=versions.may_change(editing) if editing is not None else None,
            withdrawal=PolicyWithdrawalForm(formdata=None),
        ),
        200,  # a form's errors beside its fields, as this page always answered
    )


@bp.route("/policies", methods=["GET", "POST"])
@admin_only
def policies() -> str | Response | tuple[str, int]:
    form = PolicyForm()
    if form.is_submitted() and _one_more_band(form):
        return _page(form)
    if form.validate_on_submit():
        data = _data(form)
        fund = own_fund(current_user)
        try:
            if not confirming.revising():
                shown = confirming.ask_first(
                    form,
                    lambda: versions.create_policy_version(fund, data),
                    _policy_shown("新增政策版本", NEW_WARNING),
                    url_for("admin.policies"),
                    "政策版本（R14）",
                )
                if shown is not None:
                    return shown
                version = versions.create_policy_version(fund, data)
                flash(f"已新增政策版本 {version.name}，自 {version.effective_from} 起施行", "success")
                return redirect(url_for("admin.policies"))
        except InvalidInput as exc:
            uow.discard()
            _errors(form, exc.errors)
    return _page(form)


def _as_typed(row: PolicyVersion) -> dict[str, Any]:
    """The revision form's values as the version stands (its bands, rates and days)."""
    policy = row.to_policy()
    return {
        "name": row.name,
        "effective_from": row.effective_from,
        "description": policy.description,
        "bands": [
            {
                "upper": band.upper_bound.plain() if band.upper_bound is not None else "",
                "inclusive": band.upper_inclusive,
                "base": str(band.base_rate_permille),
                "extended": str(band.extended_rate_permille),
            }
            for band in policy.bands
        ],
        "base_rate_days": policy.base_rate_days,
        "max_days": policy.max_days,
        "cap_percent": policy.cap_percent,
        "group_threshold": policy.group_threshold.plain(),
        "group_for_overdue_loan": policy.group_for_overdue_loan,
        "renewal_sla_days": policy.renewal_sla_days,
        "blacklist_years": policy.blacklist_years,
        "rate_mode": policy.rate_mode.value,
        "loan_types": [t.value for t in policy.loan_types],
    }


@bp.route("/policies/<int(max=2147483647):version_id>", methods=["GET", "POST"])
@admin_only
def revise_policy(version_id: int) -> str | Response | tuple[str, int]:
    """A version not in force yet, corrected with the reason — shown first. :raise 404: another fund's."""
    fund = own_fund(current_user)
    row = versions.version_of(fund, version_id)
    if not PolicyRevisionForm().is_submitted():
        return _page(PolicyRevisionForm(formdata=None, data=_as_typed(row)), editing=row)
    form = PolicyRevisionForm()
    if _one_more_band(form):
        return _page(form, editing=row)
    if form.validate():
        data = _data(form)
        reason = form.reason.data or ""
        try:
            if not confirming.revising():

                def call() -> PolicyVersion:
                    return versions.revise_policy_version(current_user, fund, version_id, data, reason)

                warning = "更正后按更正的参数施行；更正前后的内容与原因保留在审计记录中。"
                url = url_for("admin.revise_policy", version_id=version_id)
                shown = confirming.ask_first(form, call, _policy_shown("更正政策版本", warning), url, "政策版本（R14）")
                if shown is not None:
                    return shown
                version = call()
                flash(f"已更正政策版本 {version.name}", "success")
                return redirect(url_for("admin.policies"))
        except (InvalidInput, Conflict) as exc:
            uow.discard()
            _errors(form, exc.errors if isinstance(exc, InvalidInput) else {"_form": [exc.message]})
    return _page(form, editing=row)


@bp.post("/policies/<int(max=2147483647):version_id>/withdrawal")
@admin_only
def withdraw_policy(version_id: int) -> str | Response | tuple[str, int]:
    """A version not in force yet, withdrawn with the reason — shown first; it stays on the list, marked.
    :raise 404: another fund's."""
    fund = own_fund(current_user)
    row = versions.version_of(fund, version_id)
    form = PolicyWithdrawalForm()
    if not form.validate() or confirming.revising():
        flash("；".join(e for errors in form.errors.values() for e in errors) or "未撤回", "warning")
        return redirect(url_for("admin.revise_policy", version_id=version_id))
    reason = form.reason.data or ""

    def call() -> PolicyVersion:
        return versions.withdraw_policy_version(current_user, fund, version_id, reason)

    def shown(version: PolicyVersion) -> Confirmation:
        return Confirmation(
            title="撤回政策版本",
            lines=(("版本", version.name), ("原定施行日期", cn_day(version.effective_from)), ("撤回原因", reason)),
            warning="撤回后该版本不会施行，仍保留在列表中并注明撤回原因；不能恢复，如需要请重新新增。",
            danger=True,
        )

    try:
        asked = confirming.ask_first(
            form, call, shown, url_for("admin.withdraw_policy", version_id=version_id), "政策版本（R14）"
        )
        if asked is not None:
            return asked
        call()
    except (InvalidInput, Conflict) as exc:
        uow.discard()
        flash(exc.message, "danger")
        return redirect(url_for("admin.revise_policy", version_id=version_id))
    flash(f"已撤回政策版本 {row.name}", "success")
    return redirect(url_for("admin.policies"))

"""The materials checklist: what is required before which step."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from loanfund.domain.errors import InvalidInput
from loanfund.services import uow
from loanfund.services.applications import materials
from loanfund.services.funds import own_fund
from loanfund.web.admin import admin_only, bp
from loanfund.web.admin.forms import MaterialItemForm
from loanfund.web.forms import field_errors, options


@bp.route("/materials", methods=["GET", "POST"])
@bp.route("/materials/<int(max=2147483647):item_id>", methods=["POST"])
@admin_only
def checklist(item_id: int | None = None) -> tuple[str, int] | Response:
    """The materials checklist (申请材料清单): what each party provides and which step needs it on file."""
    if item_id is not None:
        materials.item_of(current_user, item_id)  # another fund's: 404 before anything is read
    form = _item_form(MaterialItemForm())
    if form.is_submitted():
        if form.validate():
            try:
                item = materials.save_item(
                    current_user,
                    item_id,
                    materials.ItemInput(
                        code=form.code.data or "",
                        label=form.label.data or "",
                        provided_by=form.provided_by.data or "",
                        needed_for=form.needed_for.data or "",
                        required=bool(form.required.data),
                        active=bool(form.active.data),
                        position=form.position.data or 0,
                    ),
                )
            except InvalidInput as exc:
                uow.discard()
                field_errors(form, exc.errors)
            else:
                flash(f"已保存材料项“{item.label}”", "success")
                return redirect(url_for("admin.checklist"))
        return _checklist_page(form, item_id), 422
    return _checklist_page(_item_form(MaterialItemForm(formdata=None, data={"active": True, "position": 0})), None), 200


def _item_form(form: MaterialItemForm) -> MaterialItemForm:
    form.provided_by.choices = options([("", "请选择"), *materials.PROVIDER_LABELS.items()])
    form.needed_for.choices = options([("", "请选择"), *materials.STAGE_LABELS.items()])
    return form


def _checklist_page(new_form: MaterialItemForm, failed_id: int | None) -> str:
    """Every item with its own form (the one that failed keeps what was typed), and a form for a new one."""
    items = materials.checklist(own_fund(current_user).id, active_only=False)
    forms = {}
    for item in items:
        if failed_id == item.id:
            forms[item.id] = new_form
            continue
        data = {k: getattr(item, k) for k in ("code", "label", "provided_by", "needed_for", "required", "active")}
        forms[item.id] = _item_form(MaterialItemForm(formdata=None, data=data | {"position": item.position}))
    adding = new_form if failed_id is None else _item_form(MaterialItemForm(formdata=None))
    return render_template(
        "admin/materials.html",
        items=items,
        forms=forms,
        adding=adding,
        providers=materials.PROVIDER_LABELS,
        stages=materials.STAGE_LABELS,
    )

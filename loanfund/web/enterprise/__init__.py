"""The enterprise's own pages: sign up, and keep its details current."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import Field

from loanfund.domain.errors import InvalidInput, NotAllowed
from loanfund.domain.lifecycle import Role
from loanfund.domain.money import Money
from loanfund.services import uow
from loanfund.services.people import enterprises
from loanfund.web.enterprise.forms import EnterpriseForm, RegisterForm
from loanfund.web.forms import field_errors
from loanfund.web.roles import roles_required

bp = Blueprint("enterprise", __name__)


def _input(form: EnterpriseForm) -> enterprises.EnterpriseInput:
    return enterprises.EnterpriseInput(
        name=form.name.data or "",
        credit_code=form.credit_code.data or "",
        district=form.district.data or "",
        industry=form.industry.data or "",
        employees=form.employees.data or 0,
        revenue=form.revenue.money or Money.zero(),
        assets=form.assets.money or Money.zero(),
        legal_representative=form.legal_representative.data or "",
        contact_name=form.contact_name.data or "",
        contact_phone=form.contact_phone.data or "",
        address=form.address.data or "",
    )


@bp.route("/register", methods=["GET", "POST"])
def register() -> str | Response | tuple[str, int]:
    """An SME asks for its account: the platform vets it against the business licence before it may apply."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            enterprises.register(
                form.username.data or "",
                form.password.data or "",
                form.email.data or "",
                _input(form),
                address=request.remote_addr or "",
            )
        except InvalidInput as exc:
            uow.discard()
            field_errors(form, exc.errors)
        except NotAllowed as exc:  # too many sign-ups from here or under that code: the form stays as typed
            uow.discard()
            flash(exc.message, "danger")
            return render_template("enterprise/register.html", form=form), 429
        else:
            # the same answer whatever was registered before (a credit code or a username is never confirmed here)
            return render_template("enterprise/registered.html", username=(form.username.data or "").strip())
    elif form.is_submitted() and not form.csrf_token.errors:
        # the form's own errors beside what only the service can tell (a wrong check character), in one pass
        def readable(field: Field) -> str | None:
            return None if field.errors else (field.data or "")

        login_ok = not (form.username.errors or form.password.errors)
        problems = enterprises.sign_up_problems(
            readable(form.username) if login_ok else None,
            readable(form.password) if login_ok else None,
            readable(form.credit_code),
            readable(form.email),
        )
        field_errors(form, problems)
    return render_template("enterprise/register.html", form=form)


@bp.route("/enterprise", methods=["GET", "POST"])
@roles_required(Role.ENTERPRISE)
def edit() -> str | Response:
    """:raise 404: for users who are not an enterprise's."""
    enterprise = current_user.enterprise
    form = EnterpriseForm(obj=enterprise) if not EnterpriseForm().is_submitted() else EnterpriseForm()
    if not form.is_submitted():
        form.revenue.data = enterprise.revenue.plain()
        form.assets.data = enterprise.assets.plain()
    if form.validate_on_submit():
        try:
            enterprises.update(current_user, _input(form))
        except InvalidInput as exc:
            uow.discard()
            field_errors(form, exc.errors)
        else:
            flash(f"企业信息已保存；企业规模：{enterprise.size_enum.label}企业", "success")
            return redirect(url_for("enterprise.edit"))
    return render_template("enterprise/edit.html", form=form, enterprise=enterprise)

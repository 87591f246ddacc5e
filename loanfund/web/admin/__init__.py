"""Administration: users, banks and agreements, policy versions, contributions, the e-mail queue. Administrator only
(404 otherwise)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from loanfund import clock
from loanfund.clock import cn_day
from loanfund.domain.errors import InvalidInput, LoanFundError, NotAllowed
from loanfund.domain.ledger import FEE_INCOME
from loanfund.domain.lifecycle import Role
from loanfund.domain.money import Money
from loanfund.models import Contribution, PolicyVersion
from loanfund.services import admin as admin_service
from loanfund.services import directory, uow
from loanfund.services.applications import materials, preview
from loanfund.services.applications.preview import Confirmation
from loanfund.services.books import bank_accounts, ledger
from loanfund.services.books.capital import (
    DistributionResult,
    contributor_named,
    dissolution_statement,
    parse_tax_rate,
    pay_distributions,
    payable_now,
    record_contribution,
    run_distribution,
)
from loanfund.services.oversight import liability, mailer, settings
from loanfund.services.people import accounts
from loanfund.services.people.accounts import add_user
from loanfund.web import confirming
from loanfund.web.admin.forms import (
    BankForm,
    ContributionForm,
    DistributionForm,
    MaterialItemForm,
    PaymentForm,
    PolicyForm,
    RequeueForm,
    ThresholdsForm,
    UserForm,
)
from loanfund.web.forms import field_errors, options
from loanfund.web.roles import roles_required
from loanfund.web.submitting import submit_once

bp = Blueprint("admin", __name__, url_prefix="/admin")
admin_only = roles_required(Role.ADMIN)


@bp.route("/users", methods=["GET", "POST"])
@admin_only
def users() -> str | Response:
    form = UserForm()
    form.role.choices = options((r.value, r.label) for r in Role)
    form.bank_id.choices = options([(0, "—")] + [(b.id, b.name) for b in directory.banks()])
    if form.validate_on_submit():
        enterprise = directory.enterprise_by_credit_code(form.credit_code.data or "")
        try:
            user = add_user(
                form.username.data or "",
                form.password.data or "",
                Role(form.role.data),
                display_name=form.display_name.data or "",
                enterprise=enterprise,
                bank=directory.bank(form.bank_id.data or 0),
            )
        except InvalidInput as exc:
            uow.discard()
            errors = {{"enterprise": "credit_code", "bank": "bank_id"}.get(k, k): v for k, v in exc.errors.items()}
            if "credit_code" in errors and form.credit_code.data and enterprise is None:
                errors["credit_code"] = ["未找到该统一社会信用代码的企业"]
            field_errors(form, errors)
        else:
            flash(f"已创建用户 {user.username}", "success")
            return redirect(url_for("admin.users"))
    return render_template(
        "admin/users.html", users=directory.users(), form=form, limited=accounts.limited_accounts(clock.utcnow())
    )


@bp.post("/users/<int(max=2147483647):user_id>/limits")
@admin_only
def lift_limits(user_id: int) -> Response:
    user = directory.user(user_id)
    if user is not None:
        lifted = accounts.lift_limits(current_user, user)
        flash(f"已解除 {user.username} 的登录限制（{lifted} 处）", "success")
    return redirect(url_for("admin.users"))


@bp.get("/logins")
@admin_only
def logins() -> str:
    username = (request.args.get("username") or "").strip()[:64]
    return render_template("admin/logins.html", records=accounts.login_records(username=username), username=username)


@bp.post("/users/<int(max=2147483647):user_id>/active")
@admin_only
def toggle_active(user_id: int) -> Response:
    user = directory.user(user_id)
    if user is None:
        return redirect(url_for("admin.users"))
    try:
        admin_service.set_active(current_user, user, not user.active)
        flash(f"{user.username} 已{'启用' if user.active else '停用'}", "success")
    except NotAllowed as exc:
        uow.discard()
        flash(exc.message, "danger")
    return redirect(url_for("admin.users"))


def _bank_input(form: BankForm) -> admin_service.BankInput:
    return admin_service.BankInput(
        **{
            name: form[name].data or ""
            for name in (
                "code",
                "name",
                "agreement_no",
                "account_name",
                "account_no",
                "account_bank",
                "officer_name",
                "officer_phone",
            )
        },
        liaison_id=form.liaison_id.data or None,
        agreement_start=form.agreement_start.data,
        agreement_end=form.agreement_end.data,
    )


@bp.route("/banks", methods=["GET", "POST"])
@bp.route("/banks/<int(max=2147483647):bank_id>", methods=["GET", "POST"])
@admin_only
def banks(bank_id: int | None = None) -> str | Response:
    bank = directory.bank(bank_id or 0)
    if bank_id and bank is None:
        return redirect(url_for("admin.banks"))
    form = BankForm(obj=bank)
    form.liaison_id.choices = options(
        [(0, "未指定"), *((u.id, u.display_name) for u in directory.users_with_role(Role.OPERATOR))]
    )
    if bank is not None and not form.is_submitted():
        form.liaison_id.data = bank.liaison.user_id if bank.liaison else 0
    if form.validate_on_submit():
        try:
            saved = admin_service.save_bank(_bank_input(form), bank, current_user)
        except InvalidInput as exc:
            uow.discard()
            field_errors(form, exc.errors)
        else:
            flash(f"已保存 {saved.bank.name}", "success")
            if saved.proposed is not None:
                flash("指定账户变更已提交，须由另一名管理员或运营人员确认后生效；此前放款仍划入原账户。", "warning")
            return redirect(url_for("admin.banks"))
    if bank is not None and not form.is_submitted():
        pending = bank_accounts.pending_change(bank)
        if pending is not None:  # the form shows what the account will be once confirmed
            for field in bank_accounts.ACCOUNT_FIELDS:
                form[field].data = getattr(pending, f"new_{field}")
    return render_template(
        "admin/banks.html",
        banks=directory.banks(),
        form=form,
        bank=bank,
        pending={c.bank_id: c for c in bank_accounts.changes() if c.decision == "pending"},
        flags=liability.flags_by_bank(),
    )


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
                    lambda: admin_service.create_policy_version(data),
                    _policy_shown,
                    url_for("admin.policies"),
                    "政策版本（R14）",
                )
                if shown is not None:
                    return shown
                version = admin_service.create_policy_version(data)
                flash(f"已新增政策版本 {version.name}，自 {version.effective_from} 起施行", "success")
                return redirect(url_for("admin.policies"))
        except InvalidInput as exc:
            uow.discard()
            field_errors(form, {k.replace("_rate", ""): v for k, v in exc.errors.items()})
    rows = directory.policy_versions()
    return render_template("admin/policies.html", versions=[(r, r.to_policy()) for r in rows], form=form)


@bp.route("/contributions", methods=["GET", "POST"])
@admin_only
def contributions() -> str | Response:
    """Record capital paid in — shown for confirmation first (amount in 大写, the account before and after)."""
    form = ContributionForm()
    if form.validate_on_submit() and not confirming.revising():

        def contribute() -> Contribution:
            contributor = contributor_named((form.contributor_name.data or "").strip(), form.kind.data or "")
            return record_contribution(
                contributor,
                form.amount.money or Money.zero(),
                form.received_on.data,
                form.reference.data or "",
                current_user,
            )

        def confirm() -> str | None:
            if confirming.confirmed():
                return None
            shown = preview.confirm_money("登记出资", contribute, _contribution_shown)
            return confirming.page(shown, form, url_for("admin.contributions"), "专用账户 · 出资")

        taken = submit_once(
            form,
            contribute,
            confirm=confirm,
            on_invalid=lambda exc: field_errors(form, exc.errors),
            flashed=(),
        )
        if taken.page is not None:
            return taken.page
        if taken.done:
            flash("出资已登记并入账", "success")
        if not taken.invalid:
            return redirect(url_for("admin.contributions"))
    rows = directory.contributions()
    return _capital_page(form, rows, DistributionForm(formdata=None))


def _contribution_shown(contribution: Contribution) -> Confirmation:
    """The amount and its day (the contributor's name and the reference follow as typed)."""
    return Confirmation(
        title="",
        amount_label="出资金额",
        amount=contribution.amount,
        date_label="到账日期",
        on=contribution.received_on,
    )


def _capital_page(
    form: ContributionForm,
    rows: list[Contribution] | None = None,
    distribution_form: DistributionForm | None = None,
    payment_form: PaymentForm | None = None,
) -> str:
    if rows is None:
        rows = directory.contributions()
    net, lines = dissolution_statement()
    return render_template(
        "admin/contributions.html",
        contributions=rows,
        total=sum((c.amount for c in rows), Money.zero()),
        form=form,
        distribution_form=distribution_form or DistributionForm(formdata=None),
        payment_form=payment_form or PaymentForm(formdata=None),
        payable=sum(payable_now().values(), Money.zero()),
        income=-ledger.balance(FEE_INCOME),
        net=net,
        lines=lines,
        runs=directory.distribution_runs(),
    )


@bp.post("/distributions")
@admin_only
def distribute() -> str | Response:
    """Distribute the fee income after tax by capital share (R13), and pay it out if asked — confirmed first."""
    form = DistributionForm()
    if form.validate() and not confirming.revising():

        def run() -> DistributionResult:
            return run_distribution(
                clock.today(), parse_tax_rate(form.tax_rate.data or ""), current_user, pay=bool(form.pay.data)
            )

        def confirm() -> str | None:
            if confirming.confirmed():
                return None
            shown = preview.confirm_money("收益分配", run, _distribution_shown, "分配登记后不能撤销。")
            return confirming.page(shown, form, url_for("admin.distribute"), "专用账户 · 收益分配（第二十五条）")

        def on_form(exc: LoanFundError) -> None:
            if isinstance(exc, InvalidInput):
                field_errors(form, {"tax_rate" if k == "tax_rate" else "_form": v for k, v in exc.errors.items()})
            else:
                field_errors(form, {"_form": [exc.message]})

        taken = submit_once(form, run, confirm=confirm, on_invalid=on_form, invalid=(LoanFundError,))
        if taken.page is not None:
            return taken.page
        if taken.result is not None:
            result = taken.result
            message = f"已分配 {result.income.format()} 元（税费 {result.tax.format()} 元"
            if result.losses_covered.is_positive:
                message += f"，弥补核销损失 {result.losses_covered.format()} 元"
            flash(message + "）" + (f"，已支付 {result.paid.format()} 元" if result.paid else ""), "success")
        if not taken.invalid:
            return redirect(url_for("admin.contributions"))
    return _capital_page(ContributionForm(formdata=None), distribution_form=form)


def _distribution_shown(result: DistributionResult) -> Confirmation:
    lines = [("税费", f"{result.tax.format()} 元")]
    if result.losses_covered.is_positive:
        lines.append(("弥补核销损失", f"{result.losses_covered.format()} 元"))
    lines += [(f"分配给{contributor.name}", f"{share.format()} 元") for contributor, share in result.shares]
    lines.append(("本次支付", f"{result.paid.format()} 元" if result.paid is not None else "暂不支付，记为应付"))
    return Confirmation(title="", amount_label="分配的收益", amount=result.income, lines=tuple(lines))


@bp.post("/distributions/payment")
@admin_only
def pay() -> str | Response:
    """Pay what earlier distribution runs left payable (taxes, contributors' shares), from what is not reserved."""
    form = PaymentForm()
    if form.validate() and not confirming.revising():

        def pay_now() -> Money:
            return pay_distributions(clock.today(), current_user)

        def confirm() -> str | None:
            if confirming.confirmed():
                return None
            shown = preview.confirm_money(
                "支付分配款及税费",
                pay_now,
                lambda paid: Confirmation(title="", amount_label="支付金额", amount=paid),
                "支付后资金即从专用账户划出，不能撤销。",
            )
            return confirming.page(shown, form, url_for("admin.pay"), "专用账户 · 收益分配（第二十五条）")

        taken = submit_once(
            form,
            pay_now,
            confirm=confirm,
            on_invalid=lambda exc: field_errors(form, {"_form": [exc.message]}),
            invalid=(LoanFundError,),
        )
        if taken.page is not None:
            return taken.page
        if taken.result is not None:
            flash(f"已从专用账户支付分配款及税费 {taken.result.format()} 元", "success")
        if not taken.invalid:
            return redirect(url_for("admin.contributions"))
    return _capital_page(ContributionForm(formdata=None), payment_form=form)


@bp.route("/materials", methods=["GET", "POST"])
@bp.route("/materials/<int(max=2147483647):item_id>", methods=["POST"])
@admin_only
def checklist(item_id: int | None = None) -> tuple[str, int] | Response:
    """The materials checklist (申请材料清单): what each party provides and which step needs it on file."""
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
    items = materials.checklist(active_only=False)
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


@bp.get("/mail")
@admin_only
def mail() -> str:
    """The e-mail queue: what has not gone out yet, with every attempt (nothing is lost without an SMTP server)."""
    return render_template(
        "admin/mail.html", deliveries=mailer.pending(), configured=mailer.configured(), form=RequeueForm()
    )


@bp.post("/mail/<int(max=2147483647):delivery_id>/requeue")
@admin_only
def requeue_mail(delivery_id: int) -> Response:
    if RequeueForm().validate():
        try:
            mailer.requeue(delivery_id)
            flash("已重新加入发送队列", "success")
        except LoanFundError as exc:
            uow.discard()
            flash(exc.message, "danger")
    return redirect(url_for("admin.mail"))


@bp.route("/settings", methods=["GET", "POST"])
@admin_only
def thresholds() -> str | Response:
    form = ThresholdsForm()
    if not form.is_submitted():
        current = settings.thresholds()
        form.due_within_days.data = str(current.due_within_days)
        form.concentration_percent.data = str(current.concentration_percent)
        form.utilisation_percent.data = str(current.utilisation_percent)
    elif form.validate():
        try:
            settings.save_thresholds(
                current_user,
                form.due_within_days.data or "",
                form.concentration_percent.data or "",
                form.utilisation_percent.data or "",
            )
        except InvalidInput as exc:
            uow.discard()
            field_errors(form, exc.errors)
        else:
            flash("预警设置已保存", "success")
            return redirect(url_for("admin.thresholds"))
    return render_template("admin/settings.html", form=form)

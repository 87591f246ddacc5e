"""Applications in the browser: apply, read, take each lifecycle step, upload and download materials."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import Field
from wtforms.fields.choices import SelectChoice

from loanfund import clock
from loanfund.domain.eligibility import INDUSTRIES, Size
from loanfund.domain.errors import (
    Conflict,
    InvalidInput,
    InvalidValue,
    LoanFundError,
    NotAllowed,
    NotFound,
    RuleViolation,
)
from loanfund.domain.green_channel import Mortgage
from loanfund.domain.lifecycle import Action, Role, State
from loanfund.domain.money import Money
from loanfund.domain.policy import LoanType, Policy
from loanfund.models import Application, Fund, MaterialItem
from loanfund.services import access, directory, funds, lifecycle, uow
from loanfund.services.applications import green_channel, listing, materials, preview, progress, receipts, views
from loanfund.services.oversight import time_limits
from loanfund.services.people import second_factor
from loanfund.services.policies import policy_version_in_force
from loanfund.services.reports import documents, exports
from loanfund.uploads import uploaded
from loanfund.web import confirming
from loanfund.web.applications.forms import ActionForm, ApplicationForm, ListForm, UploadForm, step_form
from loanfund.web.downloads import XLSX, attachment
from loanfund.web.forms import Form, field_errors, options
from loanfund.web.green_channel import IssueForm
from loanfund.web.liability.forms import ClaimForm
from loanfund.web.roles import roles_required
from loanfund.web.submitting import submit_once

bp = Blueprint("apps", __name__)


def _bank_choices(covering: list[Fund]) -> list[SelectChoice]:
    """The banks of the funds the enterprise may apply to, each named with its fund when there are several (the
    service refuses a bank of another fund than the one chosen)."""
    names = {f.id: f.short_name for f in covering}
    banks = directory.banks_taking_applications(list(names), clock.today())
    return options(
        [(0, "请选择")] + [(b.id, b.name if len(names) == 1 else f"{b.name}（{names[b.fund_id]}）") for b in banks]
    )


@bp.route("/applications/new", methods=["GET", "POST"])
@roles_required(Role.ENTERPRISE)
def new() -> tuple[str, int] | Response:
    """Apply online, with the fee estimate following the amount and days.

    :raise 404: for users who are not an enterprise's.
    """
    form = ApplicationForm()
    covering = funds.funds_covering(current_user.enterprise.district)
    form.bank_id.choices = _bank_choices(covering)
    form.fund.choices = options([(f.code, f.name) for f in covering])
    shown = (
        next((f for f in covering if f.code == form.fund.data), None) or (covering or [funds.fund_for_page(None)])[0]
    )
    _, policy = policy_version_in_force(shown.id, clock.today())
    if form.is_submitted():
        valid = form.validate()
        if form.csrf_token.errors or form.once.errors:  # an expired page: its values are not judged
            return _new_page(form, shown.id, policy, {}), 422
        # every problem in one pass: the rules run on whatever could be read, beside the format errors and the files
        offered = materials.for_new_application(shown.id)
        documents = {item.code: uploaded(f"documents-{item.code}") for item in offered}
        file_errors = lifecycle.document_problems(shown.id, documents)
        problems = lifecycle.application_problems(current_user, _draft(form))
        if problems:
            _show(form, RuleViolation(problems), {"own_funds_planned": "own_funds"})

        def submit() -> Application:
            if not valid or problems or file_errors:
                raise InvalidInput({})  # what is wrong is on the form already: nothing is written
            # the application and its documents commit together (with the claim of the token)
            return lifecycle.submit_with_documents(current_user, _input(form), documents)

        # a second press of the same form is told so, whatever else is wrong with it (the token is claimed first)
        taken = submit_once(
            form,
            submit,
            on_invalid=lambda exc: _show(form, exc, {"own_funds_planned": "own_funds"}),
            invalid=(InvalidInput, RuleViolation),
            flashed=(),
        )
        if taken.repeated:
            return redirect(url_for("apps.index"))
        if taken.result is not None:
            flash(f"申请已提交，编号 {taken.result.reference}。", "success")
            return redirect(url_for("apps.detail", application_id=taken.result.id))
        return _new_page(
            form, shown.id, policy, file_errors
        ), 422  # refused: the token stays unused, for the corrected form
    return _new_page(form, shown.id, policy, {}), 200


def _new_page(form: ApplicationForm, fund_id: int, policy: Policy, file_errors: dict[str, list[str]]) -> str:
    items = materials.for_new_application(fund_id)
    labels = {f"documents-{item.code}": item.label for item in items}
    return render_template(
        "applications/new.html",
        form=form,
        policy=policy,
        served_loan_types="、".join(t.label for t in policy.loan_types),
        items=items,
        file_errors=file_errors,
        file_summary=[
            (key, labels.get(key, ""), message) for key, messages in file_errors.items() for message in messages
        ],
        max_bytes=materials.MAX_BYTES,
        max_files=materials.MAX_FILES,
        max_total=materials.MAX_UPLOAD_BYTES,
    )


def _draft(form: ApplicationForm) -> lifecycle.ApplicationDraft:
    """The application as typed: ``None`` for each value its own field already refused."""

    def readable(field: Field) -> bool:
        return not field.errors and field.data not in (None, "")

    return lifecycle.ApplicationDraft(
        bank_id=form.bank_id.data if readable(form.bank_id) else None,
        loan_contract_no=(form.loan_contract_no.data or "") if readable(form.loan_contract_no) else "",
        loan_amount_due=form.loan_amount_due.money if readable(form.loan_amount_due) else None,
        loan_due_date=form.loan_due_date.data if readable(form.loan_due_date) else None,
        loan_overdue=bool(form.loan_overdue.data),
        requested_amount=form.requested_amount.money if readable(form.requested_amount) else None,
        requested_days=form.requested_days.data if readable(form.requested_days) else None,
        own_funds=form.own_funds.money if readable(form.own_funds) else None,
        loan_type=form.loan_type.data if readable(form.loan_type) else None,
        fund=form.fund.data or None,
    )


def _input(form: ApplicationForm) -> lifecycle.ApplicationInput:
    return lifecycle.ApplicationInput(
        bank_id=form.bank_id.data or 0,
        loan_contract_no=form.loan_contract_no.data or "",
        loan_amount_due=form.loan_amount_due.money or Money.zero(),
        loan_due_date=form.loan_due_date.data,
        loan_overdue=bool(form.loan_overdue.data),
        requested_amount=form.requested_amount.money or Money.zero(),
        requested_days=form.requested_days.data or 0,
        own_funds=form.own_funds.money or Money.zero(),
        purpose=form.purpose.data or "",
        loan_type=form.loan_type.data or "",
        mortgage=form.mortgage.data or Mortgage.NONE.value,
        fund=form.fund.data or None,
    )


def _show(form: Form, exc: InvalidInput | RuleViolation, renames: dict[str, str] | None = None) -> None:
    """A service's refusal, next to the fields it names (the rest above the form)."""
    renames = renames or {}
    if isinstance(exc, InvalidInput):
        errors = exc.errors
    else:
        errors = {}
        for v in exc.violations:
            errors.setdefault(renames.get(v.field or "", v.field or "_form"), []).append(v.message)
    field_errors(form, {renames.get(k, k): v for k, v in errors.items()})


PER_PAGE = 50
EXPORT_LIMIT = 20_000  # rows in one .xlsx; beyond it the file says how many more the filters match


@bp.get("/applications")
@roles_required(*access.APPLICATION_ROLES)
def index() -> tuple[str, int]:
    """Every application the user may see, narrowed by the filters and searched, a page at a time. Bad filters are
    named next to their fields and list nothing (422)."""
    form, criteria = _filters()
    if criteria is None:
        return render_template("applications/index.html", form=form, rows=[], total=0, page=1, pages=1), 422
    counted = listing.count(current_user, criteria)
    pages = max(1, -(-counted.number // PER_PAGE))
    page = min(form.page.data or 1, pages)
    found = listing.applications(current_user, criteria, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    rows = views.rows(current_user, found)
    page_html = render_template(
        "applications/index.html", form=form, rows=rows, total=counted.number, more=counted.more, page=page, pages=pages
    )
    return page_html, 200


@bp.get("/applications/export.xlsx")
@roles_required(*access.APPLICATION_ROLES)
def export() -> tuple[str, int] | Response:
    """What the list shows with the same filters (every page, newest first, up to ``EXPORT_LIMIT``) as .xlsx."""
    form, criteria = _filters()
    if criteria is None:
        return render_template("applications/index.html", form=form, rows=[], total=0, page=1, pages=1), 422
    total = listing.count(current_user, criteria, exact=True).number  # the file says exactly how many it left out
    found = listing.applications(current_user, criteria, limit=EXPORT_LIMIT)
    content = exports.list_workbook(funds.name_for(current_user), found, _described(form), max(0, total - len(found)))
    return attachment(content, XLSX, f"应急转贷申请清单-{clock.today().isoformat()}.xlsx")


def _filters() -> tuple[ListForm, listing.Criteria | None]:
    """The list's filters from the query string; no criteria when a filter is malformed (named on the form)."""
    form = ListForm(request.args)
    form.state.choices = options([("", "全部状态"), *((s.value, s.label) for s in State)])
    seen = [current_user.fund_id] if current_user.fund_id else [f.id for f in funds.funds()]
    form.bank_id.choices = options([(0, "全部银行"), *((b.id, b.name) for b in directory.banks(seen))])
    form.district.choices = options([("", "全部区县"), *funds.district_names().items()])
    form.size.choices = options([("", "全部规模"), *((s.value, s.label) for s in Size)])
    form.industry.choices = options([("", "全部行业"), *((k, i.name) for k, i in INDUSTRIES.items())])
    form.loan_type.choices = options([("", "全部贷款种类"), *((t.value, t.label) for t in LoanType)])
    if not form.validate():
        return form, None
    criteria = listing.Criteria(
        state=State(form.state.data) if form.state.data in State.__members__.values() else None,
        bank_id=form.bank_id.data or None,
        district=form.district.data or None,
        size=form.size.data or None,
        industry=form.industry.data or None,
        loan_type=form.loan_type.data if form.loan_type.data in LoanType.__members__.values() else None,
        submitted_from=form.submitted_from.data,
        submitted_to=form.submitted_to.data,
        amount_min=form.amount_min.money,
        amount_max=form.amount_max.money,
        text=form.q.data or "",
    )
    return form, criteria


def _described(form: ListForm) -> str:
    """The filters in words, for the export's heading (状态：已放款；合作银行：…)."""
    parts = []
    for field in (form.q, form.state, form.bank_id, form.district, form.size, form.industry, form.loan_type):
        if field.data:
            shown = (
                dict((str(value), label) for value, label, *_ in field.iter_choices())
                if field.type == "SelectField"
                else {}
            )
            parts.append(f"{field.label.text}：{shown.get(str(field.data), field.data)}")
    for field in (form.submitted_from, form.submitted_to, form.amount_min, form.amount_max):
        if field.raw_data and field.raw_data[0]:
            parts.append(f"{field.label.text}：{field.raw_data[0]}")
    return "；".join(parts)


def _detail(
    application: Application,
    open_forms: dict[Action, ActionForm] | None = None,
    upload_form: UploadForm | None = None,
) -> str:
    view = views.application_view(current_user, application, detail=True)
    timed = time_limits.of_application(application)
    action_forms = {
        step.action: (open_forms or {}).get(step.action)
        or step_form(lifecycle.STEPS[step.action])(formdata=None, data=step.prefill)
        for step in view.steps
    }
    plain = None
    if current_user.role_enum is Role.ENTERPRISE:
        own = [line.item for line in view.checklist if line.missing and line.item.provided_by in ("enterprise", "any")]
        plain = progress.for_enterprise(view, own, timed)
    upload = None
    if view.uploadable:
        upload = upload_form or UploadForm(formdata=None)
        upload.category.choices = _upload_choices(view.uploadable)
    return render_template(
        "applications/detail.html",
        a=application,
        events=view.timeline,
        materials=view.materials,
        checklist=view.checklist,
        progress=plain,
        providers=materials.PROVIDER_LABELS,
        stages=materials.STAGE_LABELS,
        action_forms=action_forms,
        steps={step.action: step for step in view.steps},
        view=view.checks,
        account=view.account,
        due=view.due,
        overdue=view.overdue,
        renewal_late=view.renewal_late,
        policy=view.policy,
        upload=upload,
        claim=view.claim,
        history=view.history,
        credit_check=view.credit_check,
        green_form=IssueForm(formdata=None) if green_channel.refusal(current_user, application) is None else None,
        claim_reason=view.claim_reason,
        claim_form=ClaimForm(formdata=None) if view.claim_reason else None,
        categories=materials.labels(application.fund_id),
        max_bytes=materials.MAX_BYTES,
        max_files=materials.MAX_FILES,
        max_total=materials.MAX_UPLOAD_BYTES,
        open_action=next(iter(open_forms or {}), None),
        slips=receipts.for_application(current_user, application.id),
        timed=timed,
    )


@bp.get("/applications/<int(max=2147483647):application_id>")
@login_required
def detail(application_id: int) -> str:
    """:raise 404: not the user's to see."""
    return _detail(lifecycle.get(current_user, application_id))


@bp.post("/applications/<int(max=2147483647):application_id>/<action_name>")
@login_required
def act(application_id: int, action_name: str) -> str | Response:
    """One lifecycle step from its form, in two presses: the first shows what the step will do (amount in 元 and
    大写, payee, value date, the fund's available balance before and after) and the second, "确认", takes it.
    "返回修改" shows the form again as typed. A refusal is shown next to the fields and changes nothing.

    :raise 404: not the user's application, or no such step.
    """
    try:
        action = Action(action_name)
        form = step_form(lifecycle.STEPS[action])()
    except (ValueError, KeyError):
        abort(404)
    if form.validate() and not confirming.revising():

        def shown(code_errors: tuple[str, ...] = ()) -> str:
            # what the step would do, to be confirmed (with its code, when the step asks the actor for one)
            confirmation = preview.confirm_step(current_user, application_id, action, **form.service_kwargs())
            application = lifecycle.get(current_user, application_id)
            return confirming.page(
                confirmation,
                form,
                url_for("apps.act", application_id=application_id, action_name=action.value),
                f"{application.reference} · {application.enterprise.name} · {application.bank.name}",
                code_errors=code_errors,
            )

        def confirm() -> str | None:
            return None if confirming.confirmed() else shown()

        passed = None
        if confirming.confirmed() and second_factor.asks(current_user, lifecycle.STEPS[action]):
            try:  # the code typed beside 确认, checked (and taken) before the step
                passed = second_factor.check(
                    current_user, request.form.get("otp", ""), purpose=action.value, address=request.remote_addr or ""
                )
            except InvalidInput as exc:
                uow.discard()
                return shown(tuple(exc.errors.get(second_factor.FIELD, ()))), 422  # type: ignore[return-value]

        def beside_fields(exc: LoanFundError) -> None:
            if isinstance(exc, Conflict):
                field_errors(form, {exc.field or "_form": [exc.message]})
            else:
                _show(form, exc)  # type: ignore[arg-type]

        taken = submit_once(
            form,
            lambda: lifecycle.take(current_user, application_id, action, passed=passed, **form.service_kwargs()),
            confirm=confirm,
            on_invalid=beside_fields,
            invalid=(InvalidInput, RuleViolation, Conflict),
            flashed=(NotAllowed,),
        )
        if taken.page is not None:
            return taken.page
        if taken.result is not None:
            flash(*lifecycle.STEPS[action].said_after(taken.result))  # in amber when something is still owed or short
        if not taken.invalid:
            return redirect(url_for("apps.detail", application_id=application_id))
    status = 200 if confirming.revising() else 422  # 返回修改: the form again, as it was typed
    return _detail(lifecycle.get(current_user, application_id), {action: form}), status  # type: ignore[return-value]


@bp.get("/applications/<int(max=2147483647):application_id>/commitment-cover")
@login_required
def commitment_cover(application_id: int) -> tuple[Response, int]:
    """What a commitment of ``?amount=`` would let the fund lend (R5), in the words the commitment card shows, as the
    bank types its amount — worked out by the read model, the one place that says it.

    :raise 404: not the user's application."""
    application = lifecycle.get(current_user, application_id)
    try:
        amount = Money.parse(request.args.get("amount", ""))
    except InvalidValue as exc:
        return jsonify({"error": exc.message}), 422
    cover = lifecycle.commitment(application, amount)
    return jsonify({"text": cover.explain(), "short": cover.short.is_positive, "cap": cover.cap.plain()}), 200


@bp.post("/applications/<int(max=2147483647):application_id>/materials")
@login_required
def upload(application_id: int) -> str | Response:
    """One or more files under one checklist item, all or none; each file refused is named.

    :raise 404: not the user's application.
    """
    application = lifecycle.get(current_user, application_id)
    form = UploadForm()
    form.category.choices = _upload_choices(materials.uploadable(current_user, application))
    if form.validate():
        files = uploaded("file")
        try:
            added = materials.upload(current_user, application_id, form.category.data or "", files)
        except InvalidInput as exc:
            uow.discard()
            field_errors(form, exc.errors)
        except NotAllowed as exc:
            uow.discard()
            flash(exc.message, "danger")
            return redirect(url_for("apps.detail", application_id=application_id))
        else:
            flash(f"已上传 {len(added)} 个文件" if len(added) > 1 else "材料已上传", "success")
            return redirect(url_for("apps.detail", application_id=application_id))
    return _detail(lifecycle.get(current_user, application_id), upload_form=form), 422  # type: ignore[return-value]


def _upload_choices(items: Iterable[MaterialItem]) -> list[SelectChoice]:
    return options([("", "请选择"), *((item.code, item.label) for item in items)])


@bp.get("/applications/<int(max=2147483647):application_id>/materials/<int(max=2147483647):material_id>")
@login_required
def download(application_id: int, material_id: int) -> Response:
    """:raise 404: not the user's application, or not its material."""
    material, path = materials.material_for(current_user, application_id, material_id)
    return send_file(path, mimetype=material.content_type, as_attachment=True, download_name=material.filename)


def upload_too_large(application_id: int) -> tuple[str, int]:
    """Files past the request limit: the detail page again with the message next to the file field."""
    form = UploadForm(formdata=None)
    form.file.errors = [
        f"每个文件不能超过 {materials.MAX_BYTES // 1024 // 1024} MB，"
        f"一次上传合计不能超过 {materials.MAX_UPLOAD_BYTES // 1024 // 1024} MB"
    ]
    return _detail(lifecycle.get(current_user, application_id), upload_form=form), 413


@bp.get("/applications/<int(max=2147483647):application_id>/statement")
@login_required
def statement(application_id: int) -> str:
    """使用情况说明表 (第十九条): the account of one bridge once the money is back (or written off) — as filed at
    archiving, or a draft before. :raise 404: not the user's application, or the money not yet settled."""
    return render_template("applications/statement.html", s=_statement(application_id), application_id=application_id)


@bp.get("/applications/<int(max=2147483647):application_id>/statement.pdf")
@login_required
def statement_pdf(application_id: int) -> Response:
    """The statement as an A4 PDF, from the same HTML (WeasyPrint). :raise 404: as the page."""
    document = _statement(application_id)
    try:
        content = documents.statement_pdf(document)
    except documents.PdfUnavailable as exc:  # a server without Pango: say so, keep the page
        flash(str(exc), "danger")
        return redirect(url_for("apps.statement", application_id=application_id))
    return attachment(content, "application/pdf", f"使用情况说明表-{document.reference}.pdf")


@bp.get("/applications/<int(max=2147483647):application_id>/statement.xlsx")
@login_required
def statement_xlsx(application_id: int) -> Response:
    document = _statement(application_id)
    return attachment(documents.statement_workbook(document), XLSX, f"使用情况说明表-{document.reference}.xlsx")


@bp.get("/applications/<int(max=2147483647):application_id>/receipts/<string(length=14):number>.pdf")
@login_required
def receipt_pdf(application_id: int, number: str) -> Response:
    """A 受理回执 or an 电子回单 of the application, as an A4 PDF. :raise 404: not the user's application, or no such
    receipt on it."""
    try:
        slip = receipts.slip(current_user, application_id, number)
    except NotFound:
        abort(404)
    try:
        content = documents.receipt_pdf(slip)
    except documents.PdfUnavailable as exc:
        flash(str(exc), "danger")
        return redirect(url_for("apps.detail", application_id=application_id))
    return attachment(content, "application/pdf", slip.filename)


def _statement(application_id: int) -> lifecycle.statement.Statement:
    application = lifecycle.get(current_user, application_id)
    if application.state_enum not in lifecycle.statement.STATEMENT_STATES:
        abort(404)
    return lifecycle.usage_statement(application)

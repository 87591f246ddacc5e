"""Applying, uploading materials, and one form per lifecycle step (field names are the step's inputs)."""

from __future__ import annotations

from functools import cache
from typing import Any

from wtforms import BooleanField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from loanfund.domain.green_channel import Mortgage
from loanfund.domain.policy import LoanType
from loanfund.services.lifecycle.step import StepDef
from loanfund.web.forms import (
    BoundedDayField,
    DayField,
    Form,
    MoneyInput,
    SubmitOnce,
    WholeNumberField,
    day_field,
    long_text,
    money,
    options,
    text,
)


class ApplicationForm(SubmitOnce, Form):
    fund = SelectField("转贷资金", validate_choice=False)  # the funds covering the enterprise (set per page)
    bank_id = SelectField("合作银行", coerce=int, validate_choice=False)
    # R16: the service names a kind it does not serve, in 第三条's words (so every kind can be chosen)
    loan_type = SelectField(
        "到期贷款种类", choices=options([(t.value, t.label) for t in LoanType]), default=LoanType.WORKING_CAPITAL.value
    )
    # 第二十七条: a renewal involving a land or house mortgage gets the platform's green-channel letter
    mortgage = SelectField(
        "续贷涉及的抵押", choices=options([(m.value, m.label) for m in Mortgage]), default=Mortgage.NONE.value
    )
    loan_contract_no = text("到期贷款合同编号", True, 64)
    loan_amount_due = money("到期贷款本息（元）")
    loan_due_date = day_field("贷款到期日")
    loan_overdue = BooleanField("贷款已在银行逾期")
    requested_amount = money("申请金额（元）")
    requested_days = WholeNumberField("用款天数", validators=[InputRequired("请填写用款天数")])
    own_funds = money("自筹资金（元）")
    purpose = long_text("用途说明")


class UploadForm(Form):
    """Documents for the application: the categories are the checklist items the user provides (set per page)."""

    category = SelectField("材料类别", choices=[], validate_choice=False)  # the service names a wrong one
    file = MultipleFileField("文件（PDF、JPG、PNG，每个 10 MB 以内，可多选）")


class ActionForm(SubmitOnce, Form):
    """A lifecycle step, submitted once. ``service_kwargs`` hands the parsed values to the service."""

    def service_kwargs(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for field in self:
            if field.name in ("csrf_token", "submit", "once"):
                continue
            values[field.name] = (
                field.money
                if isinstance(field, MoneyInput)
                else (field.data or "")
                if isinstance(field, StringField | TextAreaField)
                else field.data
            )
        return values


@cache
def step_form(step: StepDef) -> type[ActionForm]:
    """A lifecycle step's form, drawn from its inputs (``services.lifecycle.step``), fields in the step's order: a
    money input in 元, a date, a line or a paragraph of text, a choice among its kind (none assumed: the step names
    a missing one beside the others). Built once per step."""
    return _built(step)


def _built(step: StepDef) -> type[ActionForm]:
    fields: dict[str, Any] = {}  # unbound fields, as a class body holds them
    for given in step.inputs:
        required = given.on_form_required
        if given.kind == "money":
            fields[given.name] = money(given.label, required)
        elif given.kind == "date":
            fields[given.name] = day_field(given.label) if required else DayField(given.label, validators=[Optional()])
        elif given.kind == "choice":
            assert given.choices is not None
            kinds = [("", "请选择"), *((k.value, k.label) for k in given.choices)]  # type: ignore[attr-defined]
            fields[given.name] = SelectField(given.label, choices=options(kinds), validate_choice=False)
        elif given.kind == "long_text":
            fields[given.name] = long_text(given.label, required)
        else:
            fields[given.name] = text(given.label, required, given.max_length)
    name = "".join(part.capitalize() for part in step.action.value.split("-"))
    return type(f"{name}Form", (ActionForm,), fields)


class ListForm(Form):
    """The list's filters, read from the query string (a GET form: no CSRF token, nothing changes)."""

    class Meta:
        csrf = False

    # each filter one of its choices: anything else (an id past the database's integers, a NUL) is named, not queried
    state = SelectField("状态", default="")
    bank_id = SelectField("合作银行", coerce=int, default=0)
    district = SelectField("区县", default="")
    size = SelectField("企业规模", default="")
    industry = SelectField("行业", default="")
    loan_type = SelectField("贷款种类", default="")
    submitted_from = BoundedDayField("提交日期自", validators=[Optional()])
    submitted_to = BoundedDayField("至", validators=[Optional()])
    amount_min = money("申请金额自（元）", required=False)
    amount_max = money("至（元）", required=False)
    q = text("编号、企业名称或信用代码")
    page = WholeNumberField("页", validators=[Optional(), NumberRange(min=1, max=1_000_000, message="页码不正确")])

    def validate_submitted_to(self, field: DayField) -> None:
        if field.data and self.submitted_from.data and field.data < self.submitted_from.data:
            raise ValidationError("结束日期不能早于开始日期")

    def validate_amount_max(self, field: MoneyInput) -> None:
        if field.money is not None and self.amount_min.money is not None and field.money < self.amount_min.money:
            raise ValidationError("最高金额不能低于最低金额")

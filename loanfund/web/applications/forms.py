"""Applying, uploading materials, and one form per lifecycle step (field names are the step's inputs)."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from loanfund.domain.credit import AdverseRecord, IndustryFit, Operating
from loanfund.domain.green_channel import Mortgage
from loanfund.domain.policy import LoanType
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


MISSING_REASON = "缺少必需材料时仍予办理的理由"


def finding(label: str, kind: type[AdverseRecord | IndustryFit | Operating]) -> SelectField:
    """One finding of the credit check, to be chosen: the service names a missing or unknown one beside the others."""
    return SelectField(
        label, choices=options([("", "请选择"), *((k.value, k.label) for k in kind)]), validate_choice=False
    )


class AcceptForm(ActionForm):
    """The credit check (第八、十五条): each finding is chosen, none assumed; the service says what is missing."""

    credit_report_date = DayField("征信报告日期", validators=[Optional()])  # the service names it beside the others
    credit_adverse = finding("不良信用记录", AdverseRecord)
    credit_industry = finding("产业政策", IndustryFit)
    credit_operating = finding("运营状况", Operating)
    credit_check_note = long_text("审查结论")
    note = long_text("受理意见")
    missing_materials_reason = long_text(MISSING_REASON)


class RejectForm(ActionForm):
    note = long_text("不予受理的理由", True)


class CommitForm(ActionForm):
    committed_amount = money("承诺续贷额度（元）")
    opinion = long_text("银行意见", True)
    seal_ref = text("盖章文件编号")
    missing_materials_reason = long_text(MISSING_REASON)


class DeclineForm(ActionForm):
    opinion = long_text("不同意的理由", True)


class ApproveForm(ActionForm):
    amount = money("批准金额（元）")
    own_funds_confirmed = money("已到位的自筹资金（元）")
    note = long_text("审批意见")
    missing_materials_reason = long_text(MISSING_REASON)


class GroupDecisionForm(ActionForm):
    minutes_ref = text("会议纪要编号", True)
    note = long_text("意见")


class ReasonForm(ActionForm):
    reason = long_text("原因", True)


class PrepareForm(ActionForm):
    """The step names a missing reference beside a wrong date (its own checks, all at once)."""

    value_date = day_field("起息日")
    transfer_ref = text("划款凭证号")


class NoteForm(ActionForm):
    note = long_text("备注")


class AuthoriseForm(ActionForm):
    note = long_text("备注")
    missing_materials_reason = long_text(MISSING_REASON)


class RenewalForm(ActionForm):
    new_loan_contract_no = text("新贷款合同编号")  # required by the step, beside its other checks
    new_loan_amount = money("续贷金额（元）")
    renewed_on = day_field("续贷发放日")


class ReturnForm(ActionForm):
    received_on = day_field("收回日期")
    principal = money("收回本金（元）")
    fee = money("收取费用（元）")
    transfer_ref = text("划款凭证号")  # required by the step, beside its other checks


class RecoveryForm(ActionForm):
    plan = long_text("追偿方案", True)


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

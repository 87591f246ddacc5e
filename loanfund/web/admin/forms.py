"""The administrator's forms: users, banks, policy versions, contributions and distributions."""

from __future__ import annotations

import wtforms
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from loanfund.domain.policy import LoanType
from loanfund.web.forms import REQUIRED_TEXT, Form, SubmitOnce, WholeNumberField, day_field, money, options, text


class UserForm(Form):
    username = text("用户名", True, 64)
    display_name = text("姓名/显示名", True, 64)
    role = SelectField("角色", choices=[])
    # the enterprise by its code, not picked from a list of every enterprise the fund knows
    credit_code = StringField("所属企业统一社会信用代码（企业用户）", filters=[lambda v: (v or "").strip().upper()])
    bank_id = SelectField("所属银行（银行用户）", coerce=int, validate_choice=False)
    password = PasswordField("初始密码（至少 8 位）", validators=[DataRequired(REQUIRED_TEXT)])


class BankForm(Form):
    code = text("银行代码", True, 20)
    name = text("银行名称", True, 100)
    agreement_no = text("合作协议编号", True, 64)
    agreement_start = day_field("协议开始日")
    agreement_end = day_field("协议结束日")
    account_name = text("指定账户户名", True, 100)
    account_no = text("指定账户账号", True, 40)
    account_bank = text("开户行", True, 100)
    officer_name = text("银行专人姓名", max_length=50)
    officer_phone = text("银行专人电话", max_length=30)
    liaison_id = SelectField("平台对接专人（第十二条）", coerce=int, validate_choice=False)  # choices: the operators


def rate(label: str, required: bool = False) -> StringField:
    return StringField(label, validators=[InputRequired("请填写费率")] if required else [Optional()])


class BandForm(wtforms.Form):
    """One band of a policy's fee: up to its upper bound (none for the last), the two daily rates."""

    upper = money("上限（元；最后一档不填）", required=False)
    inclusive = BooleanField("含上限")
    base = rate("基础天数内日费率（‰）")
    extended = rate("超出部分日费率（‰）")


MAX_BANDS = 20  # the form's rows; the API and the import take a policy's bands without a limit of their own


class PolicyForm(Form):
    name = text("版本名称（文号）", True, 100)
    effective_from = day_field("施行日期")
    description = text("说明", max_length=200)
    # as many bands as the policy has: three rows to start with, one more each press of 增加一档 (empty rows skipped)
    bands = FieldList(FormField(BandForm), min_entries=3, max_entries=MAX_BANDS)
    add_band = SubmitField("增加一档")
    base_rate_days = WholeNumberField(
        "基础费率天数", validators=[InputRequired(REQUIRED_TEXT), NumberRange(min=0, max=30)]
    )
    max_days = WholeNumberField("最长使用天数", validators=[InputRequired(REQUIRED_TEXT), NumberRange(min=1, max=60)])
    cap_percent = StringField("单笔额度上限（承诺续贷额度的 %）", validators=[InputRequired(REQUIRED_TEXT)])
    group_threshold = money("领导小组审批标准（超过，元）")
    group_for_overdue_loan = BooleanField("逾期贷款须领导小组审批", default=True)
    renewal_sla_days = WholeNumberField(
        "银行续贷时限（天）", validators=[InputRequired(REQUIRED_TEXT), NumberRange(min=0, max=30)]
    )
    blacklist_years = WholeNumberField(
        "黑名单年限", validators=[InputRequired(REQUIRED_TEXT), NumberRange(min=1, max=10)]
    )
    rate_mode = SelectField(
        "计费方式", choices=options([("marginal", "超出部分按高费率"), ("whole_period", "全期按高费率")])
    )
    loan_types = SelectMultipleField(
        "受理的贷款种类（R16，第三条）",
        choices=options([(t.value, t.label) for t in LoanType]),
        default=[LoanType.WORKING_CAPITAL.value],
        validate_choice=False,  # the service names a wrong one with the others
    )


class PolicyRevisionForm(PolicyForm):
    """A version corrected before it takes effect, with the reason (kept with who and when)."""

    reason = text("更正原因", True, 500)


class PolicyWithdrawalForm(Form):
    reason = text("撤回原因", True, 500)


class ContributionForm(SubmitOnce, Form):
    contributor_name = text("出资方", True, 100)
    kind = SelectField(
        "出资方类型", choices=options([("municipal", "市级"), ("county", "县区"), ("private", "社会资本")])
    )
    amount = money("出资金额（元）")
    received_on = day_field("到账日期")
    reference = text("银行凭证号", max_length=64)  # required by the service, which names it beside the amount


class PaymentForm(SubmitOnce, Form):
    """Pay what distribution runs left payable: the amounts are the books'; the bank's reference of the payment."""

    bank_ref = text("银行凭证号", True, 64)


class DistributionForm(SubmitOnce, Form):
    tax_rate = StringField("税费率（如 0.06）", validators=[InputRequired("请填写税费率")])
    pay = BooleanField("同时从专用账户支付", default=False)
    bank_ref = text("银行凭证号（同时支付时填写）", max_length=64)


class RequeueForm(Form):
    """Send a failed e-mail again (CSRF only)."""


class ThresholdsForm(Form):
    """The early-warning thresholds (R15); read as text so the service reports every bad value at once."""

    due_within_days = StringField("到期前预警天数")
    concentration_percent = StringField("单户（企业或银行）集中度预警线（%）")
    utilisation_percent = StringField("资金使用率预警线（%）")
    statement_days = StringField("银行对账宽限天数（某日超过该天数仍未与银行对账单对平即预警）")
    # 办理时限 (issue 30): working days promised for each stage, by the party that ends it
    limit_acceptance = StringField("受理审查（平台审核）")
    limit_commitment = StringField("银行续贷承诺（合作银行）")
    limit_approval = StringField("审批（平台运营）")
    limit_group = StringField("领导小组审批（大额）")
    limit_disbursement = StringField("放款（制单与复核）")
    limit_whole = StringField("申请至放款（全流程）")

    LIMITS = (
        "limit_acceptance",
        "limit_commitment",
        "limit_approval",
        "limit_group",
        "limit_disbursement",
        "limit_whole",
    )


class MaterialItemForm(Form):
    """One line of the materials checklist; the service judges every field at once."""

    code = text("代码（英文）", max_length=32)
    label = text("材料名称", max_length=100)
    provided_by = SelectField("提供方", validate_choice=False)
    needed_for = SelectField("何时需要", validate_choice=False)
    required = BooleanField("必需（缺少时须填写理由才能办理）")
    active = BooleanField("启用", default=True)
    position = WholeNumberField("排序", validators=[InputRequired("请填写排序")])

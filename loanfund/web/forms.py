"""Flask-WTF forms. Money is parsed by the domain's ``Money.parse`` so a form and the API agree to the fen."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    FileField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from loanfund.domain.errors import InvalidValue
from loanfund.domain.money import Money
from loanfund.services.enterprises import DISTRICT_CHOICES, INDUSTRY_CHOICES
from loanfund.services.materials import CATEGORIES


def options(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """Select options as WTForms wants them (plain tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


ASCII_INTEGER = re.compile(r"^[+-]?[0-9]+$")


class WholeNumberField(IntegerField):
    """An integer typed with ASCII digits (``int()`` would also read "١٢" or "１２")."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and str(valuelist[0]).strip() and not ASCII_INTEGER.match(str(valuelist[0]).strip()):
            self.data = None
            raise ValueError("不是有效的整数，请用阿拉伯数字 0–9 填写")
        super().process_formdata(valuelist)


class DayField(DateField):
    """A date as YYYY-MM-DD in ASCII digits (``strptime`` would also read other scripts' digits)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and not all(str(v).isascii() for v in valuelist):
            self.data = None
            raise ValueError("日期格式应为 YYYY-MM-DD")
        super().process_formdata(valuelist)


class MoneyInput(StringField):
    """A text box for an amount in 元; ``.money`` holds the parsed ``Money``."""

    money: Money | None = None

    def pre_validate(self, form: Any) -> None:
        self.money = None
        if not (self.data or "").strip():
            return  # the required validator speaks for an empty box
        try:
            self.money = Money.parse(self.data)
        except InvalidValue as exc:
            raise ValidationError(exc.message) from exc


class Form(FlaskForm):
    """Every form: WTForms' built-in messages in Chinese. (CSRF is checked for every POST by CSRFProtect.)"""

    class Meta:
        locales = ["zh"]


ONCE_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
EXPIRED_PAGE = "页面已过期，请刷新页面后重新提交"


class OnceToken:
    """The one-time token must be there and look like one we issued (a script that leaves it out is refused)."""

    def __call__(self, form: Any, field: Field) -> None:
        # raw_data, not data: a POST without the field would otherwise be given a fresh default token
        sent = field.raw_data[0] if field.raw_data else None
        if not isinstance(sent, str) or not ONCE_TOKEN.match(sent):
            raise ValidationError(EXPIRED_PAGE)


class SubmitOnce:
    """A form whose POST changes something: each rendering carries a fresh one-time token (``once``), which the view
    claims with ``services.once.claim`` in the same transaction as the change."""

    once = HiddenField(default=lambda: secrets.token_urlsafe(18), validators=[OnceToken()])

    def validate(self, extra_validators: Any = None) -> bool:
        valid: bool = super().validate(extra_validators)  # type: ignore[misc]
        if self.once.errors:  # a hidden field shows nothing next to itself: say it above the form
            self.form_errors = [*self.form_errors, *self.once.errors]  # type: ignore[attr-defined]
        return valid

    def fingerprint(self) -> str:
        """What was submitted (without the CSRF token), to tell a repeat of the same submission from another."""
        values = sorted(
            (field.name, str(field.data))
            for field in self  # type: ignore[attr-defined]
            if field.name not in ("csrf_token", "once", "submit")
        )
        return hashlib.sha256(json.dumps(values, ensure_ascii=False).encode()).hexdigest()


class NoNul:
    """Refuses the NUL character, which PostgreSQL does not store in text (a crafted POST, not a person, sends it)."""

    def __call__(self, form: Any, field: Field) -> None:
        if isinstance(field.data, str) and "\x00" in field.data:
            raise ValidationError("不能包含空字符")


def chinese_required(message: str = "此项为必填项") -> InputRequired:
    return InputRequired(message=message)


class QuoteForm(Form):
    class Meta:
        csrf = False  # a read-only calculation by GET: nothing to forge

    amount = MoneyInput("应急转贷资金额度（元）", validators=[chinese_required("请填写金额")])
    days = WholeNumberField("用款天数", validators=[chinese_required("请填写用款天数")])


class LoginForm(Form):
    username = StringField("用户名", validators=[DataRequired("请填写用户名"), Length(max=64), NoNul()])
    password = PasswordField("密码", validators=[DataRequired("请填写密码"), Length(max=128)])
    submit = SubmitField("登录")


def field_errors(form: FlaskForm, errors: dict[str, list[str]]) -> None:
    """Put a service's field errors next to the form's fields (unknown fields go to the form as a whole)."""
    for name, messages in errors.items():
        field: Field | None = getattr(form, name, None)
        target = field.errors if field is not None else form.form_errors
        if isinstance(target, tuple):
            target = list(target)
            if field is not None:
                field.errors = target
        target.extend(messages)


# -- application and enterprise --------------------------------------------------------------------------------

REQUIRED_TEXT = "此项为必填项"


def money(label: str, required: bool = True) -> MoneyInput:
    return MoneyInput(label, validators=[chinese_required("请填写金额")] if required else [Optional()])


def text(label: str, required: bool = False, max_length: int = 64) -> StringField:
    validators = [DataRequired(REQUIRED_TEXT)] if required else [Optional()]
    return StringField(
        label, validators=[*validators, Length(max=max_length, message=f"不能超过 {max_length} 个字符"), NoNul()]
    )


def long_text(label: str, required: bool = False) -> TextAreaField:
    validators = [DataRequired(REQUIRED_TEXT)] if required else [Optional()]
    return TextAreaField(label, validators=[*validators, Length(max=2000, message="不能超过 2000 个字符"), NoNul()])


def day_field(label: str) -> DateField:
    return DayField(label, validators=[InputRequired("请选择日期")])


class EnterpriseForm(Form):
    name = text("企业名称", True, 200)
    credit_code = text("统一社会信用代码", True, 18)
    district = SelectField("注册地（县区/功能区）", choices=options([("", "请选择"), *DISTRICT_CHOICES]))
    industry = SelectField("所属行业", choices=options([("", "请选择"), *INDUSTRY_CHOICES]))
    employees = WholeNumberField(
        "从业人员（人）", validators=[InputRequired("请填写从业人员人数"), NumberRange(min=0, message="不能为负数")]
    )
    revenue = money("上年营业收入（元）")
    assets = money("资产总额（元）")
    legal_representative = text("法定代表人", max_length=50)
    contact_name = text("联系人", True, 50)
    contact_phone = text("联系电话", True, 30)
    address = text("地址", max_length=200)


class RegisterForm(EnterpriseForm):
    username = text("登录用户名", True, 64)
    password = PasswordField("密码（至少 8 位）", validators=[DataRequired(REQUIRED_TEXT)])
    confirm = PasswordField("再次输入密码", validators=[DataRequired(REQUIRED_TEXT)])

    def validate_confirm(self, field: Field) -> None:
        if field.data != self.password.data:
            raise ValidationError("两次输入的密码不一致")


class ApplicationForm(SubmitOnce, Form):
    bank_id = SelectField("合作银行", coerce=int, validate_choice=False)
    loan_contract_no = text("到期贷款合同编号", True, 64)
    loan_amount_due = money("到期贷款本息（元）")
    loan_due_date = day_field("贷款到期日")
    loan_overdue = BooleanField("贷款已在银行逾期")
    requested_amount = money("申请金额（元）")
    requested_days = WholeNumberField("用款天数", validators=[InputRequired("请填写用款天数")])
    own_funds = money("自筹资金（元）")
    purpose = long_text("用途说明")


class UploadForm(Form):
    category = SelectField("材料类别", choices=options([("", "请选择"), *CATEGORIES.items()]))
    file = FileField("文件（PDF、JPG、PNG，10 MB 以内）")


class PasswordForm(Form):
    current_password = PasswordField("当前密码", validators=[DataRequired(REQUIRED_TEXT)])
    new_password = PasswordField("新密码（至少 8 位）", validators=[DataRequired(REQUIRED_TEXT)])


# -- lifecycle steps: field names are the service's keyword arguments ------------------------------------------


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


class AcceptForm(ActionForm):
    credit_check_note = long_text("征信核查情况")
    note = long_text("受理意见")


class RejectForm(ActionForm):
    note = long_text("不予受理的理由", True)


class CommitForm(ActionForm):
    committed_amount = money("承诺续贷额度（元）")
    opinion = long_text("银行意见", True)
    seal_ref = text("盖章文件编号")


class DeclineForm(ActionForm):
    opinion = long_text("不同意的理由", True)


class ApproveForm(ActionForm):
    amount = money("批准金额（元）")
    own_funds_confirmed = money("已到位的自筹资金（元）")
    note = long_text("审批意见")


class GroupDecisionForm(ActionForm):
    minutes_ref = text("会议纪要编号", True)
    note = long_text("意见")


class ReasonForm(ActionForm):
    reason = long_text("原因", True)


class PrepareForm(ActionForm):
    value_date = day_field("起息日")
    transfer_ref = text("划款凭证号", True)


class NoteForm(ActionForm):
    note = long_text("备注")


class RenewalForm(ActionForm):
    new_loan_contract_no = text("新贷款合同编号", True)
    new_loan_amount = money("续贷金额（元）")
    renewed_on = day_field("续贷发放日")


class ReturnForm(ActionForm):
    received_on = day_field("收回日期")
    principal = money("收回本金（元）")
    fee = money("收取费用（元）")
    transfer_ref = text("划款凭证号", True)


class RecoveryForm(ActionForm):
    plan = long_text("追偿方案", True)


# -- administration ------------------------------------------------------------------------------------------------


class UserForm(Form):
    username = text("用户名", True, 64)
    display_name = text("姓名/显示名", True, 64)
    role = SelectField("角色", choices=[])
    enterprise_id = SelectField("所属企业（企业用户）", coerce=int, validate_choice=False)
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
    officer_name = text("专人姓名", max_length=50)
    officer_phone = text("专人电话", max_length=30)


def rate(label: str, required: bool = False) -> StringField:
    return StringField(label, validators=[InputRequired("请填写费率")] if required else [Optional()])


class PolicyForm(Form):
    name = text("版本名称（文号）", True, 100)
    effective_from = day_field("施行日期")
    description = text("说明", max_length=200)
    band1_upper = money("第一档上限（元）", required=False)
    band1_inclusive = BooleanField("含上限", default=True)
    band1_base = rate("第一档：基础天数内日费率（‰）", True)
    band1_extended = rate("第一档：超出部分日费率（‰）", True)
    band2_upper = money("第二档上限（元）", required=False)
    band2_inclusive = BooleanField("含上限")
    band2_base = rate("第二档：基础天数内日费率（‰）")
    band2_extended = rate("第二档：超出部分日费率（‰）")
    band3_base = rate("第三档（最高档）：基础天数内日费率（‰）")
    band3_extended = rate("第三档（最高档）：超出部分日费率（‰）")
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


class ContributionForm(SubmitOnce, Form):
    contributor_name = text("出资方", True, 100)
    kind = SelectField(
        "出资方类型", choices=options([("municipal", "市级"), ("county", "县区"), ("private", "社会资本")])
    )
    amount = money("出资金额（元）")
    received_on = day_field("到账日期")
    reference = text("凭证号", max_length=64)


class AccountChangeDecisionForm(SubmitOnce, Form):
    """Confirm or send back a change of a bank's designated account: ``confirm`` is the button pressed."""

    confirm = StringField(validators=[AnyOf(["yes", "no"], message="请选择确认或退回")])
    note = long_text("意见")


class PaymentForm(SubmitOnce, Form):
    """Pay what distribution runs left payable: nothing to fill in, the amounts are the books'."""


class DistributionForm(SubmitOnce, Form):
    tax_rate = StringField("税费率（如 0.06）", validators=[InputRequired("请填写税费率")])
    pay = BooleanField("同时从专用账户支付", default=False)

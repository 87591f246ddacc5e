"""An enterprise signs up and keeps its details current."""

from __future__ import annotations

from typing import Any

from wtforms import Field, PasswordField, SelectField
from wtforms.validators import DataRequired, InputRequired, NumberRange, ValidationError

from loanfund.services.funds import district_choices
from loanfund.services.people.enterprises import INDUSTRY_CHOICES
from loanfund.web.forms import (
    REQUIRED_TEXT,
    Form,
    WholeNumberField,
    money,
    options,
    text,
)


class EnterpriseForm(Form):
    name = text("企业名称", True, 200)
    credit_code = text("统一社会信用代码", True, 18)
    district = SelectField("注册地（县区/功能区）")
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.district.choices = options([("", "请选择"), *district_choices()])


class RegisterForm(EnterpriseForm):
    email = text("邮箱地址（审核结果发往此邮箱）", True, 254)
    username = text("登录用户名", True, 64)
    password = PasswordField("密码（至少 8 位）", validators=[DataRequired(REQUIRED_TEXT)])
    confirm = PasswordField("再次输入密码", validators=[DataRequired(REQUIRED_TEXT)])

    def validate_confirm(self, field: Field) -> None:
        if field.data != self.password.data:
            raise ValidationError("两次输入的密码不一致")

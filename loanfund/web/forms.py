"""Flask-WTF forms. Money is parsed by the domain's ``Money.parse`` so a form and the API agree to the fen."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, IntegerField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from loanfund.domain.errors import InvalidValue
from loanfund.domain.money import Money


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


def chinese_required(message: str = "此项为必填项") -> InputRequired:
    return InputRequired(message=message)


class QuoteForm(Form):
    class Meta:
        csrf = False  # a read-only calculation by GET: nothing to forge

    amount = MoneyInput("应急转贷资金额度（元）", validators=[chinese_required("请填写金额")])
    days = IntegerField("用款天数", validators=[chinese_required("请填写用款天数")])


class LoginForm(Form):
    username = StringField("用户名", validators=[DataRequired("请填写用户名"), Length(max=64)])
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

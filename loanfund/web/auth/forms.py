"""Logging in and changing one's password."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from loanfund.web.forms import (
    REQUIRED_TEXT,
    Form,
    NoNul,
)


class LoginForm(Form):
    username = StringField("用户名", validators=[DataRequired("请填写用户名"), Length(max=64), NoNul()])
    password = PasswordField("密码", validators=[DataRequired("请填写密码"), Length(max=128)])
    submit = SubmitField("登录")


class PasswordForm(Form):
    current_password = PasswordField("当前密码", validators=[DataRequired(REQUIRED_TEXT)])
    new_password = PasswordField("新密码（至少 8 位）", validators=[DataRequired(REQUIRED_TEXT)])


class NoticesForm(Form):
    email = StringField("邮箱地址", validators=[Length(max=254, message="邮箱地址最长 254 个字符"), NoNul()])
    by_email = BooleanField("同时通过邮件接收通知（站内信始终接收）")
    mobile = StringField("手机号码", validators=[Length(max=20, message="手机号码最长 20 个字符"), NoNul()])
    by_sms = BooleanField("放款、到期前一日、逾期和归还不足时同时发送短信")


class EndForm(Form):
    """Ends one session (``session:<id>``) or revokes one API token (``token:<id>``) of the user's own."""

    target = HiddenField(validators=[DataRequired(), Length(max=32)])


class ForgotForm(Form):
    identifier = StringField(
        "用户名或登记的邮箱",
        validators=[DataRequired("请填写用户名或邮箱"), Length(max=254, message="最长 254 个字符"), NoNul()],
    )


class ResetForm(Form):
    new_password = PasswordField("新密码（至少 8 位）", validators=[DataRequired(REQUIRED_TEXT), Length(max=128)])
    new_password_again = PasswordField("再次输入新密码", validators=[DataRequired(REQUIRED_TEXT), Length(max=128)])


class CodeForm(Form):
    """A one-time code: six digits from the authenticator app, or a recovery code."""

    otp = StringField(
        "动态验证码",
        validators=[DataRequired("请输入动态验证码"), Length(max=20, message="动态验证码最长 20 个字符"), NoNul()],
    )


class StartForm(Form):
    """Begins an enrolment (a new secret, shown as a QR code): a button."""

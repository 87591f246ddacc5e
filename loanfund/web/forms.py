"""What every form shares: fields that read money, whole numbers and dates strictly, the submit-once token, and the
helpers that put a service's errors next to the fields. Each blueprint keeps its own forms beside it (``forms.py``).
Money is parsed by the domain's ``Money.parse``, so a form and the API agree to the fen."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, StopValidation, ValidationError

from loanfund.clock import DAY_OUT_OF_RANGE, EARLIEST_DAY, LATEST_DAY
from loanfund.domain.errors import InvalidValue
from loanfund.domain.money import Money
from loanfund.domain.text import normalised, text_problem


def options(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """Select options as WTForms wants them (plain tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


ASCII_INTEGER = re.compile(r"^[+-]?[0-9]+$")


class WholeNumberField(IntegerField):
    """An integer typed with ASCII digits (``int()`` would also read "١٢" or "１２")."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None  # blank: the required validator (or Optional) speaks for it
            return
        if not ASCII_INTEGER.match(str(valuelist[0]).strip()):
            self.data = None
            raise ValueError("不是有效的整数，请用阿拉伯数字 0–9 填写")
        super().process_formdata(valuelist)

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:  # unreadable: say that once, not also "must be at least 0" of a value never read
            raise StopValidation()


UNREADABLE_DAY = "日期格式应为 YYYY-MM-DD"


class DayField(DateField):
    """A date as YYYY-MM-DD in ASCII digits (``strptime`` would also read other scripts' digits); one message for
    whatever is not such a date, as the API says it."""

    bounded = False  # BoundedDayField: within the days anything is read at, for a value no rule of its own bounds

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and not all(str(v).isascii() for v in valuelist):
            self.data = None
            raise ValueError(UNREADABLE_DAY)
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(UNREADABLE_DAY) from None
        if self.bounded and self.data is not None and not (EARLIEST_DAY <= self.data <= LATEST_DAY):
            self.data = None
            raise ValueError(DAY_OUT_OF_RANGE)


class BoundedDayField(DayField):
    bounded = True


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

        def render_field(self, field: Field, render_kw: dict[str, Any]) -> Any:
            # a hidden token has no label to point at it: no id, so a page with several forms repeats none
            if field.type in ("CSRFTokenField", "HiddenField") and "id" not in render_kw:
                render_kw = {**render_kw, "id": False}
            return super().render_field(field, render_kw)  # type: ignore[misc]


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
    claims with ``services.people.once.claim`` in the same transaction as the change."""

    once = HiddenField(default=lambda: secrets.token_urlsafe(18), validators=[OnceToken()])

    def validate(self, extra_validators: Any = None) -> bool:
        valid: bool = super().validate(extra_validators)  # type: ignore[misc]
        if self.once.errors:  # a hidden field shows nothing next to itself: say it above the form
            self.form_errors = [*self.form_errors, *self.once.errors]  # type: ignore[has-type]
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


class PlainText:
    """Text as people type it (``domain.text``): no control character, separator or direction override — named next
    to the field. ``multiline``: tab and line breaks are part of it."""

    def __init__(self, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, form: Any, field: Field) -> None:
        if isinstance(field.data, str):
            problem = text_problem(field.data, self.multiline)
            if problem is not None:
                raise ValidationError(problem)


def _kept(value: Any) -> Any:
    """What a text field keeps: trimmed, in Unicode normal form C."""
    return normalised(value) if isinstance(value, str) else value


def chinese_required(message: str = "此项为必填项") -> InputRequired:
    return InputRequired(message=message)


def field_errors(form: FlaskForm, errors: dict[str, list[str]]) -> None:
    """Put a service's field errors next to the form's fields (unknown fields go to the form as a whole)."""
    for name, messages in errors.items():
        field: Field | None = getattr(form, name, None)
        target = field.errors if field is not None else form.form_errors
        if isinstance(target, tuple):
            target = list(target)
            if field is not None:
                field.errors = target
        target.extend(m for m in messages if m not in target)  # a rule found twice is said once


REQUIRED_TEXT = "此项为必填项"


def money(label: str, required: bool = True) -> MoneyInput:
    return MoneyInput(label, validators=[chinese_required("请填写金额")] if required else [Optional()])


def text(label: str, required: bool = False, max_length: int = 64) -> StringField:
    validators = [DataRequired(REQUIRED_TEXT)] if required else [Optional()]
    return StringField(
        label,
        validators=[*validators, Length(max=max_length, message=f"不能超过 {max_length} 个字符"), PlainText()],
        filters=[_kept],
    )


def long_text(label: str, required: bool = False) -> TextAreaField:
    validators = [DataRequired(REQUIRED_TEXT)] if required else [Optional()]
    return TextAreaField(
        label,
        validators=[*validators, Length(max=2000, message="不能超过 2000 个字符"), PlainText(multiline=True)],
        filters=[_kept],
    )


def day_field(label: str) -> DateField:
    return DayField(label, validators=[InputRequired("请选择日期")])

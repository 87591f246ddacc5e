"""The audit record's filters."""

from __future__ import annotations

from wtforms import SelectField
from wtforms.validators import NumberRange, Optional, ValidationError

from loanfund.services.record import audit
from loanfund.web.forms import DayField, Form, WholeNumberField, text


class AuditFilterForm(Form):
    """The audit record's filters, read from the query string (a GET form: no CSRF token, nothing changes)."""

    class Meta:
        csrf = False

    FILTERS = ("subject", "subject_id", "actor", "since", "until")  # what a link back to the record carries

    subject = SelectField("对象", validate_choice=False)
    subject_id = WholeNumberField(
        "对象编号", validators=[Optional(), NumberRange(min=1, max=999_999_999, message="编号须为正整数")]
    )
    actor = text("操作人（用户名）")
    since = DayField("起始日期", validators=[Optional()])
    until = DayField("截止日期", validators=[Optional()])

    def validate_subject(self, field: SelectField) -> None:
        if field.data and field.data not in audit.SUBJECTS:
            raise ValidationError("请选择记录对象")

    def validate_until(self, field: DayField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("截止日期不能早于起始日期")

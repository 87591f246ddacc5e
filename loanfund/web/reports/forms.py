"""The forms of the reports: a period for the statistics (GET, nothing changes) and the month's submission."""

from __future__ import annotations

from wtforms.validators import Optional, ValidationError

from loanfund.web.forms import DayField, Form, SubmitOnce, long_text

LONGEST_PERIOD_DAYS = 731  # two years: the day-by-day table stays readable


class PeriodForm(Form):
    class Meta:
        csrf = False

    start = DayField("统计起始日", validators=[Optional()])
    end = DayField("统计截止日", validators=[Optional()])

    def validate_end(self, field: DayField) -> None:
        if field.data and self.start.data:
            if field.data < self.start.data:
                raise ValidationError("截止日不能早于起始日")
            if (field.data - self.start.data).days >= LONGEST_PERIOD_DAYS:
                raise ValidationError("统计区间最长两年，请分段统计")


class SubmitForm(SubmitOnce, Form):
    note = long_text("更正原因（报送更正版时填写）")

"""The forms of the reports: a period for the statistics (GET, nothing changes) and the month's submission."""

from __future__ import annotations

from wtforms.validators import Optional

from loanfund.web.forms import DayField, Form, SubmitOnce, long_text


class PeriodForm(Form):
    class Meta:
        csrf = False

    start = DayField("统计起始日", validators=[Optional()])
    end = DayField("统计截止日", validators=[Optional()])  # the period's own checks are the service's


class SubmitForm(SubmitOnce, Form):
    analysis = long_text("本月运行情况分析")  # required: the service says so with the others (第二十一条 "分析")
    note = long_text("更正原因（报送更正版时填写）")

"""The recovery file's two forms: the cause analysis and a recovery measure (第二十一条)."""

from __future__ import annotations

from loanfund.web.forms import Form, SubmitOnce, day_field, long_text, money, text


class CauseForm(SubmitOnce, Form):
    cause = long_text("逾期原因分析")  # required: the service says so with the others


class MeasureForm(SubmitOnce, Form):
    taken_on = day_field("日期")
    measure = long_text("追偿措施")
    amount = money("追回金额（元，没有则填 0）")
    transfer_ref = text("划款凭证号（有追回资金时填写）")

"""The public fee calculator's form."""

from __future__ import annotations

from loanfund.web.forms import (
    Form,
    MoneyInput,
    WholeNumberField,
    chinese_required,
)


class QuoteForm(Form):
    class Meta:
        csrf = False  # a read-only calculation by GET: nothing to forge

    amount = MoneyInput("应急转贷资金额度（元）", validators=[chinese_required("请填写金额")])
    days = WholeNumberField("用款天数", validators=[chinese_required("请填写用款天数")])

"""Recording a bank's liability (R12, 第二十三条) and its payments."""

from __future__ import annotations

from loanfund.web.forms import Form, SubmitOnce, day_field, long_text, money, text


class ClaimForm(SubmitOnce, Form):
    basis = long_text("补充说明（可选）")


class PaymentForm(SubmitOnce, Form):
    amount = money("清偿金额（元）")
    paid_on = day_field("到账日期")
    transfer_ref = text("划款凭证号", True)

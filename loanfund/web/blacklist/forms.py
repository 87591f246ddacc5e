"""Proposing, deciding and lifting blacklist entries (R11, 第二十二条)."""

from __future__ import annotations

from wtforms import SelectField, StringField
from wtforms.validators import AnyOf

from loanfund.domain.eligibility import BLACKLIST_GROUNDS
from loanfund.web.forms import Form, SubmitOnce, day_field, long_text, options, text


class ProposalForm(SubmitOnce, Form):
    # the enterprise by its code, not picked from a list: a province's fund knows hundreds of thousands of them
    credit_code = StringField("企业统一社会信用代码", filters=[lambda v: (v or "").strip().upper()])
    ground = SelectField(
        "列入原因", choices=options([("", "请选择"), *BLACKLIST_GROUNDS.items()]), validate_choice=False
    )
    basis = long_text("列入依据（事实与材料）")  # required, checked by the service with the others at once
    listed_on = day_field("列入日期")


class DecisionForm(SubmitOnce, Form):
    """Confirm or reject a proposal: ``confirm`` is the button pressed."""

    confirm = StringField(
        "决定", validators=[AnyOf(["yes", "no"], message="请选择确认或不予确认")], render_kw={"data-carried": "1"}
    )
    note = long_text("意见")
    minutes_ref = text("会议纪要编号（如有）")


class LiftForm(SubmitOnce, Form):
    lift_reason = long_text("提前解除的理由")  # required, checked by the service
    minutes_ref = text("会议纪要编号（如有）")

"""Confirming or sending back a change of a bank's designated account."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import AnyOf

from loanfund.web.forms import (
    Form,
    SubmitOnce,
    long_text,
)


class AccountChangeDecisionForm(SubmitOnce, Form):
    """Confirm or send back a change of a bank's designated account: ``confirm`` is the button pressed."""

    confirm = StringField(
        "决定", validators=[AnyOf(["yes", "no"], message="请选择确认或退回")], render_kw={"data-carried": "1"}
    )
    note = long_text("意见")

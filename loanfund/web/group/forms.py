"""The leading group's register: a meeting with its minutes, another decision, a report heard, a rules document."""

from __future__ import annotations

from wtforms import FileField
from wtforms.validators import Optional

from loanfund.web.forms import DayField, Form, SubmitOnce, long_text, text


def _day(label: str) -> DayField:
    return DayField(label, validators=[Optional()])  # the service names a missing one beside the others


class MeetingForm(SubmitOnce, Form):
    held_on = _day("会议日期")
    title = text("会议名称", max_length=100)
    attendees = long_text("出席人员")
    minutes_ref = text("会议纪要编号")
    file = FileField("会议纪要（PDF、JPG、PNG，10 MB 以内）")


class DecisionForm(SubmitOnce, Form):
    minutes_ref = text("会议纪要编号")
    subject = long_text("决定事项")
    outcome = text("决定", max_length=40)
    note = long_text("表决情况与说明")


class HeardForm(SubmitOnce, Form):
    minutes_ref = text("会议纪要编号")
    note = long_text("领导小组意见")


class RulesForm(SubmitOnce, Form):
    title = text("制度名称", max_length=100)
    filed_on = _day("报领导小组备案日期")
    note = long_text("修订说明")
    file = FileField("制度文件（PDF、JPG、PNG，10 MB 以内）")

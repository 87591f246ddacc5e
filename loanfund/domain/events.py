"""What an event on an application is called where people read it (issue 23): a step of the lifecycle, a condition
the daily sweep found, a bank's liability, a recovery record. The timeline, the usage statement, the audit pack and
the audit record all name events through ``event_label``, so no internal code (``renewal-short``) reaches a page or a
document."""

from __future__ import annotations

from loanfund.domain.green_channel import EVENT_LABELS as GREEN_CHANNEL_EVENTS
from loanfund.domain.liability import EVENT_LABELS as LIABILITY_EVENTS
from loanfund.domain.lifecycle import ACTION_LABELS, Action
from loanfund.domain.watch import Finding

# the recovery file's own records (第二十一条), written beside the steps
RECOVERY_CAUSE = "recovery-cause"
RECOVERY_MEASURE = "recovery-measure"
RECOVERY_EVENTS = {RECOVERY_CAUSE: "逾期原因分析", RECOVERY_MEASURE: "追偿措施"}


def event_label(action: str) -> str:
    """A step's name, what the daily sweep found, a bank's liability or a recovery record — in words; an event of a
    kind this code does not know (written by a later version) as 其他事项, never its code."""
    if action in Action.__members__.values():
        return ACTION_LABELS[Action(action)]
    if action in Finding.__members__.values():
        return Finding(action).label
    return LIABILITY_EVENTS.get(action) or RECOVERY_EVENTS.get(action) or GREEN_CHANNEL_EVENTS.get(action) or "其他事项"

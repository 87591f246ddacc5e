"""The web's side of "confirm before money moves": which button of a confirmation page was pressed, and the page.

A form that moves money is pressed twice: the first press (neither button) answers with ``confirm.html``, built by
``services.preview`` from the use case itself; 确认 (``confirmed``) takes it; 返回修改 (``revise``) shows the form
again as typed. The one-time token travels through the confirmation unclaimed, so the confirmed press is still the
form's one submission.
"""

from __future__ import annotations

from flask import render_template, request

from loanfund.services.preview import Confirmation
from loanfund.web.forms import Form


def confirmed() -> bool:
    return bool(request.form.get("confirmed"))


def revising() -> bool:
    return bool(request.form.get("revise"))


def page(confirmation: Confirmation, form: Form, action_url: str, subtitle: str = "") -> str:
    return render_template("confirm.html", c=confirmation, form=form, action_url=action_url, subtitle=subtitle)

"""The web's side of "confirm before money moves": which button of a confirmation page was pressed, and the page.

A form that moves money is pressed twice: the first press (neither button) answers with ``confirm.html``, built by
``services.applications.preview`` from the use case itself; 确认 (``confirmed``) takes it; 返回修改 (``revise``) shows
the form again as typed. The one-time token travels through the confirmation unclaimed, so the confirmed press is
still the form's one submission.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import render_template, request

from loanfund.services.applications import preview
from loanfund.services.applications.preview import Confirmation
from loanfund.web.forms import Form

T = TypeVar("T")


def confirmed() -> bool:
    return bool(request.form.get("confirmed"))


def revising() -> bool:
    return bool(request.form.get("revise"))


def page(
    confirmation: Confirmation, form: Form, action_url: str, subtitle: str = "", code_errors: tuple[str, ...] = ()
) -> str:
    return render_template(
        "confirm.html",
        c=confirmation,
        form=form,
        action_url=action_url,
        subtitle=subtitle,
        code_errors=code_errors,
    )


def ask_first(
    form: Form, use_case: Callable[[], T], describe: Callable[[T], Confirmation], action_url: str, subtitle: str = ""
) -> str | None:
    """The first press of a form that cannot be undone: the confirmation page of what ``use_case`` would do — run
    with every rule and rolled back (``preview.rehearse``), so a refusal comes now, as it would — or None when 确认 was
    pressed and the caller takes the step."""
    if confirmed():
        return None
    return page(preview.rehearse(use_case, describe), form, action_url, subtitle)

"""One way to take a step from a web form once (issue 26): ask first when the step cannot be undone, claim the form's
one-time token in the step's own transaction, run the use case, and turn what refused it into what the page shows —
a repeat press told so, the fields' errors beside the fields, any other refusal above the page. Whatever refused it,
nothing of it is written (``uow.discard``).

A view says what differs — the use case, its confirmation, where field errors go — and renders the outcome::

    taken = submit_once(form, call, confirm=lambda: confirming.ask_first(form, call, _shown, url, subtitle))
    if taken.page is not None:
        return taken.page
    if taken.done:
        flash(...)
    return redirect(...)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import flash
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from loanfund.domain.errors import InvalidInput, LoanFundError
from loanfund.services import uow
from loanfund.services.people import once
from loanfund.services.people.once import AlreadySubmitted

T = TypeVar("T")
STALE = "该申请已被他人处理，请刷新后重试"


@dataclass(frozen=True)
class Taken(Generic[T]):
    """What became of a submission: a confirmation ``page`` to show, the step's ``result``, or why not."""

    page: str | None = None
    result: T | None = None
    repeated: bool = False  # the same form pressed again: told so (info), nothing done
    invalid: bool = False  # the fields' errors are on the form: show it again
    refused: bool = False  # a rule or the state refused it: told above the page (danger)

    @property
    def done(self) -> bool:
        return self.page is None and not (self.repeated or self.invalid or self.refused)


def submit_once(
    form: Any,
    use_case: Callable[[], T],
    *,
    confirm: Callable[[], str | None] | None = None,
    on_invalid: Callable[[Any], None] | None = None,  # given the error, of one of ``invalid``'s types
    invalid: tuple[type[LoanFundError], ...] = (InvalidInput,),
    flashed: tuple[type[LoanFundError], ...] = (LoanFundError,),
) -> Taken[T]:
    """Run ``use_case`` once for ``form``'s token. ``confirm`` gives the confirmation page on the first press (None once
    确认 was pressed). An error of a type in ``invalid`` goes to ``on_invalid`` (the fields' messages onto the form)
    when one is given; one of a type in ``flashed`` is told above the page; any other is the app's to answer (a
    page not there is 404)."""
    try:
        if confirm is not None:
            shown = confirm()
            if shown is not None:
                return Taken(page=shown)
        once.claim(current_user, form.once.data, form.fingerprint())
        result = use_case()
    except AlreadySubmitted as exc:
        uow.discard()
        flash(exc.message, "info")
        return Taken(repeated=True)
    except StaleDataError:  # another step on the same row committed first (its optimistic lock)
        uow.discard()
        flash(STALE, "danger")
        return Taken(refused=True)
    except LoanFundError as exc:
        if on_invalid is not None and isinstance(exc, invalid):
            uow.discard()
            on_invalid(exc)
            return Taken(invalid=True)
        if not isinstance(exc, flashed):
            raise
        uow.discard()
        flash(exc.message, "danger")
        return Taken(refused=True)
    return Taken(result=result)

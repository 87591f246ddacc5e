"""Fee quotes for planned bridges (用款费用测算): public, no login."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from loanfund import clock
from loanfund.domain.errors import FieldErrors, InvalidValue
from loanfund.domain.money import Money
from loanfund.domain.policy import Policy
from loanfund.domain.rules import Quote, check_amount, check_days, quote
from loanfund.models import Fund
from loanfund.services.policies import policy_version_in_force


def quote_fee(fund: Fund, amount: Money, days: int, on: date | None = None) -> Quote:
    """Quote ``amount`` for ``days`` under ``fund``'s policy in force ``on`` (today by default).

    :raise InvalidInput: naming each bad field (``amount``, ``days``) with its Chinese message.
    """
    _, policy = policy_version_in_force(fund.id, on or clock.today())
    quote_input_errors(policy, amount, days).raise_if_any()
    return quote(policy, amount, days)


def quote_input_errors(policy: Policy, amount: Money | None, days: int | None) -> FieldErrors:
    """The rule errors of each given field (a ``None`` field was unreadable and is left to its parser's message)."""
    errors = FieldErrors()
    checks: list[tuple[str, Callable[[], object]]] = []
    if amount is not None:
        checks.append(("amount", lambda: check_amount(amount)))
    if days is not None:
        checks.append(("days", lambda: check_days(policy, days)))
    for name, check in checks:
        try:
            check()
        except InvalidValue as exc:
            errors.add(name, exc.message)
    return errors

"""The one error hierarchy of LoanFund.

Every error carries a machine ``code`` and a human ``message`` in Chinese. Entrypoints (web, API, CLI) map them:
``RuleViolation`` → 422, ``NotAllowed`` → 403/409, ``NotFound`` → 404, ``Conflict`` → 409.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class LoanFundError(Exception):
    """Base of every error the domain and the services raise on purpose."""

    code: str = "loanfund_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidValue(LoanFundError):
    """A value could not be parsed or is out of its allowed range (bad input, not a broken rule)."""

    code = "invalid_value"


@dataclass(frozen=True)
class Violation:
    """One broken rule: ``rule`` is the DESIGN.md rule number (e.g. "R5"), ``code`` a stable machine key."""

    rule: str
    code: str
    message: str
    field: str | None = None


class RuleViolation(LoanFundError):
    """One or more rules of DESIGN.md §4 forbid the step; ``violations`` lists all of them."""

    code = "rule_violation"

    def __init__(self, violations: list[Violation] | Violation) -> None:
        items = [violations] if isinstance(violations, Violation) else list(violations)
        if not items:
            raise ValueError("RuleViolation needs at least one violation")
        super().__init__("；".join(v.message for v in items), code=items[0].code)
        self.violations: list[Violation] = items


class NotAllowed(LoanFundError):
    """The actor may not take this step (wrong role, or the state does not allow it)."""

    code = "not_allowed"


class NotFound(LoanFundError):
    """The object does not exist, or the actor may not see it (the two are deliberately indistinguishable)."""

    code = "not_found"


class Conflict(LoanFundError):
    """The request collides with concurrent or earlier work (e.g. a reused idempotency key, a transfer reference
    already booked). ``field`` names the input that collides, when one does."""

    code = "conflict"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field


@dataclass
class FieldErrors:
    """Collects field-level messages before raising them together as one ``InvalidInput``."""

    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)


class InvalidInput(LoanFundError):
    """Several fields are wrong at once; ``errors`` maps field → messages."""

    code = "invalid_input"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("；".join(m for ms in errors.values() for m in ms))
        self.errors = errors

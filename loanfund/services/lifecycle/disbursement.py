"""What the disbursement steps share (第十七条; the steps are in ``steps``): the enterprise and its bank still
eligible the moment money moves."""

from __future__ import annotations

from loanfund import clock
from loanfund.domain.errors import RuleViolation
from loanfund.models import Application
from loanfund.services.lifecycle.intake import eligibility_violations


def still_eligible(application: Application) -> None:
    """R10 and R11 once more before money moves (DESIGN R11): a bar the group confirmed, or a bank agreement that
    ended, since the approval stops the payment — named with the entry and its end date.

    :raise RuleViolation: the enterprise is barred today, or its bank's agreement is not in force."""
    violations = eligibility_violations(
        application.fund_id, application.enterprise.credit_code, application.bank, clock.today()
    )
    if violations:
        raise RuleViolation(violations)

"""The blacklist (R11, 第二十二条) as stored: entries by credit code."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from loanfund.domain.eligibility import BlacklistEntry as BlacklistFact
from loanfund.domain.eligibility import blacklist_violation
from loanfund.domain.errors import Violation
from loanfund.extensions import db
from loanfund.models import BlacklistEntry


def violation_for(credit_code: str, today: date) -> Violation | None:
    """The R11 violation in force today for this credit code, naming its reason and end date; None when clear."""
    entries = db.session.scalars(select(BlacklistEntry).where(BlacklistEntry.credit_code == credit_code)).all()
    return blacklist_violation([BlacklistFact(e.credit_code, e.reason, e.listed_on, e.ends_on) for e in entries], today)

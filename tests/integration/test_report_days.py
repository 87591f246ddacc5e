"""R2's days summed by the database (a report's 周转天数): ``sql.days_used`` says what ``domain.rules.days_used``
says, on both databases — 算头不算尾, at least one day, across a month's and a year's end."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Date, literal, select

from loanfund import sql
from loanfund.domain.rules import days_used
from loanfund.extensions import db

pytestmark = pytest.mark.both_databases

# value date, day back, days used (written out: R2)
CASES = [
    (date(2026, 11, 2), date(2026, 11, 2), 1),  # back the same day: one day
    (date(2026, 11, 2), date(2026, 11, 3), 1),
    (date(2026, 11, 2), date(2026, 11, 5), 3),
    (date(2026, 11, 1), date(2026, 11, 11), 10),  # R4's ten days
    (date(2026, 11, 28), date(2026, 12, 3), 5),  # across a month's end
    (date(2024, 2, 27), date(2024, 3, 1), 3),  # a leap February
    (date(2025, 12, 30), date(2026, 1, 2), 3),  # across a year's end
    (date(2021, 6, 1), date(2026, 6, 1), 1826),  # a bridge in recovery for five years
]


@pytest.mark.parametrize(("value_date", "received_on", "days"), CASES)
def test_the_databases_count_a_bridges_days_as_the_rule_does(app, value_date, received_on, days):
    counted = db.session.scalar(select(sql.days_used(literal(value_date, Date()), literal(received_on, Date()))))
    assert counted == days == days_used(value_date, received_on)

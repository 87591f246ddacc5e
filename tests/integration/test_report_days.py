"""R2's days summed by the database (a report's 周转天数): ``sql.days_used`` says what ``domain.rules.days_used``
says, on both databases — 算头不算尾, at least one day, across a month's and a year's end; and R9's deadline counted
by the database (``sql.add_days``) falls where ``watch.renewal_deadline`` puts it."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import Date, literal, select

from loanfund import sql
from loanfund.domain.policy import LIANYUNGANG_2018
from loanfund.domain.rules import days_used
from loanfund.domain.watch import renewal_deadline
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


# value date, the policy's days to renew (R9), the deadline (written out)
DEADLINES = [
    (date(2026, 11, 2), 2, date(2026, 11, 4)),
    (date(2026, 11, 29), 2, date(2026, 12, 1)),  # across a month's end
    (date(2026, 12, 30), 3, date(2027, 1, 2)),  # across a year's end
    (date(2028, 2, 28), 1, date(2028, 2, 29)),  # a leap day
    (date(2026, 11, 2), 0, date(2026, 11, 2)),
    (date(2026, 11, 2), 30, date(2026, 12, 2)),  # the longest the policy form allows
]


@pytest.mark.parametrize(("value_date", "sla_days", "deadline"), DEADLINES)
def test_the_databases_put_a_renewal_deadline_where_the_rule_does(app, value_date, sla_days, deadline):
    counted = sql.as_date(db.session.scalar(select(sql.add_days(literal(value_date, Date()), literal(sla_days)))))
    policy = dataclasses.replace(LIANYUNGANG_2018, renewal_sla_days=sla_days)
    assert counted == deadline == renewal_deadline(policy, value_date)

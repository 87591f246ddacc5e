"""The workbench's money out (issue 14): read from the receivables of the bridges out only, and still the same figure
for every role — the fund's for staff and the administrator, its own for a bank or an enterprise."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import User
from loanfund.services.applications import workbench

pytestmark = pytest.mark.both_databases
M = Money.parse


def figures(username: str) -> tuple[Money | None, Money]:
    user = db.session.scalar(select(User).where(User.username == username))
    board = workbench.dashboard(user)
    return board.cash, board.out


def test_money_out_is_the_bridges_out_and_each_party_sees_its_own(flows):
    flows.to(State.ARCHIVED)  # ent1 through ICBC: 30,000,000.00 out and back, its receivable 0
    flows.to(State.DISBURSED)  # ent1 through ICBC: 30,000,000.00 out
    flows.to(State.DISBURSED, enterprise="ent2", bank_code="JSB-LYG", amount="12,000,000.00", loan_due="15,000,000.00")
    # capital 200,000,000.00 + the archived bridge's fee 12,000.00 (1 day at 0.40‰) − 42,000,000.00 out
    for staff in ("operator", "reviewer", "group", "admin"):
        assert figures(staff) == (M("158,012,000.00"), M("42,000,000.00")), staff
    assert figures("bank1") == (None, M("30,000,000.00"))
    assert figures("bank2") == (None, M("12,000,000.00"))
    assert figures("ent1") == (None, M("30,000,000.00"))
    assert figures("ent2") == (None, M("12,000,000.00"))
    assert figures("ent3") == (None, Money.zero())

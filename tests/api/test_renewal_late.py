"""The API's renewal_late (R9) agrees with the daily sweep (issue 23): it said false while the sweep had already flagged
the renewal as late. ent1's 30,000,000.00 goes out on 1 Nov 2026 at ICBC; the bank may renew until the end of 3 Nov."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loanfund import clock
from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import User
from loanfund.services import lifecycle
from loanfund.services.oversight.sweep import sweep


def user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


@pytest.mark.both_databases
def test_the_apis_renewal_late_agrees_with_the_sweep(api, flows, traveller) -> None:
    application = flows.to(State.DISBURSED)  # out 1 Nov; the bank may renew until the end of 3 Nov
    traveller.move_to("2026-11-03 18:00:00+08:00")
    assert api.get("operator", f"/applications/{application.id}").get_json()["renewal_late"] is False
    assert "renewal-late" not in [found.finding.value for _, found in sweep().recorded]
    traveller.move_to("2026-11-04 08:00:00+08:00")
    assert "renewal-late" in [found.finding.value for _, found in sweep().recorded]
    for username in ("operator", "bank1", "group"):
        assert api.get(username, f"/applications/{application.id}").get_json()["renewal_late"] is True
    lifecycle.confirm_renewal(user("bank1"), application.id, "新借字9", Money.parse("40,000,000.00"), clock.today())
    assert api.get("operator", f"/applications/{application.id}").get_json()["renewal_late"] is True  # renewed late

"""The read model (issue 9): what an actor sees of an application and which steps it may take now, worked out once."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from loanfund import clock
from loanfund.domain.lifecycle import State
from loanfund.services import lifecycle
from loanfund.services.applications.views import application_view
from tests.flows import Flows

pytestmark = pytest.mark.both_databases


def steps(flows: Flows, username: str, application_id: int) -> list[str]:
    user = flows.user(username)
    view = application_view(user, lifecycle.get(user, application_id), detail=True)
    return [s.action.value for s in view.steps]


def test_the_maker_does_not_see_the_checkers_step_and_a_preparation_is_made_once(app, people, traveller):
    flows = Flows(traveller)
    a = flows.to(State.APPROVED).id
    assert steps(flows, "operator", a) == ["prepare-disbursement", "cancel", "withdraw"]
    lifecycle.prepare_disbursement(flows.user("operator"), a, clock.today(), "HK-1")
    assert steps(flows, "operator", a) == ["cancel", "withdraw"]
    assert steps(flows, "operator2", a) == ["authorise-disbursement", "return-preparation", "cancel", "withdraw"]
    assert steps(flows, "ent1", a) == ["withdraw"]


def test_recovery_is_offered_only_once_the_bridge_is_overdue(app, people, traveller):
    flows = Flows(traveller)
    a = flows.to(State.DISBURSED).id  # out on 2026-11-01, due 2026-11-11 (R4)
    traveller.shift(timedelta(days=10))
    assert steps(flows, "operator", a) == ["confirm-return"]
    traveller.shift(timedelta(days=1))
    assert steps(flows, "operator", a) == ["confirm-return", "open-recovery"]
    view = application_view(flows.user("operator"), lifecycle.get(flows.user("operator"), a))
    assert (view.due, view.overdue) == (date(2026, 11, 11), True)


def test_the_return_form_starts_with_what_is_owed_today(app, people, traveller):
    flows = Flows(traveller)
    a = flows.to(State.RENEWED).id
    traveller.shift(timedelta(days=3))  # 3 days: 30,000,000.00 × (2 × 0.40‰ + 0.45‰) = 37,500.00
    bank = flows.user("bank1")
    [step] = application_view(bank, lifecycle.get(bank, a), detail=True).steps
    assert step.prefill == {"received_on": date(2026, 11, 4), "principal": "30,000,000.00", "fee": "37,500.00"}


def test_an_enterprise_and_a_bank_see_no_fund_figure_in_the_checks(app, people, traveller):
    flows = Flows(traveller)
    a = flows.to(State.BANK_COMMITTED).id
    for username, fund_line in (("ent1", False), ("bank1", False), ("operator", True), ("group", True)):
        user = flows.user(username)
        checks = application_view(user, lifecycle.get(user, a), detail=True).checks
        assert ("R8" in [c.rule for c in checks.checks]) is fund_line, username
        assert (checks.max_amount is not None) is fund_line, username


def test_the_list_of_all_applications_marks_an_overdue_bridge(client, auth, flows, traveller):
    """The list renders from the read model: a bridge out on 1 Nov is due 11 Nov (R4) and overdue on the 12th."""
    application = flows.to(State.DISBURSED)
    auth.login("operator")
    row = re.compile(rf"{application.reference}.*?</tr>", flags=re.S)
    traveller.move_to("2026-11-11 20:00:00+08:00")
    auth.login("operator")  # ten days later: signed in again (a session ends after 30 idle minutes)
    assert "逾期" not in row.search(client.get("/applications").get_data(as_text=True)).group(0)
    traveller.move_to("2026-11-12 09:00:00+08:00")
    auth.login("operator")
    assert "逾期" in row.search(client.get("/applications").get_data(as_text=True)).group(0)

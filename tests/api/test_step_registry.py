"""One registry of steps (issues 9, 26): each step is one object, and the web form and the API schema drawn from it
carry exactly its inputs — written out here by hand — the roles come from a table written out from DESIGN §3, and a
step makes one load and one lookup."""

from __future__ import annotations

import re

import pytest

from loanfund.api.schemas import step_schema
from loanfund.domain.lifecycle import Action, Role
from loanfund.services import lifecycle
from loanfund.services.lifecycle import spine
from loanfund.web.applications.forms import step_form
from tests.statements import flat, sent

pytestmark = pytest.mark.both_databases

E, RV, OP, BK, GR = Role.ENTERPRISE, Role.REVIEWER, Role.OPERATOR, Role.BANK, Role.GROUP

# DESIGN §3, "actor" column, written out by hand.
ROLES = {
    "accept": {RV},
    "reject": {RV},
    "commit": {BK},
    "decline": {BK},
    "approve": {OP},
    "group-approve": {GR},
    "group-reject": {GR},
    "withdraw": {E, OP},
    "cancel": {OP},
    "prepare-disbursement": {OP},
    "authorise-disbursement": {OP},
    "return-preparation": {OP},
    "confirm-renewal": {BK},
    "confirm-return": {BK, OP},
    "open-recovery": {OP},
    "write-off": {GR},
    "archive": {OP},
}
MOVES_MONEY = {"approve", "prepare-disbursement", "authorise-disbursement", "confirm-return"}
FORM_ONLY = {"csrf_token", "once", "submit"}
WHY = "missing_materials_reason"
# each step's inputs in order, and (after the bar) those the API requires — DESIGN §3 and the forms as people use them
INPUTS = {
    "accept": (
        (
            "credit_report_date",
            "credit_adverse",
            "credit_industry",
            "credit_operating",
            "credit_check_note",
            "note",
            WHY,
        ),
        (),
    ),
    "reject": (("note",), ("note",)),
    "commit": (("committed_amount", "opinion", "seal_ref", WHY), ("committed_amount", "opinion")),
    "decline": (("opinion",), ("opinion",)),
    "approve": (("amount", "own_funds_confirmed", "note", WHY), ("amount", "own_funds_confirmed")),
    "group-approve": (("minutes_ref", "note"), ("minutes_ref",)),
    "group-reject": (("minutes_ref", "note"), ("minutes_ref",)),
    "withdraw": (("reason",), ("reason",)),
    "cancel": (("reason",), ("reason",)),
    "prepare-disbursement": (("value_date", "transfer_ref"), ("value_date", "transfer_ref")),
    "authorise-disbursement": (("note", WHY), ()),
    "return-preparation": (("reason",), ("reason",)),
    "confirm-renewal": (
        ("new_loan_contract_no", "new_loan_amount", "renewed_on"),
        ("new_loan_contract_no", "new_loan_amount", "renewed_on"),
    ),
    "confirm-return": (
        ("received_on", "principal", "fee", "transfer_ref"),
        ("received_on", "principal", "fee", "transfer_ref"),
    ),
    "open-recovery": (("plan",), ("plan",)),
    "write-off": (("minutes_ref", "note"), ("minutes_ref",)),
    "archive": (("note",), ()),
}


def test_every_step_is_an_object_in_the_registry():
    assert [a.value for a in lifecycle.STEPS] == list(ROLES)  # DESIGN §3's order
    assert all(spec.action is action for action, spec in lifecycle.STEPS.items())


def test_each_steps_form_and_schema_carry_exactly_its_inputs(app):
    for action, spec in lifecycle.STEPS.items():
        names, required = INPUTS[action.value]
        form_fields = [f.name for f in step_form(spec)(formdata=None, meta={"csrf": False})]
        schema = step_schema(spec)()
        assert [f for f in form_fields if f not in FORM_ONLY] == list(names), action
        assert list(schema.fields) == list(names), action
        assert spec.parameters == names, action  # what apply takes
        assert sorted(n for n, f in schema.fields.items() if f.required) == sorted(required), action


def test_the_roles_of_each_step_are_design_s():
    assert {a.value: set(spec.roles) for a, spec in lifecycle.STEPS.items()} == ROLES


def test_the_steps_that_move_money_are_the_ones_that_need_an_idempotency_key():
    assert {a.value for a in lifecycle.MONEY_ACTIONS} == MOVES_MONEY


# 第二十四条's accountability record: the duty each step discharges, and the steps that end an approval's
# reservation (R8), spent or not — written out by hand.
DUTIES = {
    "accept": "资格和信用审查",
    "reject": "资格和信用审查",
    "commit": "银行审核与承诺",
    "decline": "银行审核与承诺",
    "approve": "决定借款金额",
    "cancel": "决定借款金额",
    "group-approve": "领导小组审批",
    "group-reject": "领导小组审批",
    "withdraw": "申请",
    "prepare-disbursement": "放款制单",
    "authorise-disbursement": "放款复核",
    "return-preparation": "放款复核",
    "confirm-renewal": "续贷",
    "confirm-return": "收回",
    "open-recovery": "逾期追偿与核销",
    "write-off": "逾期追偿与核销",
    "archive": "归档",
}
RELEASES = {"authorise-disbursement", "group-reject", "withdraw", "cancel"}


def test_each_step_names_its_duty_and_whether_it_ends_a_reservation():
    from loanfund.services.group.accountability import ARTICLES

    assert {a.value: spec.duty for a, spec in lifecycle.STEPS.items()} == DUTIES
    assert set(DUTIES.values()) <= set(ARTICLES)
    assert {a.value for a, spec in lifecycle.STEPS.items() if spec.releases_reservation} == RELEASES


def _applications_read(statements: list[str]) -> int:
    return sum(1 for s in statements if re.match(r"select .* from applications\b", s))


def _count(monkeypatch, call):  # type: ignore[no-untyped-def]
    lookups: list[Action] = []
    real = spine.transition_for

    def spy(state, action, role):  # type: ignore[no-untyped-def]
        lookups.append(action)
        return real(state, action, role)

    monkeypatch.setattr(spine, "transition_for", spy)
    with sent(flat) as statements:
        response = call()
    return response, lookups, statements


def test_an_approval_over_the_api_loads_once_and_looks_its_step_up_once(api, flows, monkeypatch):
    from loanfund.domain.lifecycle import State

    application_id = flows.to(State.BANK_COMMITTED).id
    api.token("operator")
    body = {"amount": "30000000.00", "own_funds_confirmed": "10000000.00"}
    response, lookups, statements = _count(monkeypatch, lambda: api.act("operator", application_id, "approve", body))
    assert response.status_code == 200, response.get_json()
    assert lookups == [Action.APPROVE]
    assert _applications_read(statements) == 1
    assert sum(1 for s in statements if s.startswith("update fund_balance")) == 1  # the reservation


def test_a_return_over_the_api_loads_once_looks_up_once_and_writes_cash_once(api, flows, monkeypatch):
    from loanfund.domain.lifecycle import State

    application_id = flows.to(State.RENEWED).id
    api.token("bank1")
    body = {"received_on": "2026-11-01", "principal": "30000000.00", "fee": "12000.00", "transfer_ref": "HS-1"}
    response, lookups, statements = _count(
        monkeypatch, lambda: api.act("bank1", application_id, "confirm-return", body)
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["state"] == "repaid"
    assert lookups == [Action.CONFIRM_RETURN]
    assert _applications_read(statements) == 1
    assert sum(1 for s in statements if s.startswith("update fund_balance")) == 1

"""Every action from every state by every role, over the API: allowed ⇔ DESIGN §3 (tests/lifecycle_table.py).

A refused step answers 403 (the role never takes it), 409 (not from this state) or 404 (the application is not
the user's to see) and changes nothing; an allowed step with a valid body succeeds and lands where the table says.
"""

import os
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from loanfund import clock
from loanfund.domain.lifecycle import Action, Role, State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, ApplicationEvent
from loanfund.services import lifecycle
from loanfund.services.books.capital import contributor_named, record_contribution
from tests.factories import UserFactory, city_fund_id
from tests.lifecycle_table import LIFECYCLE

pytestmark = pytest.mark.both_databases

USERS = {
    Role.ENTERPRISE: "ent1",
    Role.REVIEWER: "reviewer",
    Role.OPERATOR: "operator",
    Role.BANK: "bank1",
    Role.GROUP: "group",
    Role.ADMIN: "admin",
    Role.PLATFORM: "platform",  # the platform's people act on no application (DESIGN §7)
    Role.OVERSEER: "overseer",
}
STEPS = [a for a in Action if a is not Action.SUBMIT]


def valid_body(action: Action, application: Application) -> dict:
    today = clock.today().isoformat()
    account = lifecycle.account_of(application)
    return {
        Action.ACCEPT: {  # the 征信 report is the reviewer's to upload (tests/web/test_materials_checklist)
            "credit_report_date": today,
            "credit_adverse": "none",
            "credit_industry": "fits",
            "credit_operating": "good",
            "credit_check_note": "征信正常",
            "missing_materials_reason": "征信报告原件已核",
        },
        Action.REJECT: {"note": "不符合条件"},
        # the signed commitment is the bank's to upload (tests/web/test_materials_checklist): here its reason stands in
        Action.COMMIT: {
            "committed_amount": "40000000.00",
            "opinion": "同意续贷",
            "missing_materials_reason": "原件后补",
        },
        Action.DECLINE: {"opinion": "不同意"},
        Action.APPROVE: {
            "amount": application.requested_amount.plain(),
            "own_funds_confirmed": (application.loan_amount_due - application.requested_amount).plain(),
        },
        Action.GROUP_APPROVE: {"minutes_ref": "纪要1"},
        Action.GROUP_REJECT: {"minutes_ref": "纪要2"},
        Action.WRITE_OFF: {"minutes_ref": "纪要3"},
        Action.WITHDRAW: {"reason": "撤回"},
        Action.CANCEL: {"reason": "取消"},
        Action.PREPARE_DISBURSEMENT: {"value_date": today, "transfer_ref": "HK"},
        Action.AUTHORISE_DISBURSEMENT: {},
        Action.RETURN_PREPARATION: {"reason": "起息日有误"},
        Action.CONFIRM_RENEWAL: {"new_loan_contract_no": "新1", "new_loan_amount": "40000000.00", "renewed_on": today},
        Action.CONFIRM_RETURN: {
            "received_on": today,
            "principal": account.principal_outstanding.plain() if account else "1.00",
            "fee": account.fee_outstanding.plain() if account else "0.00",
            "transfer_ref": f"HS-{application.id}",
        },
        Action.OPEN_RECOVERY: {"plan": "追偿方案"},
        Action.ARCHIVE: {},
    }[action]


def snapshot(application_id: int) -> tuple:
    db.session.expire_all()
    a = db.session.get(Application, application_id)
    events = db.session.scalar(
        select(func.count()).select_from(ApplicationEvent).where(ApplicationEvent.application_id == application_id)
    )
    return a.state, a.version, events


def refusing_roles(state: State, action: Action, backend: str) -> list[Role]:
    """The roles to try a refused step with: all of them on SQLite (and under ``make soak``); on PostgreSQL one per
    state and action, turning
    through the roles — every pair is still refused there once, row lock and all, and every allowed step, which
    writes, runs on both. Whether a role may take a step is not the database's to decide."""
    roles = list(Role)
    if backend == "sqlite" or os.environ.get("ACTION_MATRIX_FULL"):
        return roles
    return [roles[(list(State).index(state) + STEPS.index(action)) % len(roles)]]


def test_every_action_from_every_state_by_every_role(api, flows, traveller, backend):
    UserFactory(username="platform", role=Role.PLATFORM.value)
    UserFactory(username="overseer", role=Role.OVERSEER.value)
    # Dozens of applications get approved here: give the fund enough capital for all of them.
    record_contribution(
        contributor_named(city_fund_id(), "测试出资方", "private"),
        Money.yuan(10_000_000_000),
        clock.today(),
        "CZ-TEST-1",
    )
    checked_refused = checked_allowed = 0
    for state in State:
        standing = flows.to(state)
        for action in STEPS:
            row = LIFECYCLE.get((state, action))
            allowed = set(row[0]) if row else set()
            sampled = set(refusing_roles(state, action, backend))
            for role in Role:
                if role not in allowed and role not in sampled:
                    continue
                if role not in allowed:
                    before = snapshot(standing.id)
                    response = api.act(USERS[role], standing.id, action.value, {})
                    assert response.status_code in (403, 404, 409), (state, action, role, response.get_json())
                    assert response.mimetype == "application/problem+json"
                    assert snapshot(standing.id) == before, (state, action, role)
                    checked_refused += 1
                    continue
                user = USERS[role]
                if action in (Action.AUTHORISE_DISBURSEMENT, Action.RETURN_PREPARATION):
                    # approved and prepared by someone else: the checker is neither the approver nor the maker
                    fresh = flows.to(State.BANK_COMMITTED)
                    other = flows.user("operator2")
                    lifecycle.approve(other, fresh.id, fresh.requested_amount, fresh.own_funds_planned)
                    lifecycle.prepare_disbursement(other, fresh.id, clock.today(), "HK")
                else:
                    fresh = flows.to(state)
                if action is Action.OPEN_RECOVERY:  # only an overdue bridge goes to recovery
                    traveller.shift(timedelta(days=11))
                response = api.act(user, fresh.id, action.value, valid_body(action, fresh))
                assert response.status_code == 200, (state, action, role, response.get_json())
                # a full amount, a full return: the step lands on its target, never "somewhere allowed"
                assert response.get_json()["state"] == row[1].value, (state, action, role)
                checked_allowed += 1
    assert checked_allowed == sum(len(roles) for roles, _, _ in LIFECYCLE.values())
    tried = sum(
        len(set(refusing_roles(s, a, backend)) - set(LIFECYCLE[(s, a)][0] if (s, a) in LIFECYCLE else ()))
        for s in State
        for a in STEPS
    )
    assert checked_refused == tried
    if backend == "sqlite" or os.environ.get("ACTION_MATRIX_FULL"):
        assert checked_refused == len(State) * len(STEPS) * len(Role) - checked_allowed

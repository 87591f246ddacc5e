"""One open application per loan contract of a bank (issue 12): a second submission — a double click, a second tab —
is refused with the number of the one already open, also when the two arrive at the same instant (real clients, a
real server, both databases); once the first has ended, the contract may be applied for again."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from loanfund.domain.errors import InvalidInput
from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import Application, Bank
from loanfund.services import lifecycle
from tests.api.test_lifecycle_api import APPLY
from tests.conftest import DEMO_PASSWORD
from tests.live import at_once, live_server

pytestmark = pytest.mark.both_databases


def icbc() -> int:
    return db.session.scalar(select(Bank.id).where(Bank.code == "ICBC-LYG"))  # type: ignore[return-value]


def test_a_second_open_application_for_the_same_contract_is_refused(flows):
    first = flows.submit()
    contract = first.loan_contract_no
    with pytest.raises(InvalidInput) as refused:
        lifecycle.submit_application(flows.user("ent1"), _same(first))
    assert refused.value.errors == {
        "loan_contract_no": [f"到期贷款合同 {contract} 已有在办申请 {first.reference}（已提交），请勿重复提交"]
    }
    db.session.rollback()
    # another bank's contract may carry the same number
    other = _same(first, bank_code="JSB-LYG")
    assert lifecycle.submit_application(flows.user("ent1"), other).loan_contract_no == contract
    # once the first has ended (withdrawn), the contract may be applied for again
    lifecycle.withdraw(flows.user("ent1"), first.id, "填错了")
    again = lifecycle.submit_application(flows.user("ent1"), _same(first))
    assert again.state == State.SUBMITTED.value


def _same(application: Application, bank_code: str = "ICBC-LYG") -> lifecycle.ApplicationInput:
    bank = db.session.scalar(select(Bank).where(Bank.code == bank_code))
    assert bank is not None
    return lifecycle.ApplicationInput(
        bank_id=bank.id,
        loan_contract_no=application.loan_contract_no,
        loan_amount_due=application.loan_amount_due,
        loan_due_date=application.loan_due_date,
        loan_overdue=False,
        requested_amount=application.requested_amount,
        requested_days=application.requested_days,
        own_funds=application.own_funds_planned,
        purpose=application.purpose,
    )


@pytest.mark.migrated  # SQLite as a file: every request has a connection of its own
def test_ten_clients_submitting_the_same_contract_at_once_create_one(app, people, traveller):
    db.session.remove()
    with live_server(app) as server:
        token = server.token("ent1", DEMO_PASSWORD)
        headers = {"Authorization": f"Bearer {token}"}
        body = APPLY | {"bank_id": icbc(), "loan_contract_no": "工银借字2025第0777号"}
        db.session.remove()
        answers = at_once([lambda: server.request("POST", "/api/v1/applications", body, headers) for _ in range(10)])
    assert sorted(a.status for a in answers) == [201] + [422] * 9, [a.status for a in answers]
    created = next(a.body for a in answers if a.status == 201)
    refused = [a.body for a in answers if a.status == 422]
    assert all(
        r["errors"]["loan_contract_no"]
        == [f"到期贷款合同 工银借字2025第0777号 已有在办申请 {created['reference']}（已提交），请勿重复提交"]
        for r in refused
    )
    assert db.session.scalar(select(func.count()).select_from(Application)) == 1


def test_the_form_names_the_open_application_next_to_the_contract_field(client, auth, people, traveller):
    from tests.web.test_forms import APPLY, feedback, post_form

    auth.login("ent1")
    first = post_form(client, "/applications/new", APPLY)
    assert first.status_code == 302
    reference = db.session.scalar(select(Application)).reference  # type: ignore[union-attr]
    second = post_form(client, "/applications/new", APPLY)  # a new page, a new token: not the double-click guard
    assert second.status_code == 422  # the form again, with the message (no redirect)
    assert feedback(second.get_data(as_text=True), "loan_contract_no") == [
        f"到期贷款合同 借字001 已有在办申请 {reference}（已提交），请勿重复提交"
    ]
    assert db.session.scalar(select(func.count()).select_from(Application)) == 1

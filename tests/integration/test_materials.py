"""Materials are taken while an application is being decided and never after the money goes out (第十九条)."""

from __future__ import annotations

import pytest

from loanfund.domain.errors import NotAllowed
from loanfund.domain.lifecycle import State
from loanfund.services.applications import materials
from tests.flows import Flows

pytestmark = pytest.mark.both_databases

PDF = b"%PDF-1.4 test"

# Written out from DESIGN §3, not taken from the code: before disbursement and not closed → open.
OPEN = ["submitted", "accepted", "bank_committed", "group_review", "approved"]
CLOSED = [
    "disbursed",
    "renewed",
    "repaid",
    "archived",
    "recovery",
    "written_off",
    "rejected",
    "bank_declined",
    "group_rejected",
    "withdrawn",
    "cancelled",
]


def test_the_table_covers_every_state():
    assert sorted(OPEN + CLOSED) == sorted(s.value for s in State)


@pytest.mark.parametrize("state", OPEN)
def test_an_enterprise_adds_a_document_while_its_application_is_decided(app, people, traveller, state, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path)
    flows = Flows(traveller)
    application = flows.to(State(state))
    [material] = materials.upload(flows.user("ent1"), application.id, "licence", [("执照.pdf", PDF)])
    assert material.application_id == application.id


@pytest.mark.parametrize("state", CLOSED)
def test_no_document_is_added_once_the_money_is_out_or_the_application_closed(app, people, traveller, state, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path)
    flows = Flows(traveller)
    application = flows.to(State(state))
    before = sorted(tmp_path.iterdir())
    with pytest.raises(NotAllowed) as refused:
        materials.upload(flows.user("ent1"), application.id, "licence", [("执照-新.pdf", PDF + b"new")])
    assert refused.value.message == f"当前状态“{State(state).label}”下不能再上传材料"
    assert sorted(tmp_path.iterdir()) == before

"""Another enterprise's or another bank's user gets 404 on every application route, and nothing changes."""

import pytest

from loanfund.domain.lifecycle import TRANSITIONS, State
from tests.api.test_action_matrix import snapshot, valid_body

pytestmark = pytest.mark.both_databases

OUTSIDERS = ("ent2", "bank2")


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_another_partys_application_is_not_found_on_every_action(api, flows, outsider):
    for state in sorted({s for s, _ in TRANSITIONS}, key=list(State).index):
        application = flows.to(state)  # ent1's, routed to bank1
        for (from_state, action), _ in TRANSITIONS.items():
            if from_state is not state:
                continue
            before = snapshot(application.id)
            response = api.act(outsider, application.id, action.value, valid_body(action, application))
            assert response.status_code == 404, (state, action, outsider, response.get_json())
            assert response.get_json()["detail"] == "未找到该申请"
            assert snapshot(application.id) == before


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_another_partys_application_is_not_found_to_read_or_list(api, flows, outsider):
    application = flows.to(State.DISBURSED)
    assert api.get(outsider, f"/applications/{application.id}").status_code == 404
    assert api.get(outsider, "/applications").get_json()["total"] == 0


def test_the_owner_and_its_bank_see_it(api, flows):
    application = flows.to(State.ACCEPTED)
    assert api.get("ent1", f"/applications/{application.id}").status_code == 200
    assert api.get("bank1", f"/applications/{application.id}").status_code == 200
    assert [a["id"] for a in api.get("bank1", "/applications").get_json()["items"]] == [application.id]


def test_a_bank_sees_an_application_only_once_it_is_forwarded(api, flows):
    application = flows.to(State.SUBMITTED)
    assert api.get("bank1", f"/applications/{application.id}").status_code == 404
    assert api.get("bank1", "/applications").get_json()["total"] == 0


def test_the_administrator_sees_no_applications(api, flows):
    application = flows.to(State.SUBMITTED)
    assert api.get("admin", f"/applications/{application.id}").status_code == 404


def test_an_unknown_id_is_404_like_a_hidden_one(api):
    assert api.get("operator", "/applications/999999").status_code == 404


def test_enterprise_me_is_the_callers_own(api):
    assert api.get("ent2", "/enterprises/me").get_json()["name"] == "东海县晶华硅材料有限公司"
    assert api.get("bank1", "/enterprises/me").status_code == 403

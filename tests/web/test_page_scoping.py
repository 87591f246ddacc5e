"""Every page of an application, as another enterprise's or another bank's user: 404, and nothing changes.
And every page of a role, as a user of another role: 404."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from loanfund.domain.lifecycle import TRANSITIONS, State
from loanfund.extensions import db
from loanfund.models import ApplicationEvent, Material
from tests.conftest import csrf_token
from tests.flows import Flows


def events() -> int:
    return db.session.scalar(select(func.count()).select_from(ApplicationEvent))


@pytest.fixture
def documented(app, people, traveller, tmp_path):  # type: ignore[no-untyped-def]
    """ent1's application (routed to bank1), accepted, with the four documents the checklist requires."""
    app.config["UPLOAD_DIR"] = str(tmp_path)
    flows = Flows(traveller)
    application = flows.to(State.SUBMITTED)
    flows.step(application, "accept")
    return application


@pytest.mark.parametrize("outsider", ["ent2", "bank2"])
def test_every_page_of_another_partys_application_is_404(client, auth, documented, outsider):
    auth.login(outsider)
    a = documented.id
    material = db.session.scalar(select(Material))
    token = csrf_token(client.get("/home").get_data(as_text=True))
    assert client.get(f"/applications/{a}").status_code == 404
    assert client.get(f"/applications/{a}/materials/{material.id}").status_code == 404
    before = events()
    for action in sorted({action.value for _, action in TRANSITIONS}):
        response = client.post(
            f"/applications/{a}/{action}", data={"csrf_token": token, "reason": "x", "opinion": "x", "note": "x"}
        )
        assert response.status_code == 404, action
    response = client.post(
        f"/applications/{a}/materials",
        data={"csrf_token": token, "category": "other", "file": (io.BytesIO(b"%PDF-1.4"), "x.pdf")},
    )
    assert response.status_code == 404
    assert events() == before
    assert db.session.scalar(select(func.count()).select_from(Material)) == 4  # the three, the 征信 report
    assert f"/applications/{a}" not in client.get("/applications").get_data(as_text=True)
    assert f"/applications/{a}" not in client.get("/home").get_data(as_text=True)


def test_the_owner_and_its_bank_see_the_pages(client, auth, documented):
    material = db.session.scalar(select(Material))
    for username in ("ent1", "bank1"):
        auth.login(username)
        assert client.get(f"/applications/{documented.id}").status_code == 200
        with client.get(f"/applications/{documented.id}/materials/{material.id}") as response:
            assert response.status_code == 200


ROLE_PAGES = {
    "/applications/new": {"ent1"},
    "/enterprise": {"ent1"},
    "/admin/users": {"admin"},
    "/admin/banks": {"admin"},
    "/admin/policies": {"admin"},
    "/admin/contributions": {"admin"},
    "/fund/reconciliation": {"admin", "operator", "group"},
    "/bank-accounts": {"admin", "operator"},
    "/admin/mail": {"admin"},
    "/blacklist": {"reviewer", "operator", "group"},
    "/blacklist/export.csv": {"reviewer", "operator", "group"},
    "/bank-claims": {"operator", "group", "admin", "bank1"},
    "/fund/risk": {"operator", "group"},
    "/admin/settings": {"admin"},
    "/admin/materials": {"admin"},
    "/inbox": {"ent1", "reviewer", "operator", "bank1", "group", "admin"},
    "/account/notices": {"ent1", "reviewer", "operator", "bank1", "group", "admin"},
}


@pytest.mark.parametrize("path", sorted(ROLE_PAGES))
def test_role_pages_are_404_for_other_roles(client, auth, people, path):
    for username in ("ent1", "reviewer", "operator", "bank1", "group", "admin"):
        auth.login(username)
        expected = 200 if username in ROLE_PAGES[path] else 404
        assert client.get(path).status_code == expected, (path, username)


def test_the_usage_statement_once_the_money_is_back(client, auth, people, traveller):
    application = Flows(traveller).to(State.ARCHIVED)
    auth.login("operator")
    html = client.get(f"/applications/{application.id}/statement").get_data(as_text=True)
    assert "连云港市中小企业应急转贷资金使用情况说明表" in html
    assert "人民币叁仟万元整" in html
    assert "12,000.00 元" in html  # the fee for 1 day
    for outsider in ("ent2", "bank2"):
        auth.login(outsider)
        assert client.get(f"/applications/{application.id}/statement").status_code == 404


def test_no_usage_statement_while_money_is_out(client, auth, people, traveller):
    application = Flows(traveller).to(State.DISBURSED)
    auth.login("operator")
    assert client.get(f"/applications/{application.id}/statement").status_code == 404

"""Sign-ups are vetted by the funds they may apply to (issue 27, DESIGN §7): a county fund's reviewer sees the sign-ups
of its county's firms and not the others'; the city's reviewer, whose fund serves the county too, sees both."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loanfund.domain.lifecycle import Role
from loanfund.extensions import db
from loanfund.models import SignUp
from tests.factories import UserFactory, county_fund, credit_code
from tests.web.test_forms import REGISTER, post_form

pytestmark = pytest.mark.both_databases


def test_a_county_reviewer_vets_its_countys_sign_ups_only(client, auth, people):
    county = county_fund()
    UserFactory(username="dh_reviewer", role=Role.REVIEWER.value, fund_id=county.id)
    db.session.commit()
    post_form(client, "/register", REGISTER)  # a Haizhou firm
    donghai = REGISTER | {
        "name": "东海县新材料有限公司",
        "credit_code": credit_code("91320722MA1NEW0DH"),
        "district": "donghai",
        "username": "dhco",
        "email": "finance@dhco.example",
    }
    post_form(client, "/register", donghai)
    records = {r.enterprise.name: r.id for r in db.session.scalars(select(SignUp))}
    assert set(records) == {"连云港新企业有限公司", "东海县新材料有限公司"}
    auth.login("dh_reviewer")
    page = client.get("/sign-ups").get_data(as_text=True)
    assert "东海县新材料有限公司" in page and "连云港新企业有限公司" not in page
    assert client.get(f"/sign-ups/{records['连云港新企业有限公司']}").status_code == 404
    assert client.get(f"/sign-ups/{records['东海县新材料有限公司']}").status_code == 200
    auth.login("reviewer")
    page = client.get("/sign-ups").get_data(as_text=True)
    assert "东海县新材料有限公司" in page and "连云港新企业有限公司" in page

"""Who sees which bridges out, said of the bridges' own columns (``access.bridge_visibility``, issue 28: the
workbenches count them without joining each to its application), is exactly who sees their applications
(``access.application_visibility``) — role by role, the other fund's staff, another bank and another enterprise
included."""

from __future__ import annotations

from sqlalchemy import select

from loanfund.domain.lifecycle import Role, State
from loanfund.extensions import db
from loanfund.models import Application, BridgeOut, User
from loanfund.services.access import application_visibility, bridge_visibility
from tests.factories import EnterpriseUserFactory, UserFactory, county_fund
from tests.flows import Flows


def test_each_role_sees_the_bridges_out_of_the_applications_it_sees(app, people, busy, traveller):
    flows = Flows(traveller)
    flows.to(State.DISBURSED, enterprise="ent2")
    flows.to(State.RECOVERY, enterprise="ent3")
    county = county_fund()
    UserFactory(username="county_operator", role=Role.OPERATOR.value, fund_id=county.id)
    EnterpriseUserFactory(username="unvetted", vetted=False, enterprise=people["ent1"].enterprise)
    db.session.commit()

    bridges_out = set(db.session.scalars(select(BridgeOut.application_id)))
    assert len(bridges_out) == 3  # ent1's with JSB (the busy fund), ent2's and ent3's in recovery
    seen_by = {}
    for user in db.session.scalars(select(User).order_by(User.username)):
        by_bridge = set(db.session.scalars(select(BridgeOut.application_id).where(bridge_visibility(user))))
        by_application = set(
            db.session.scalars(
                select(BridgeOut.application_id)
                .join(Application, Application.id == BridgeOut.application_id)
                .where(application_visibility(user))
            )
        )
        assert by_bridge == by_application, user.username
        seen_by[user.username] = len(by_bridge)
    # the figures the equality is over: staff see all, nobody else's staff or the administrator any
    assert seen_by["operator"] == seen_by["group"] == seen_by["reviewer"] == len(bridges_out)
    assert seen_by["county_operator"] == seen_by["admin"] == seen_by["unvetted"] == 0
    assert 0 < seen_by["bank1"] < len(bridges_out)
    assert 0 < seen_by["ent2"] < len(bridges_out)

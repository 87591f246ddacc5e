"""The checker returns a preparation to the maker with a reason (issue 12): recorded, nothing moves, the maker
prepares again and another operator authorises — maker–checker holds throughout."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from loanfund import clock
from loanfund.domain.errors import InvalidInput, NotAllowed
from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, ApplicationEvent, Message
from loanfund.services import lifecycle
from loanfund.services.books import fund
from tests.factories import city_fund_id

pytestmark = pytest.mark.both_databases


def events(application_id: int) -> list[tuple[str, str, str, str]]:
    rows = db.session.scalars(
        select(ApplicationEvent).where(ApplicationEvent.application_id == application_id).order_by(ApplicationEvent.id)
    )
    return [(e.action, e.actor.username if e.actor else "", e.to_state, e.note) for e in rows]


def test_the_checker_returns_and_the_maker_prepares_again(flows, traveller):
    a = flows.to(State.APPROVED).id
    maker, checker = flows.user("operator"), flows.user("operator2")
    before = fund.position(city_fund_id())
    yesterday = clock.today() - timedelta(days=1)
    with pytest.raises(InvalidInput):  # the value date may not be before the approval: nothing prepared
        lifecycle.prepare_disbursement(maker, a, yesterday, "HK-1")
    db.session.rollback()
    lifecycle.prepare_disbursement(maker, a, clock.today(), "HK-1-错")

    with pytest.raises(NotAllowed) as own:
        lifecycle.return_preparation(maker, a, "自己退回")
    assert own.value.code == "maker_checker"
    db.session.rollback()
    with pytest.raises(InvalidInput) as empty:
        lifecycle.return_preparation(checker, a, "  ")
    assert empty.value.errors == {"reason": ["请填写退回原因"]}
    db.session.rollback()

    lifecycle.return_preparation(checker, a, "划款凭证号有误，请核对后重新制单")
    application = db.session.get(Application, a)
    assert (application.state, application.prepared_by_id, application.value_date, application.disbursement_ref) == (
        "approved",
        None,
        None,
        None,
    )
    assert fund.position(city_fund_id()) == before  # nothing moved: the amount stays reserved
    with pytest.raises(NotAllowed):  # nothing to authorise any more
        lifecycle.authorise_disbursement(checker, a)
    db.session.rollback()

    lifecycle.prepare_disbursement(maker, a, clock.today(), "HK-1")
    lifecycle.authorise_disbursement(checker, a)
    assert db.session.get(Application, a).state == "disbursed"
    assert [
        e for e in events(a) if e[0] in ("prepare-disbursement", "return-preparation", "authorise-disbursement")
    ] == [
        ("prepare-disbursement", "operator", "approved", ""),
        ("return-preparation", "operator2", "approved", "划款凭证号有误，请核对后重新制单"),
        ("prepare-disbursement", "operator", "approved", ""),
        ("authorise-disbursement", "operator2", "disbursed", ""),
    ]
    returned = db.session.scalar(select(ApplicationEvent).where(ApplicationEvent.action == "return-preparation"))
    assert returned.payload == {
        "value_date": clock.today().isoformat(),
        "transfer_ref": "HK-1-错",
        "prepared_by": maker.id,
    }
    told = db.session.scalars(select(Message.subject).where(Message.user_id == maker.id)).all()
    assert f"放款制单已退回：{application.reference}" in told
    assert fund.position(city_fund_id()).cash == before.cash - Money.parse("30,000,000.00")


def test_nothing_prepared_cannot_be_returned(flows):
    a = flows.to(State.APPROVED).id
    with pytest.raises(NotAllowed) as refused:
        lifecycle.return_preparation(flows.user("operator2"), a, "退回")
    assert refused.value.code == "state_not_allowed"


def test_the_checker_returns_it_from_the_page(client, auth, flows):
    """Issue 12, done when: from the pages, through their confirmations — the checker returns the preparation with a
    reason, the maker prepares again, the checker authorises; each step recorded with who and why."""
    from tests.conftest import confirm

    a = flows.to(State.APPROVED).id
    lifecycle.prepare_disbursement(flows.user("operator"), a, clock.today(), "HK-9")
    page = f"/applications/{a}"
    auth.login("operator")
    assert 'id="action-return-preparation"' not in client.get(page).get_data(as_text=True)
    auth.login("operator2")
    html = client.get(page).get_data(as_text=True)
    assert 'id="action-return-preparation"' in html and "退回制单" in html
    response = confirm(client, f"{page}/return-preparation", {"reason": "凭证号有误"}, page, follow_redirects=True)
    assert response.status_code == 200 and "已退回制单" in response.get_data(as_text=True)
    assert db.session.get(Application, a).prepared_by_id is None
    auth.login("operator")
    body = {"value_date": clock.today().isoformat(), "transfer_ref": "HK-10"}
    response = confirm(client, f"{page}/prepare-disbursement", body, page, follow_redirects=True)
    assert "已制单（放款）" in response.get_data(as_text=True)
    auth.login("operator2")
    response = confirm(client, f"{page}/authorise-disbursement", {}, page, follow_redirects=True)
    assert "已复核放款" in response.get_data(as_text=True)
    application = db.session.get(Application, a)
    assert (application.state, application.disbursement_ref) == (State.DISBURSED.value, "HK-10")
    recorded = [
        (e.action, e.actor.username, e.note)
        for e in db.session.scalars(
            select(ApplicationEvent).where(ApplicationEvent.application_id == a).order_by(ApplicationEvent.id)
        )
    ][-4:]
    assert recorded == [
        ("prepare-disbursement", "operator", ""),
        ("return-preparation", "operator2", "凭证号有误"),
        ("prepare-disbursement", "operator", ""),
        ("authorise-disbursement", "operator2", ""),
    ]

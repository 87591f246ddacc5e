"""The platform's 资格和信用审查 at acceptance (第八、十五条; issue 24): findings, not a note. A refusal is named next
to its field and changes nothing; a bad record still outstanding is accepted for the leading group to decide (the
operator's approval sends it there, and it reserves the amount like any approval: both databases); the bank and the
group read the findings on the application and in the API, the enterprise does not."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from loanfund.domain.errors import RuleViolation
from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, ApplicationEvent
from loanfund.services import lifecycle
from loanfund.services.books import fund
from tests.api.conftest import Api
from tests.conftest import confirm
from tests.factories import city_fund_id
from tests.flows import Flows, attach, credit_ok
from tests.web.test_confirmations import text_of
from tests.web.test_forms import feedback, post_form

pytestmark = pytest.mark.both_databases

M = Money.parse


def accepted_with(flows: Flows, **findings: object) -> Application:
    """ent1 asks 1,000,000.00 (loan due 1,250,000.00); the 征信 report on file, accepted on ``findings``."""
    application = flows.submit(amount="1,000,000.00", loan_due="1,250,000.00", own_funds="250,000.00")
    reviewer = flows.user("reviewer")
    attach(reviewer, application, ("credit_report",))
    lifecycle.accept(reviewer, application.id, **(credit_ok() | findings))  # type: ignore[arg-type]
    return db.session.get(Application, application.id)  # type: ignore[return-value]


def test_the_findings_are_recorded_on_the_application_and_its_event(flows: Flows) -> None:
    application = accepted_with(flows, credit_adverse="resolved", credit_check_note="2024年逾期一次，已结清")
    assert (application.state, application.credit_report_date.isoformat()) == ("accepted", "2026-11-01")  # type: ignore[union-attr]
    assert (application.credit_adverse, application.credit_industry, application.credit_operating) == (
        "resolved",
        "fits",
        "good",
    )
    event = db.session.scalars(
        select(ApplicationEvent).where(
            ApplicationEvent.application_id == application.id, ApplicationEvent.action == "accept"
        )
    ).one()
    assert {k: event.payload[k] for k in ("credit_report_date", "credit_adverse", "credit_check_note")} == {
        "credit_report_date": "2026-11-01",
        "credit_adverse": "resolved",
        "credit_check_note": "2024年逾期一次，已结清",
    }


def test_a_refusing_finding_changes_nothing(flows: Flows) -> None:
    application = flows.submit()
    reviewer = flows.user("reviewer")
    attach(reviewer, application, ("credit_report",))
    with pytest.raises(RuleViolation) as caught:
        lifecycle.accept(reviewer, application.id, **(credit_ok() | {"credit_industry": "outside"}))  # type: ignore[arg-type]
    db.session.rollback()
    assert [(v.rule, v.field) for v in caught.value.violations] == [("R10", "credit_industry")]
    stored = db.session.get(Application, application.id)
    assert (stored.state, stored.credit_industry) == ("submitted", None)  # type: ignore[union-attr]


def test_a_bad_record_still_outstanding_goes_to_the_group_whatever_the_amount(flows: Flows) -> None:
    """1,000,000.00 is far below the 40,000,000.00 of R6; the outstanding record alone sends it to the group, and the
    amount is reserved while the group decides (R8)."""
    application = accepted_with(flows, credit_adverse="current", credit_check_note="尚有一笔欠息未结清")
    bank = flows.bank_user(application)
    attach(bank, application, ("commitment",))
    lifecycle.commit(bank, application.id, M("1,250,000.00"), "同意续贷")
    available_before = fund.position(city_fund_id()).available
    lifecycle.approve(flows.user("operator"), application.id, M("1,000,000.00"), M("250,000.00"))
    stored = db.session.get(Application, application.id)
    assert (stored.state, stored.group_reasons) == ("group_review", "征信有未结清的不良记录")  # type: ignore[union-attr]
    assert available_before - fund.position(city_fund_id()).available == M("1,000,000.00")
    lifecycle.group_approve(flows.user("group"), application.id, "纪要〔2026〕12号", "企业已承诺本月内结清欠息")
    assert db.session.get(Application, application.id).state == State.APPROVED.value  # type: ignore[union-attr]


def test_a_record_since_settled_is_approved_by_the_platform(flows: Flows) -> None:
    application = accepted_with(flows, credit_adverse="resolved")
    bank = flows.bank_user(application)
    attach(bank, application, ("commitment",))
    lifecycle.commit(bank, application.id, M("1,250,000.00"), "同意续贷")
    lifecycle.approve(flows.user("operator"), application.id, M("1,000,000.00"), M("250,000.00"))
    assert db.session.get(Application, application.id).state == State.APPROVED.value  # type: ignore[union-attr]


def test_the_reviewer_is_told_next_to_each_finding_on_the_page(client, auth, flows: Flows) -> None:  # type: ignore[no-untyped-def]
    application = flows.submit()
    page = f"/applications/{application.id}"
    auth.login("reviewer")
    typed = {k: str(v) for k, v in credit_ok().items()} | {"credit_operating": "poor", "credit_adverse": ""}
    typed["missing_materials_reason"] = "征信报告原件已核"
    refused = post_form(client, f"{page}/accept", typed, page=page)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert feedback(html, "credit_adverse") == ["请选择不良信用记录情况"]
    assert feedback(html, "credit_operating") == []  # a refusal is read once the findings are complete
    typed["credit_adverse"] = "none"
    refused = post_form(client, f"{page}/accept", typed, page=page)
    assert feedback(refused.get_data(as_text=True), "credit_operating") == [
        "企业运营状况不佳，不符合“运营状况良好”的条件，不予受理（第八条）"
    ]
    assert db.session.get(Application, application.id).state == "submitted"  # type: ignore[union-attr]
    typed["credit_operating"] = "good"
    assert confirm(client, f"{page}/accept", typed, page).status_code == 302
    assert db.session.get(Application, application.id).state == "accepted"  # type: ignore[union-attr]


@pytest.mark.parametrize(("username", "sees"), [("bank1", True), ("group", True), ("operator", True), ("ent1", False)])
def test_the_bank_and_the_group_read_the_findings_the_enterprise_does_not(  # type: ignore[no-untyped-def]
    client, auth, flows: Flows, username: str, sees: bool
) -> None:
    application = accepted_with(flows, credit_adverse="current", credit_check_note="尚有一笔欠息未结清")
    auth.login(username)
    words = text_of(client.get(f"/applications/{application.id}").get_data(as_text=True))
    card = re.search(r"平台资格和信用审查 (.*?) 审查人", words)
    if sees:
        assert card is not None
        assert card.group(1) == (
            "征信报告日期 2026-11-01 不良信用记录 有未结清的不良记录 须经领导小组审批 "
            "产业政策 符合产业发展政策 运营状况 运营状况良好 审查结论 尚有一笔欠息未结清"
        )
    else:
        assert card is None and "尚有一笔欠息未结清" not in words
    body = Api(client).get(username, f"/applications/{application.id}").get_json()
    expected = {
        "report_date": "2026-11-01",
        "adverse": "current",
        "industry": "fits",
        "operating": "good",
        "findings": "有未结清的不良记录；符合产业发展政策；运营状况良好",
        "conclusion": "尚有一笔欠息未结清",
    }
    assert body["credit_check"] == (expected if sees else None)

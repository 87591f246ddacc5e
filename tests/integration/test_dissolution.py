"""第二十六条 walked end to end (issue 24): the platform proposes, the group decides at a registered meeting, the
platform records the government's approval — the fund then takes no application — and closes the books once every
bridge is closed: one entry returns the net assets to the contributors by capital and leaves every account at zero.
On both databases (money moves).

The fund of the walk: 市工业投资集团 200,000,000.00 (the cast) and 东海县 100,000,000.00; one bridge of
30,000,000.00 written off. Net assets 270,000,000.00, returned 2 : 1 — 180,000,000.00 and 90,000,000.00."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from loanfund import clock
from loanfund.domain.errors import Conflict, InvalidInput, RuleViolation
from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import GroupDecision
from loanfund.services import lifecycle
from loanfund.services.books import capital, fund, ledger, reconcile
from loanfund.services.group import dissolution, group_register
from tests.conftest import confirm, form_tokens
from tests.factories import city_fund_id
from tests.flows import Flows
from tests.web.test_confirmations import text_of

pytestmark = pytest.mark.both_databases

M = Money.parse


def fund_with_a_loss(flows: Flows) -> None:
    county = capital.contributor_named(city_fund_id(), "东海县", "county")
    capital.record_contribution(county, M("100,000,000.00"), clock.today(), "县财政拨付")
    flows.to(State.WRITTEN_OFF)  # 30,000,000.00 out on 1 Nov, never back, written off on 12 Nov


def approved(flows: Flows) -> int:
    """Proposed, decided at the 4th meeting, approved by the government's reply."""
    group_register.record_meeting(
        flows.user("group"),
        clock.today(),
        "第4次领导小组会议",
        "组长等 7 人",
        "纪要〔2026〕4号",
        [("纪要.pdf", b"%PDF-1.4\n")],
    )
    row = dissolution.propose(flows.user("operator"), "银行续贷政策调整，应急转贷需求已转由政策性担保承接")
    dissolution.decide(flows.user("group"), row.id, True, "纪要〔2026〕4号", "7 票同意")
    dissolution.record_approval(flows.user("operator"), row.id, "政复〔2026〕88号", clock.today())
    return row.id


def test_the_fund_is_dissolved_and_its_books_close_to_zero(flows: Flows) -> None:
    fund_with_a_loss(flows)
    dissolution_id = approved(flows)
    closing = dissolution.closing_now(city_fund_id())
    assert (closing.net, closing.problems) == (M("270,000,000.00"), [])
    row = dissolution.close(flows.user("operator"), dissolution_id, clock.today(), "JS20260001")
    assert row.state == "closed"
    assert row.shares == [
        {"contributor": "连云港市工业投资集团有限公司", "capital": "200000000.00", "share": "180000000.00"},
        {"contributor": "东海县", "capital": "100000000.00", "share": "90000000.00"},
    ]
    assert [(r.code, r.debit - r.credit) for r in ledger.trial_balance(city_fund_id()) if r.debit != r.credit] == []
    assert fund.position(city_fund_id()).cash == Money.zero()
    assert reconcile.reconcile(city_fund_id()).ok
    decided = db.session.scalars(select(GroupDecision).where(GroupDecision.dissolution_id == dissolution_id)).one()
    assert (decided.kind, decided.outcome, decided.minutes_ref) == (
        "dissolution",
        "同意解散，报政府批准",
        "纪要〔2026〕4号",
    )
    with pytest.raises(Conflict):
        dissolution.close(flows.user("operator"), dissolution_id, clock.today(), "JS20260001")
    db.session.rollback()


def test_after_the_approval_the_fund_takes_no_application(flows: Flows) -> None:
    approved(flows)
    with pytest.raises(RuleViolation) as caught:
        flows.submit()
    db.session.rollback()
    assert [(v.rule, v.message) for v in caught.value.violations] == [
        ("R13", "本资金已经领导小组决定并报政府批准解散（政复〔2026〕88号），不再受理申请（第二十六条）")
    ]


def test_the_books_do_not_close_while_money_is_out(flows: Flows) -> None:
    out = flows.to(State.DISBURSED)  # 30,000,000.00 out
    dissolution_id = approved(flows)
    with pytest.raises(RuleViolation) as caught:
        dissolution.close(flows.user("operator"), dissolution_id, clock.today(), "JS20260001")
    db.session.rollback()
    assert [v.message for v in caught.value.violations] == [
        "尚有 1 笔申请未办结（撤回、不予受理或收回归档后方可结清）",
        "应收应急转贷资金尚有 30,000,000.00 元未收回",
    ]
    assert dissolution.current(city_fund_id()).state == "approved"  # type: ignore[union-attr]
    assert lifecycle.get(flows.user("operator"), out.id).state == "disbursed"


def test_each_step_in_its_turn_by_its_role(flows: Flows) -> None:
    operator, group = flows.user("operator"), flows.user("group")
    with pytest.raises(InvalidInput) as caught:
        dissolution.propose(operator, " ")
    assert caught.value.errors == {"reason": ["请说明提议解散的理由（政策或市场需求的变化）"]}
    db.session.rollback()
    row = dissolution.propose(operator, "需求变化")
    with pytest.raises(InvalidInput) as caught:
        dissolution.decide(group, row.id, True, "纪要〔2026〕4号")
    assert caught.value.errors == {"minutes_ref": ["会议纪要 纪要〔2026〕4号 尚未登记，请先在领导小组登记簿登记会议"]}
    db.session.rollback()
    with pytest.raises(Conflict):
        dissolution.record_approval(operator, row.id, "政复〔2026〕88号", clock.today())
    db.session.rollback()
    with pytest.raises(Conflict):
        dissolution.propose(operator, "再次提议")
    db.session.rollback()
    group_register.record_meeting(
        group, clock.today(), "会议", "7 人", "纪要〔2026〕4号", [("纪要.pdf", b"%PDF-1.4\n")]
    )
    dissolution.decide(group, row.id, False, "纪要〔2026〕4号", "资金需求仍在")
    # not dissolved: the fund goes on, and may be proposed again later
    assert dissolution.current(city_fund_id()) is None
    assert dissolution.refusal_to_apply(city_fund_id()) is None
    tomorrow = clock.today() + timedelta(days=1)
    again = dissolution.propose(operator, "需求继续下降")
    dissolution.decide(group, again.id, True, "纪要〔2026〕4号")
    with pytest.raises(InvalidInput) as caught:
        dissolution.record_approval(operator, again.id, "", tomorrow)
    assert caught.value.errors == {
        "approval_ref": ["请填写政府批复文号"],
        "approved_on": [f"批准日期不能晚于今天（{clock.today().isoformat()}）"],
    }
    db.session.rollback()


def test_the_page_walks_it_with_confirmations(client, auth, flows: Flows) -> None:  # type: ignore[no-untyped-def]
    fund_with_a_loss(flows)
    dissolution_id = approved(flows)
    auth.login("operator")
    page = "/fund/dissolution"
    words = text_of(client.get(page).get_data(as_text=True))
    assert "如现在结清：净资产（专用账户资金）270,000,000.00 元" in words
    url = f"/fund/dissolution/{dissolution_id}/close"
    shown = text_of(confirm_page(client, url, {"closed_on": clock.today().isoformat(), "bank_ref": "JS1"}, page))
    assert "返还出资方合计 270,000,000.00 元" in shown and "人民币贰亿柒仟万元整" in shown
    assert "返还东海县（出资 100,000,000.00 元） 90,000,000.00 元" in shown
    assert confirm(client, url, {"closed_on": clock.today().isoformat(), "bank_ref": "JS1"}, page).status_code == 302
    words = text_of(client.get(page).get_data(as_text=True))
    assert "当前状态：已解散，净资产已返还" in words
    assert "东海县 100,000,000.00 90,000,000.00" in words


def confirm_page(client, url: str, data: dict[str, str], page: str) -> str:  # type: ignore[no-untyped-def]
    shown = client.post(url, data=data | form_tokens(client.get(page).get_data(as_text=True), url))
    assert shown.status_code == 200
    return shown.get_data(as_text=True)

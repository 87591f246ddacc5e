"""Told at the right time (issue 23; DESIGN §6): whoever must act next hears of it in the step's own transaction —
the checker when a preparation waits, the operators when a bank commits, the group when a request waits for it — and
the enterprise hears of its own application: the bank's commitment and what it leaves short, the referral to the
group, a short return, and the end (办结). Figures are the cast's: ent1 asks 30,000,000.00 against 40,000,000.00
due at ICBC (bank1)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from loanfund import clock
from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, MailDelivery, Message, User
from loanfund.services import lifecycle
from loanfund.services.oversight.sweep import sweep
from tests.flows import attach

M = Money.parse


def user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def told(kind: str) -> dict[str, tuple[str, str]]:
    """Each recipient of the notices of ``kind``: (subject, body)."""
    return {
        m.user.username: (m.subject, m.body)
        for m in db.session.scalars(select(Message).where(Message.kind == kind).order_by(Message.id))
    }


def test_the_operators_and_the_enterprise_hear_of_the_banks_commitment_and_what_it_leaves_short(flows, traveller):
    application = flows.to(State.ACCEPTED)
    attach(user("bank1"), application, ("commitment",))
    lifecycle.commit(user("bank1"), application.id, M("30,000,000.00"), "同意续贷")
    ref = application.reference
    to_approve = told("to_approve")
    assert set(to_approve) == {"operator", "operator2"}
    assert to_approve["operator"][0] == f"银行已承诺，待审批：{ref}"
    assert (
        "承诺续贷额度 30,000,000.00 元；按现行政策，应急转贷资金最多为承诺续贷额度的 80%" in to_approve["operator"][1]
    )
    ((subject, body),) = told("commitment_short").values()
    assert subject == f"银行已出具续贷承诺：{ref}（资金缺口需自筹）"
    assert body == (
        f"中国工商银行连云港分行已对贵企业的应急转贷申请 {ref} 出具续贷承诺，承诺续贷 30,000,000.00 元。"
        "应急转贷资金最多为承诺额度的 80%，即 24,000,000.00 元，少于贵企业申请的 30,000,000.00 元：差额 "
        "6,000,000.00 元（人民币陆佰万元整）须由贵企业另行筹措，请在平台审批前备足自筹资金。"
    )
    assert list(told("commitment_short")) == ["ent1"]
    delivery = db.session.scalars(select(MailDelivery).join(Message).where(Message.kind == "commitment_short")).one()
    assert delivery.to_address == "ent1@example.test"


def test_a_commitment_that_covers_the_request_says_so(flows, traveller):
    flows.to(State.BANK_COMMITTED)  # 40,000,000.00 committed: 32,000,000.00 may be lent against 30,000,000.00 asked
    ((subject, body),) = told("committed").values()
    assert subject.startswith("银行已出具续贷承诺：") and "足以覆盖贵企业的申请" in body
    assert told("commitment_short") == {}


def test_the_checker_hears_that_a_preparation_waits_and_the_maker_and_the_approver_do_not(flows, traveller):
    third = User(
        username="operator3",
        display_name="赵复核",
        role="operator",
        email="op3@example.test",
        fund_id=user("operator").fund_id,
    )
    third.password_hash = user("operator").password_hash
    db.session.add(third)
    db.session.commit()
    application = flows.to(State.BANK_COMMITTED)
    lifecycle.approve(user("operator2"), application.id, M("30,000,000.00"), M("10,000,000.00"))
    lifecycle.prepare_disbursement(user("operator2"), application.id, clock.today(), "HK-001")
    application = db.session.get(Application, application.id)
    lifecycle.return_preparation(user("operator"), application.id, "凭证号有误")  # type: ignore[union-attr]
    lifecycle.prepare_disbursement(user("operator"), application.id, clock.today(), "HK-002")  # type: ignore[union-attr]
    waiting = db.session.scalars(select(Message).where(Message.kind == "to_authorise").order_by(Message.id)).all()
    # the first preparation (approver and maker operator2): operator and operator3; the second (maker operator,
    # approver operator2): operator3 only
    assert [m.user.username for m in waiting] == ["operator", "operator3", "operator3"]
    assert waiting[-1].subject == f"待复核放款：{application.reference}"  # type: ignore[union-attr]
    assert "金额 30,000,000.00 元（人民币叁仟万元整）" in waiting[-1].body and "凭证号 HK-002" in waiting[-1].body


def test_the_enterprise_hears_its_request_went_to_the_group(flows, traveller):
    application = flows.to(State.GROUP_REVIEW)  # 45,000,000.00: over 40,000,000.00 (R6)
    ((subject, body),) = told("to_group").values()
    assert subject == f"申请 {application.reference} 已报领导小组审批"
    assert "拟批准金额 45,000,000.00 元，按规定须报领导小组审批" in body
    assert set(told("group_waiting")) == {"group"}


def test_the_enterprise_hears_of_a_short_return_and_then_that_it_is_settled(flows, traveller):
    application = flows.to(State.RENEWED)
    traveller.shift(timedelta(days=1))  # back on 2 November: 1 day, fee 12,000.00
    lifecycle.confirm_return(user("bank1"), application.id, clock.today(), M("30,000,000.00"), M("2,000.00"), "HS-1")
    ((subject, body),) = told("return_short").values()
    assert subject == f"收回不足：{application.reference}"
    assert "收回本金 30,000,000.00 元、用款费用 2,000.00 元，尚未收齐（尚欠用款费用）" in body
    assert told("settled") == {}
    lifecycle.confirm_return(user("bank1"), application.id, clock.today(), Money.zero(), M("10,000.00"), "HS-2")
    ((subject, body),) = told("settled").values()
    assert subject == f"应急转贷 {application.reference} 已办结"
    assert body.endswith("本金和用款费用已全部收回，该笔应急转贷已办结。")
    assert list(told("settled")) == ["ent1"]


def test_the_sweep_tells_the_enterprise_of_a_shortfall_left_open(flows, traveller):
    application = flows.to(State.RENEWED)
    lifecycle.confirm_return(user("bank1"), application.id, clock.today(), M("20,000,000.00"), Money.zero(), "HS-1")
    sweep()
    assert set(told("return-shortfall")) == {"ent1", "bank1", "operator", "operator2"}

"""A bridge its bank settled (R12, DESIGN §3 "settled by the bank"; issue 23).

ent1's 30,000,000.00 bridge went out on 1 Nov 2026 at ICBC, which committed 40,000,000.00 and did not renew (deadline
3 Nov; due back 11 Nov). On 12 Nov the operator records the claim: 11 days, fee 30,000,000 × (2 × 0.40‰ + 9 × 0.45‰)
= 145,500.00, so the bank owes 30,145,500.00. It pays 145,500.00 on 20 Nov and 30,000,000.00 on 3 Dec.

Until the claim is paid in full the bridge stays on the monthly analysis' overdue list (with the claim and what the bank
still owes); the last payment settles it — repaid, shown 银行已清偿, archived with its frozen statement, in the audit
pack — and the innocent enterprise is never proposed for the blacklist.
"""

from __future__ import annotations

import zipfile
from datetime import date

import pytest
from sqlalchemy import select

from loanfund import clock
from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, ApplicationEvent, BankClaim, BlacklistEntry, Message, User
from loanfund.services import lifecycle
from loanfund.services.books.reconcile import reconcile
from loanfund.services.oversight import liability
from loanfund.services.oversight.sweep import sweep
from loanfund.services.reports import audit_pack, reporting
from tests.factories import city_fund, city_fund_id

M = Money.parse


def user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def claimed_bridge(flows, traveller) -> tuple[int, BankClaim]:  # type: ignore[no-untyped-def]
    application = flows.to(State.DISBURSED)
    traveller.move_to("2026-11-12 09:00:00+08:00")
    claim = liability.record_claim(user("operator"), application.id, "银行未按承诺续贷")
    assert claim.amount == M("30,145,500.00")
    return application.id, claim


@pytest.mark.both_databases
def test_an_overdue_bridge_stays_on_the_overdue_list_until_the_bank_has_paid_its_claim(flows, traveller, tmp_path):
    a, claim = claimed_bridge(flows, traveller)
    traveller.move_to("2026-11-20 09:00:00+08:00")
    liability.record_payment(user("operator"), claim.id, M("145,500.00"), clock.today(), "ICBC-QC-1")
    traveller.move_to("2026-12-02 09:00:00+08:00")

    (late,) = reporting.report(city_fund(), date(2026, 11, 1), date(2026, 11, 30)).overdue
    assert late.application_id == a
    assert (late.due, late.days_overdue, late.outstanding) == (date(2026, 11, 11), 19, M("30,000,000.00"))
    assert late.claim == (
        "2026年11月12日认定中国工商银行连云港分行承担清偿责任 30,145,500.00 元，已清偿 145,500.00 元，"
        "尚欠 30,000,000.00 元"
    )
    assert db.session.get(Application, a).state == "disbursed"  # type: ignore[union-attr]

    traveller.move_to("2026-12-03 15:00:00+08:00")
    liability.record_payment(user("operator"), claim.id, M("30,000,000.00"), clock.today(), "ICBC-QC-2")
    db.session.expire_all()
    application = db.session.get(Application, a)
    assert application is not None
    assert (application.state, application.state_shown) == ("repaid", "银行已清偿")
    assert (application.settled_by_bank_on, application.received_on) == (date(2026, 12, 3), date(2026, 12, 3))
    assert application.fee_due == M("145,500.00")  # fixed on the day of the claim, as the bank was charged it
    settled = db.session.scalars(
        select(ApplicationEvent).where(ApplicationEvent.application_id == a).order_by(ApplicationEvent.id.desc())
    ).first()
    assert settled is not None
    assert (settled.action, settled.from_state, settled.to_state) == ("settled-by-bank", "disbursed", "repaid")
    told = {
        (m.user.username, m.subject)
        for m in db.session.scalars(select(Message).where(Message.kind.in_(["settled", "settled_by_bank"])))
    }
    reference = application.reference
    assert told == {
        ("ent1", f"应急转贷 {reference} 已办结"),
        ("operator", f"银行已清偿：{reference}"),
        ("operator2", f"银行已清偿：{reference}"),
        ("group", f"银行已清偿：{reference}"),
    }

    # November as it was stays as it was; December has nothing overdue once the bank has paid
    assert [o.application_id for o in reporting.report(city_fund(), date(2026, 11, 1), date(2026, 11, 30)).overdue] == [
        a
    ]
    assert reporting.report(city_fund(), date(2026, 12, 1), date(2026, 12, 31)).overdue == []
    assert reconcile(city_fund_id()).ok

    lifecycle.archive(user("operator"), a, "立卷归档")
    statement = lifecycle.usage_statement(db.session.get(Application, a))  # type: ignore[arg-type]
    assert statement.filed_on == "2026年12月3日"
    lines = {line.label: line.value for _, section in statement.sections for line in section}
    assert lines["合作银行清偿责任（第二十三条）"] == (
        "2026年11月12日 认定中国工商银行连云港分行承担 30,145,500.00 元（本金 30,000,000.00 元、费用 145,500.00 元）"
    )
    assert lines["银行清偿（第 1 笔）"] == "2026年11月20日 145,500.00 元 · 划回凭证号 ICBC-QC-1"
    assert lines["银行清偿（第 2 笔）"] == "2026年12月3日 30,000,000.00 元 · 划回凭证号 ICBC-QC-2"
    assert lines["办结"] == "2026年12月3日 合作银行全部清偿"
    packed = audit_pack.build(city_fund_id(), 2026, tmp_path)
    with zipfile.ZipFile(packed.path) as pack:
        names = pack.namelist()
    assert any(name.startswith(f"applications/{reference}/") and "statement" in name.lower() for name in names), names
    assert db.session.scalars(select(BlacklistEntry)).all() == []


def test_the_detail_page_shows_the_bridge_settled_by_its_bank_and_offers_the_archive(client, auth, flows, traveller):
    a, claim = claimed_bridge(flows, traveller)
    liability.record_payment(user("operator"), claim.id, M("30,145,500.00"), clock.today(), "ICBC-QC-1")
    auth.login("operator")
    page = client.get(f"/applications/{a}").get_data(as_text=True)
    assert '<span class="badge text-bg-success">银行已清偿</span>' in page
    assert 'id="action-archive"' in page
    auth.login("ent1")
    assert "银行已清偿" in client.get(f"/applications/{a}").get_data(as_text=True)


def test_when_the_bank_is_liable_neither_a_long_default_nor_a_write_off_proposes_the_enterprise(flows, traveller):
    a, _ = claimed_bridge(flows, traveller)
    lifecycle.open_recovery(user("operator"), a, "督促银行清偿")
    traveller.move_to("2026-12-20 09:00:00+08:00")  # 39 days past due: a default of its own would be proposed
    assert sweep().proposed == []
    lifecycle.write_off(user("group"), a, "纪要〔2026〕9号")
    assert db.session.scalars(select(BlacklistEntry)).all() == []

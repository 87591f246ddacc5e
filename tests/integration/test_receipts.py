"""Receipts (issue 30), on both databases: a numbered 受理回执 on acceptance and on refusal (with the reason), and an
电子回单 for the disbursement, the return and the bank's claim payment — each from the record that booked it, the same
document each time, as PDF; only the application's parties get them; the audit pack keeps them.

The flow's bridge: 30,000,000.00 (叁仟万元整) out on 1 November 2026 under voucher HK-001 to ICBC's designated
account, back the same day under HS-<id>."""

from __future__ import annotations

import zipfile

import pytest
from sqlalchemy import select

from loanfund import clock
from loanfund.domain.errors import NotFound
from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import ApplicationEvent, Contributor, JournalEntry, User
from loanfund.services.applications import receipts
from loanfund.services.oversight import liability
from loanfund.services.reports import documents

pytestmark = pytest.mark.both_databases


def _user(name: str) -> User:
    return db.session.scalars(select(User).where(User.username == name)).one()


def test_acceptance_disbursement_and_return_each_have_their_receipt(flows, traveller):
    a = flows.to(State.REPAID)
    slips = receipts.for_application(_user("ent1"), a.id)
    assert [s.kind for s in slips] == ["accepted", "disbursed", "returned"]
    accept = db.session.scalars(select(ApplicationEvent).where(ApplicationEvent.action == "accept")).one()
    out = db.session.scalars(select(JournalEntry).where(JournalEntry.key == f"disbursement:{a.id}")).one()
    back = db.session.scalars(select(JournalEntry).where(JournalEntry.key.like("return:%"))).one()
    assert [s.number for s in slips] == [f"SL2026{accept.id:08d}", f"HD2026{out.id:08d}", f"HD2026{back.id:08d}"]
    accepted, disbursed, returned = (dict(s.lines) for s in slips)
    assert (slips[0].title, accepted["审核结果"], accepted["受理单位"]) == (
        "受理回执",
        "予以受理",
        a.fund.reviewing_body,
    )
    assert disbursed["金额"] == "30,000,000.00 元（人民币叁仟万元整）" and disbursed["银行凭证号"] == "HK-001"
    assert disbursed["付款方"].startswith(a.fund.account_name) and disbursed["收款方"].startswith(a.bank.account_name)
    assert disbursed["记账日期"] == "2026-11-01" and slips[1].amount == Money.parse("30,000,000.00")
    [receipt] = a.receipts
    assert slips[2].amount == receipt.principal + receipt.fee and returned["银行凭证号"] == receipt.transfer_ref
    assert returned["付款方"].startswith(a.bank.account_name)  # the money comes back through the bank
    again = receipts.for_application(_user("operator"), a.id)
    assert again == slips  # the same documents whoever asks, whenever
    pdf = documents.receipt_pdf(slips[1])
    assert pdf.startswith(b"%PDF-")


def test_a_refusal_says_why_and_a_bank_claim_payment_has_its_slip(flows, traveller):
    refused = flows.to(State.REJECTED)
    [slip] = receipts.for_application(_user("ent1"), refused.id)
    assert (slip.kind, slip.title, dict(slip.lines)["审核结果"], dict(slip.lines)["原因"]) == (
        "refused",
        "不予受理回执",
        "不予受理",
        "材料不全",
    )
    out = flows.to(State.DISBURSED)
    traveller.move_to("2026-11-12 09:00:00+08:00")  # ICBC did not renew by the 3rd
    claim = liability.record_claim(_user("operator"), out.id, "银行未按承诺续贷")
    liability.record_payment(_user("operator"), claim.id, Money.parse("1,000.00"), clock.today(), "QC-1")
    paid = [s for s in receipts.for_application(_user("bank1"), out.id) if s.kind == "claim_paid"]
    assert [(s.title, s.amount, dict(s.lines)["银行凭证号"]) for s in paid] == [
        ("电子回单（合作银行清偿）", Money.parse("1,000.00"), "QC-1")
    ]


def test_only_the_applications_parties_get_its_receipts(flows, traveller):
    a = flows.to(State.REPAID)
    for other in ("ent2", "bank2"):
        with pytest.raises(NotFound):
            receipts.for_application(_user(other), a.id)
    with pytest.raises(NotFound):
        receipts.slip(_user("ent1"), a.id, "HD202699999999")


def test_the_audit_pack_keeps_each_applications_receipts(flows, traveller, runner, tmp_path):
    a = flows.to(State.ARCHIVED)
    result = runner.invoke(args=["loanfund", "audit-pack", "2026", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "审计资料-2026.zip") as pack:
        names = [n for n in pack.namelist() if n.startswith(f"applications/{a.reference}/receipts/")]
        manifest = pack.read("MANIFEST.sha256").decode()
    numbers = [s.filename for s in receipts.of(a)]
    assert sorted(names) == sorted(f"applications/{a.reference}/receipts/{n}" for n in numbers) and len(numbers) == 3
    assert all(f"  {name}\n" in manifest for name in names)


def test_a_payment_of_distributions_has_its_slip_for_the_administrator(flows, traveller, client, auth):
    from decimal import Decimal

    from loanfund.services.books import capital
    from tests.factories import city_fund_id

    flows.to(State.REPAID)
    capital.run_distribution(city_fund_id(), clock.today(), Decimal("0.06"))
    paid = capital.pay_distributions(city_fund_id(), clock.today(), "FP-1101")
    [slip] = receipts.distribution_payments(city_fund_id())
    lines = dict(slip.lines)
    assert (slip.kind, slip.title, slip.amount, lines["银行凭证号"]) == (
        "distribution_paid",
        "电子回单（支付收益分配款）",
        paid,
        "FP-1101",
    )
    shares = [label for label, _ in slip.lines if label.startswith("分配款：")]
    contributor = db.session.scalars(select(Contributor.name)).one()  # the cast's one contributor
    assert shares == [f"分配款：{contributor}"] and "应交税费" in lines
    auth.login("admin")
    assert f"{slip.number}.pdf" in client.get("/admin/contributions").get_data(as_text=True)
    pdf = client.get(f"/admin/distributions/payments/{slip.number}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    assert client.get("/admin/distributions/payments/HD202600000000.pdf").status_code == 404
    auth.login("operator")
    assert client.get(f"/admin/distributions/payments/{slip.number}.pdf").status_code == 404

"""Bank liability (R12, 第二十三条): ICBC committed 40,000,000.00 and did not renew; ent1's 30,000,000.00 went out on
1 Nov 2026 (renewal due by 3 Nov, money due back 11 Nov). On 12 Nov, 11 days used, the fee is
30,000,000 × (2 × 0.40‰ + 9 × 0.45‰) = 145,500.00: the claim is 30,145,500.00, posted as a receivable from the bank,
settled when it pays; the books reconcile throughout and the bank is flagged for 2026."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from loanfund import clock
from loanfund.domain.errors import Conflict, RuleViolation
from loanfund.domain.ledger import CASH, FEE_INCOME, bank_claim, receivable
from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Bank, BankClaim, JournalEntry, Receipt
from loanfund.services import lifecycle
from loanfund.services.books import ledger
from loanfund.services.books.reconcile import reconcile
from loanfund.services.oversight import liability
from loanfund.services.oversight.sweep import sweep
from tests.conftest import confirmation_values, csrf_token, form_tokens
from tests.factories import city_fund_id

pytestmark = pytest.mark.both_databases
M = Money.parse


def icbc() -> Bank:
    return db.session.scalars(select(Bank).where(Bank.code == "ICBC-LYG")).one()


def claim_on_the_page(client, auth, application_id: int):  # type: ignore[no-untyped-def]
    auth.login("operator")
    page = client.get(f"/applications/{application_id}").get_data(as_text=True)
    url = f"/applications/{application_id}/bank-claim"
    shown = client.post(url, data={"basis": "银行未按承诺续贷"} | form_tokens(page, url))
    assert shown.status_code == 200 and "请确认：认定合作银行清偿责任" in shown.get_data(as_text=True)
    return page, client.post(url, data=confirmation_values(shown.get_data(as_text=True)), follow_redirects=True)


def test_a_bank_that_did_not_renew_owes_the_bridge_and_pays_it_and_the_books_agree(
    client, auth, runner, flows, traveller
):
    application = flows.to(State.DISBURSED)
    cash_before = ledger.balance(city_fund_id(), CASH)
    income_before = ledger.balance(city_fund_id(), FEE_INCOME)
    traveller.move_to("2026-11-12 09:00:00+08:00")
    auth.login("operator")
    url = f"/applications/{application.id}/bank-claim"
    shown = client.post(
        url, data=form_tokens(client.get(f"/applications/{application.id}").get_data(as_text=True), url)
    )
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", shown.get_data(as_text=True)))
    assert "由银行清偿 30,145,500.00 元 人民币叁仟零壹拾肆万伍仟伍佰元整" in words
    assert "其中本金 30,000,000.00 元 其中用款费用 145,500.00 元 认定日期 2026年11月12日" in words
    assert db.session.scalars(select(BankClaim)).all() == []  # shown, not recorded
    page, answer = claim_on_the_page(client, auth, application.id)
    assert "中国工商银行连云港分行未在 2026-11-03 前续贷（截至 2026-11-12 仍未续贷）" in page
    assert "已登记中国工商银行连云港分行的清偿责任 30,145,500.00 元" in answer.get_data(as_text=True)
    claim = db.session.scalars(select(BankClaim)).one()
    assert (claim.principal, claim.fee, claim.claimed_on.isoformat()) == (
        M("30,000,000.00"),
        M("145,500.00"),
        "2026-11-12",
    )
    assert claim.basis == "未在 2026-11-03 前续贷（截至 2026-11-12 仍未续贷）。银行未按承诺续贷"
    assert ledger.balance(city_fund_id(), receivable(application.id)) == Money.zero()
    assert ledger.balance(city_fund_id(), bank_claim(icbc().id)) == M("30,145,500.00")
    assert ledger.balance(city_fund_id(), FEE_INCOME) - income_before == M("-145,500.00")  # credit-normal: income grew
    assert reconcile(city_fund_id()).ok
    assert sweep().recorded == []  # the bridge owes nothing now: the bank does

    auth.login("bank1")
    assert "本行 2026 年度承担应急转贷清偿责任" in client.get("/home").get_data(as_text=True)
    assert "30,145,500.00" in client.get("/bank-claims").get_data(as_text=True)
    auth.login("bank2")
    assert "年度承担应急转贷清偿责任" not in client.get("/home").get_data(as_text=True)
    assert "30,145,500.00" not in client.get("/bank-claims").get_data(as_text=True)
    auth.login("admin")
    assert "2026 年度承担清偿责任：不得评优、不得享受市级财政补贴" in client.get("/admin/banks").get_data(as_text=True)

    operator = lifecycle_user("operator")
    liability.record_payment(operator, claim.id, M("145,500.00"), clock.today(), "ICBC-QC-1")
    liability.record_payment(operator, claim.id, M("30,000,000.00"), clock.today(), "ICBC-QC-2")
    db.session.expire_all()
    claim = db.session.scalars(select(BankClaim)).one()
    assert (claim.paid, claim.outstanding) == (M("30,145,500.00"), Money.zero())
    assert ledger.balance(city_fund_id(), bank_claim(icbc().id)) == Money.zero()
    assert ledger.balance(city_fund_id(), CASH) - cash_before == M("30,145,500.00")
    result = runner.invoke(args=["loanfund", "reconcile"])
    assert result.exit_code == 0, result.output
    assert "✓ 合作银行清偿款：登记未清偿 = 账簿（不符的银行数）：应为 0，实为 0" in result.output


def test_a_payment_over_what_is_owed_or_booked_twice_is_refused_next_to_the_field(client, auth, flows, traveller):
    application = flows.to(State.DISBURSED)
    traveller.move_to("2026-11-12 09:00:00+08:00")
    claim_on_the_page(client, auth, application.id)
    claim = db.session.scalars(select(BankClaim)).one()
    url = f"/bank-claims/{claim.id}/payments"
    page = client.get("/bank-claims").get_data(as_text=True)
    too_much = {"amount": "30,145,500.01", "paid_on": "2026-11-12", "transfer_ref": "QC-1"}
    answer = client.post(url, data=too_much | form_tokens(page, url))
    assert answer.status_code == 422
    assert "清偿金额超过尚未清偿的 30,145,500.00 元" in answer.get_data(as_text=True)
    page = client.get("/bank-claims").get_data(as_text=True)
    part = {"amount": "100.00", "paid_on": "2026-11-12", "transfer_ref": "QC-1", "confirmed": "1"}
    assert client.post(url, data=part | form_tokens(page, url)).status_code == 302
    page = client.get("/bank-claims").get_data(as_text=True)
    again = client.post(url, data=part | form_tokens(page, url))
    assert again.status_code == 409
    assert "划款凭证号 QC-1 已登记，同一笔划款不能重复登记" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalars(select(BankClaim)).one().paid == M("100.00")
    assert reconcile(city_fund_id()).ok


def test_once_the_bank_is_liable_no_return_is_booked_against_the_bridge(client, auth, flows, traveller):
    """The state machine found it: a return confirmed after the claim was checked against the receipts alone, so the
    bridge's receivable — moved to the bank's claim — went below nothing (1.00 credited twice over)."""
    application = flows.to(State.DISBURSED)
    traveller.move_to("2026-11-12 09:00:00+08:00")
    auth.login("operator")
    assert 'id="action-confirm-return"' in client.get(f"/applications/{application.id}").get_data(as_text=True)
    liability.record_claim(lifecycle_user("operator"), application.id, "银行未按承诺续贷")
    entries = db.session.scalar(select(db.func.count()).select_from(JournalEntry))
    with pytest.raises(Conflict) as refused:
        lifecycle.confirm_return(
            lifecycle_user("operator"), application.id, clock.today(), M("1.00"), Money.zero(), "HS-after-claim"
        )
    assert refused.value.code == "bank_claim_exists"
    assert refused.value.message == (
        "该笔应急转贷已于 2026-11-12 认定中国工商银行连云港分行承担清偿责任 30,145,500.00 元，未收回的款项由银行清偿，"
        "不再向企业登记收回；银行的付款请在清偿责任中登记"
    )
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(JournalEntry)) == entries
    assert db.session.scalars(select(Receipt)).all() == []
    assert ledger.balance(city_fund_id(), receivable(application.id)) == Money.zero()
    assert reconcile(city_fund_id()).ok
    assert 'id="action-confirm-return"' not in client.get(f"/applications/{application.id}").get_data(as_text=True)


def test_a_bank_that_renewed_on_time_and_in_full_owes_nothing(flows, traveller):
    application = flows.to(State.RENEWED)  # renewed on 1 Nov for the 40,000,000.00 committed
    traveller.move_to("2026-11-12 09:00:00+08:00")
    assert liability.claimable(application) == (False, "合作银行已按承诺按时足额续贷，不承担清偿责任")
    with pytest.raises(RuleViolation) as refused:
        liability.record_claim(lifecycle_user("operator"), application.id)
    assert refused.value.violations[0].code == "bank_not_in_breach"


def test_no_claim_while_the_money_is_not_late(flows, traveller):
    application = flows.to(State.DISBURSED)
    traveller.move_to("2026-11-05 09:00:00+08:00")  # the bank is late, but the bridge is not due until 11 Nov
    assert liability.claimable(application) == (False, "应急转贷资金未逾期未收回，不能认定合作银行清偿责任")


def test_a_renewal_for_less_than_committed_is_a_breach_too(flows, traveller):
    application = flows.to(State.DISBURSED)
    lifecycle.confirm_renewal(lifecycle_user("bank1"), application.id, "新借字9", M("35,000,000.00"), clock.today())
    traveller.move_to("2026-11-12 09:00:00+08:00")
    assert liability.claimable(db.session.get(type(application), application.id)) == (
        True,
        "承诺续贷 40,000,000.00 元，实际续贷 35,000,000.00 元",
    )


@pytest.mark.parametrize("username", ["bank1", "ent1", "group", "reviewer"])
def test_only_an_operator_records_a_claim(client, auth, flows, traveller, username):
    application = flows.to(State.DISBURSED)
    traveller.move_to("2026-11-12 09:00:00+08:00")
    url = f"/applications/{application.id}/bank-claim"
    auth.login(username)
    token = csrf_token(client.get("/home").get_data(as_text=True))
    assert client.post(url, data={"csrf_token": token, "once": "x" * 24}).status_code == 404
    assert db.session.scalars(select(BankClaim)).first() is None


def lifecycle_user(username: str):  # type: ignore[no-untyped-def]
    from loanfund.models import User

    return db.session.scalars(select(User).where(User.username == username)).one()

"""The recovery file (第二十一条): ent1's 30,000,000.00 out on 1 Nov 2026, overdue, in recovery from 12 Nov. On 12 Nov,
11 days used, the fee is 30,000,000 × (2 × 0.40‰ + 9 × 0.45‰) = 145,500.00, so 30,145,500.00 is owed. Money a measure
brings back is booked like any money back (principal first); after a write-off it is still booked, reducing the loss."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from loanfund import clock
from loanfund.domain.errors import InvalidInput
from loanfund.domain.ledger import CASH, LOSSES
from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import Application, Message, Receipt, RecoveryRecord, User
from loanfund.services.books import ledger
from loanfund.services.books.reconcile import reconcile
from loanfund.services.oversight import recovery_file
from tests.conftest import confirmation_values, form_tokens
from tests.factories import city_fund_id

pytestmark = pytest.mark.both_databases
M = Money.parse


def operator() -> User:
    return db.session.scalars(select(User).where(User.username == "operator")).one()


def post(client, url: str, data: dict[str, str], page_url: str, seen: list[str] | None = None):  # type: ignore[no-untyped-def]
    """Press the form as a person does: a refusal comes at once; otherwise its confirmation (kept in ``seen``), then
    确认."""
    page = client.get(page_url).get_data(as_text=True)
    answer = client.post(url, data=data | form_tokens(page, url))
    html = answer.get_data(as_text=True)
    if answer.status_code != 200 or 'name="confirmed"' not in html:
        return answer
    if seen is not None:
        seen.append(" ".join(re.sub(r"<[^>]+>", " ", html).split()))
    return client.post(url, data=confirmation_values(html))


def test_the_cause_goes_to_the_group_and_measures_bring_the_money_back_until_repaid(client, auth, flows, traveller):
    application = flows.to(State.RECOVERY)
    file_url = f"/applications/{application.id}/recovery"
    auth.login("operator")
    post(client, f"{file_url}/cause", {"cause": "企业主要客户拖欠货款，银行审批延误"}, file_url)
    group_inbox = db.session.scalars(
        select(Message.subject).join(User, Message.user_id == User.id).where(User.username == "group")
    ).all()
    assert f"逾期原因分析已报送：{application.reference}" in group_inbox

    measure = {
        "taken_on": "2026-11-12",
        "measure": "约谈企业，追回部分货款",
        "amount": "10,000,000.00",
        "transfer_ref": "ZC-1",
    }
    seen: list[str] = []
    assert post(client, f"{file_url}/measures", measure, file_url, seen).status_code == 302
    assert "请确认：登记追偿措施" in seen[0] and "追回金额 10,000,000.00 元 人民币壹仟万元整" in seen[0]
    assert "专用账户余额 170,000,000.00 元 → 180,000,000.00 元 （增加 10,000,000.00 元）" in seen[0]
    rest = {"taken_on": "2026-11-12", "measure": "银行续贷后划回", "amount": "20,145,500.00", "transfer_ref": "ZC-2"}
    assert post(client, f"{file_url}/measures", rest, file_url).status_code == 302
    db.session.expire_all()
    receipts = db.session.scalars(select(Receipt).where(Receipt.application_id == application.id)).all()
    assert [(r.principal, r.fee, r.transfer_ref) for r in receipts] == [
        (M("10,000,000.00"), M("0.00"), "ZC-1"),
        (M("20,000,000.00"), M("145,500.00"), "ZC-2"),
    ]
    assert db.session.get(Application, application.id).state == State.REPAID.value
    assert [(r.kind, r.amount) for r in db.session.scalars(select(RecoveryRecord))] == [
        ("cause", Money.zero()),
        ("measure", M("10,000,000.00")),
        ("measure", M("20,145,500.00")),
    ]
    assert reconcile(city_fund_id()).ok
    html = client.get(file_url).get_data(as_text=True)
    assert "企业主要客户拖欠货款，银行审批延误" in html and "20,145,500.00" in html


def test_a_bad_measure_shows_every_error_at_once_and_changes_nothing(client, auth, flows, traveller):
    application = flows.to(State.RECOVERY)
    file_url = f"/applications/{application.id}/recovery"
    auth.login("operator")
    bad = {"taken_on": "2026-11-13", "measure": "", "amount": "1.00", "transfer_ref": ""}
    answer = post(client, f"{file_url}/measures", bad, file_url)
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    for message in ("请填写追偿措施", "日期不能晚于今天", "追回资金须填写划款凭证号"):
        assert re.search(rf'class="invalid-feedback">{message}<', html), message
    too_much = {"taken_on": "2026-11-12", "measure": "追回", "amount": "30,145,500.01", "transfer_ref": "ZC-1"}
    html = post(client, f"{file_url}/measures", too_much, file_url).get_data(as_text=True)
    assert "追回金额超过尚欠的本金和用款费用 30,145,500.00 元" in html
    assert db.session.scalars(select(RecoveryRecord)).first() is None


def test_money_recovered_after_a_write_off_is_still_booked(flows, traveller):
    application = flows.to(State.WRITTEN_OFF)
    cash, losses = ledger.balance(city_fund_id(), CASH), ledger.balance(city_fund_id(), LOSSES)
    recovery_file.record_measure(operator(), application.id, clock.today(), "法院执行回款", M("1,000,000.00"), "ZX-1")
    assert ledger.balance(city_fund_id(), CASH) - cash == M("1,000,000.00")
    assert losses - ledger.balance(city_fund_id(), LOSSES) == M("1,000,000.00")
    assert reconcile(city_fund_id()).ok
    with pytest.raises(InvalidInput) as refused:
        recovery_file.record_measure(operator(), application.id, clock.today(), "再次回款", M("29,000,000.01"), "ZX-2")
    assert refused.value.errors == {"amount": ["追回金额超过核销的尚未追回本金 29,000,000.00 元"]}


@pytest.mark.parametrize(("username", "status"), [("ent1", 404), ("bank1", 404), ("reviewer", 200), ("group", 200)])
def test_the_file_is_the_platforms_to_read(client, auth, flows, traveller, username, status):
    application = flows.to(State.RECOVERY)
    auth.login(username)
    response = client.get(f"/applications/{application.id}/recovery")
    assert response.status_code == status
    if status == 200:
        assert "记录追偿措施" not in response.get_data(as_text=True)  # only operators write it

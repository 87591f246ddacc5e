"""Confirm before money moves (issue 12): a step's first press shows what it will do and changes nothing; "确认"
takes it; "返回修改" gives the form back as typed. Figures below are written out from the test cast: 200,000,000.00
contributed, 30,000,000.00 approved for 海润机械 (tests.flows)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from loanfund import clock
from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import Application, ApplicationEvent, IdempotencyKey
from loanfund.services.books import fund
from tests.conftest import confirmation_values, form_tokens
from tests.factories import city_fund_id
from tests.flows import Flows
from tests.web.test_forms import feedback


def text_of(html: str) -> str:
    """The page's words, tags removed and spaces folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def first_press(client, url: str, data: dict[str, str], page: str):  # type: ignore[no-untyped-def]
    return client.post(url, data=data | form_tokens(client.get(page).get_data(as_text=True), url))


def nothing_written() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(ApplicationEvent)),
        db.session.scalar(select(func.count()).select_from(IdempotencyKey)),
    )


def test_the_approval_shows_the_amount_in_words_and_what_it_takes_from_the_fund(client, people, auth, traveller):
    application = Flows(traveller).to(State.BANK_COMMITTED)
    page = f"/applications/{application.id}"
    auth.login("operator")
    before = nothing_written()
    shown = first_press(
        client, f"{page}/approve", {"amount": "30,000,000.00", "own_funds_confirmed": "10,000,000.00"}, page
    )
    assert shown.status_code == 200
    words = text_of(shown.get_data(as_text=True))
    assert "请确认：批准" in words
    assert "批准金额 30,000,000.00 元 人民币叁仟万元整" in words
    assert "专用账户余额 200,000,000.00 元 → 200,000,000.00 元 （不变）" in words
    assert "可用余额（扣除已预留） 200,000,000.00 元 → 170,000,000.00 元 （减少 30,000,000.00 元）" in words
    assert "办理后状态 银行已承诺 → 已批准" in words
    # looked at, not taken: no event, no reservation, the one-time token still unused
    assert nothing_written() == before
    assert db.session.get(Application, application.id).state == State.BANK_COMMITTED.value
    assert fund.position(city_fund_id()).reserved.format() == "0.00"
    done = client.post(f"{page}/approve", data=confirmation_values(shown.get_data(as_text=True)))
    assert done.status_code == 302
    assert db.session.get(Application, application.id).approved_amount.format() == "30,000,000.00"
    assert fund.position(city_fund_id()).reserved.format() == "30,000,000.00"


def test_the_disbursement_shows_the_payee_the_value_date_and_the_maker(client, people, auth, traveller):
    flows = Flows(traveller)
    application = flows.to(State.APPROVED)
    page = f"/applications/{application.id}"
    auth.login("operator")
    shown = first_press(
        client, f"{page}/prepare-disbursement", {"value_date": "2026-11-01", "transfer_ref": "HK-77"}, page
    )
    words = text_of(shown.get_data(as_text=True))
    assert "放款金额 30,000,000.00 元 人民币叁仟万元整" in words
    assert "收款账户 中国工商银行连云港分行转贷资金过渡户 1107 0201 0900 0123 456 中国工商银行连云港海州支行" in words
    assert "起息日 2026年11月1日" in words
    assert "划款凭证号 HK-77" in words
    client.post(f"{page}/prepare-disbursement", data=confirmation_values(shown.get_data(as_text=True)))
    auth.login("operator2")
    shown = first_press(client, f"{page}/authorise-disbursement", {"note": ""}, page)
    words = text_of(shown.get_data(as_text=True))
    assert "划款凭证号 HK-77 制单人 张经办" in words
    assert "专用账户余额 200,000,000.00 元 → 170,000,000.00 元 （减少 30,000,000.00 元）" in words
    assert "可用余额（扣除已预留） 170,000,000.00 元 → 170,000,000.00 元 （不变）" in words
    assert "复核后资金即从专用账户划出，不能撤销。" in words
    assert db.session.get(Application, application.id).state == State.APPROVED.value
    assert fund.position(city_fund_id()).cash.format() == "200,000,000.00"


def test_a_confirmation_pressed_twice_books_once(client, people, auth, traveller):
    application = Flows(traveller).to(State.RENEWED)
    page = f"/applications/{application.id}"
    auth.login("bank1")
    body = {"received_on": clock.today().isoformat(), "principal": "30,000,000.00", "fee": "12,000.00"}
    shown = first_press(client, f"{page}/confirm-return", body | {"transfer_ref": "HS-9"}, page)
    words = text_of(shown.get_data(as_text=True))
    assert "本次收回 30,012,000.00 元 人民币叁仟零壹万贰仟元整" in words
    assert "其中本金 30,000,000.00 元 其中用款费用 12,000.00 元" in words
    assert "收回日期 2026年11月1日" in words
    assert "专用账户余额" not in words and "可用余额" not in words  # the fund's position is not the bank's
    values = confirmation_values(shown.get_data(as_text=True))
    assert client.post(f"{page}/confirm-return", data=values).status_code == 302
    again = client.post(f"{page}/confirm-return", data=values, follow_redirects=True)
    assert "该表单已经提交并办理，本次重复提交未再办理。" in again.get_data(as_text=True)
    assert [r.transfer_ref for r in db.session.get(Application, application.id).receipts] == ["HS-9"]


def test_revising_gives_the_form_back_as_typed(client, people, auth, traveller):
    application = Flows(traveller).to(State.BANK_COMMITTED)
    page = f"/applications/{application.id}"
    auth.login("operator")
    typed = {"amount": "30,000,000.00", "own_funds_confirmed": "10,000,000.00", "note": "按承诺额度批准"}
    shown = first_press(client, f"{page}/approve", typed, page)
    assert "审批意见 按承诺额度批准" in text_of(shown.get_data(as_text=True))
    values = confirmation_values(shown.get_data(as_text=True))
    del values["confirmed"]
    back = client.post(f"{page}/approve", data=values | {"revise": "1"})
    assert back.status_code == 200
    html = back.get_data(as_text=True)
    assert re.search(r'name="amount"[^>]*value="30,000,000.00"', html)
    assert re.search(r'name="note"[^>]*>\s*按承诺额度批准</textarea>', html)
    assert "is-invalid" not in html
    assert db.session.get(Application, application.id).state == State.BANK_COMMITTED.value


def test_a_refusal_comes_before_any_confirmation(client, people, auth, traveller):
    application = Flows(traveller).to(State.BANK_COMMITTED)
    page = f"/applications/{application.id}"
    auth.login("operator")
    before = nothing_written()
    refused = first_press(
        client, f"{page}/approve", {"amount": "32,000,000.01", "own_funds_confirmed": "10,000,000.00"}, page
    )
    assert refused.status_code == 422
    assert 'id="confirmation"' not in refused.get_data(as_text=True)
    assert nothing_written() == before


def test_withdrawing_says_it_cannot_be_undone(client, people, auth, traveller):
    application = Flows(traveller).to(State.ACCEPTED)
    page = f"/applications/{application.id}"
    auth.login("ent1")
    shown = first_press(client, f"{page}/withdraw", {"reason": "已自筹到位"}, page)
    html = shown.get_data(as_text=True)
    assert "撤回后申请即终止，不能恢复；如仍需资金须重新申请。" in text_of(html)
    assert re.search(r'class="btn btn-danger" id="confirm-button">确认撤回<', html)
    assert "专用账户余额" not in text_of(html)
    client.post(f"{page}/withdraw", data=confirmation_values(html))
    assert db.session.get(Application, application.id).state == State.WITHDRAWN.value


def test_the_prepare_form_names_a_future_date_and_a_missing_reference_at_once(client, people, auth, traveller):
    """Issue 12: the prepare form reported a future value date only after the voucher was filled in."""
    application = Flows(traveller).to(State.APPROVED)
    page = f"/applications/{application.id}"
    auth.login("operator")
    before = nothing_written()
    refused = first_press(
        client, f"{page}/prepare-disbursement", {"value_date": "2026-11-05", "transfer_ref": ""}, page
    )
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert feedback(html, "value_date") == ["起息日不能晚于今天（2026-11-01）"]
    assert feedback(html, "transfer_ref") == ["请填写划款凭证号"]
    assert "共 2 处需修改" in html
    assert nothing_written() == before

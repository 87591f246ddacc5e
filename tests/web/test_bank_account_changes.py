"""The pages for a change of a bank's designated account: proposed on the bank's page, confirmed by someone else."""

from __future__ import annotations

import re

from sqlalchemy import select

from loanfund.extensions import db
from loanfund.models import Bank
from tests.conftest import confirmation_values, form_tokens
from tests.web.test_forms import post_form

BANK = {
    "code": "ICBC-LYG",
    "name": "中国工商银行连云港分行",
    "agreement_no": "LYG-ZD-2025-001",
    "agreement_start": "2019-01-01",
    "agreement_end": "2028-12-31",
    "account_name": "中国工商银行连云港分行转贷专户",
    "account_no": "1107 0201 0900 9999 000",
    "account_bank": "工行新浦支行",
    "officer_name": "王立新",
    "officer_phone": "0518-8521 0001",
}


def icbc() -> Bank:
    return db.session.scalar(select(Bank).where(Bank.code == "ICBC-LYG"))  # type: ignore[return-value]


def test_an_account_change_is_proposed_by_one_and_confirmed_by_another(client, people, auth):
    bank_id = icbc().id
    auth.login("admin")
    saved = post_form(client, f"/admin/banks/{bank_id}", BANK)
    assert saved.status_code == 302
    page = client.get("/admin/banks").get_data(as_text=True)
    assert "指定账户变更已提交，须由另一名管理员或运营人员确认后生效；此前放款仍划入原账户。" in page
    assert "待确认变更为：中国工商银行连云港分行转贷专户，工行新浦支行 1107 0201 0900 9999 000" in page
    assert icbc().account_no == "1107 0201 0900 0123 456"
    own = client.get("/bank-accounts").get_data(as_text=True)
    assert "待另一人确认" in own and "确认生效" not in own

    auth.login("operator")
    page = client.get("/bank-accounts").get_data(as_text=True)
    assert "确认生效" in page
    [action] = [a for a in ("/bank-accounts/1",) if f'action="{a}"' in page]
    shown = client.post(action, data=form_tokens(page, action) | {"confirm": "yes", "note": "已电话核实"})
    words = " ".join(re.sub(r"<[^>]+>", " ", shown.get_data(as_text=True)).split())
    assert "请确认：变更指定账户" in words and "新账户" in words and "1107 0201 0900 9999 000" in words
    assert icbc().account_no == "1107 0201 0900 0123 456"  # shown, not yet changed
    response = client.post(action, data=confirmation_values(shown.get_data(as_text=True)))
    assert response.status_code == 302
    done = client.get("/bank-accounts").get_data(as_text=True)
    assert "中国工商银行连云港分行的指定账户已变更为 1107 0201 0900 9999 000，此后放款划入新账户" in done
    assert "已确认" in done and "已电话核实" in done
    assert icbc().account_no == "1107 0201 0900 9999 000"


def test_the_review_page_is_not_there_for_other_roles(client, people, auth):
    for username in ("reviewer", "group", "bank1", "ent1"):
        auth.login(username)
        assert client.get("/bank-accounts").status_code == 404
        assert client.post("/bank-accounts/1", data={}).status_code in (400, 404)

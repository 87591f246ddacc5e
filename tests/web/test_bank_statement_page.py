"""The bank statement as the operator, the group and the administrator meet it (issue 29): the page and the API over
the month of ``tests/integration/test_bank_statement.py`` (its file and its figures)."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from loanfund.extensions import db
from loanfund.models import StatementLine, StatementMatch
from tests.conftest import form_tokens
from tests.integration.test_bank_statement import MONTH, _csv, _month
from tests.web.test_confirmations import text_of
from tests.web.test_forms import feedback

PAGE = "/fund/bank-statement?month=2026-11"


def _upload(client, data: bytes, name: str = "2026-11.csv", fmt: str = "工商银行网银明细"):  # type: ignore[no-untyped-def]
    url = "/fund/bank-statement/imports?month=2026-11"
    tokens = form_tokens(client.get(PAGE).get_data(as_text=True), url)
    return client.post(
        url,
        data={**tokens, "bank_format": fmt, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_the_operator_imports_the_month_and_sees_every_day_reconciled(client, auth, people, traveller):
    _month(traveller)
    auth.login("operator")
    words = text_of(client.get(PAGE).get_data(as_text=True))
    assert "本月尚未导入专用账户对账单" in words
    done = _upload(client, _csv(*MONTH))
    assert done.status_code == 302 and done.headers["Location"].endswith("/fund/bank-statement?month=2026-11")
    words = text_of(client.get(PAGE).get_data(as_text=True))
    assert "已导入 2026-11.csv：读取 7 笔，新增 7 笔，已有 0 笔，自动对账 7 笔" in words
    assert "未对平的日子（天） 0 / 24" in words
    assert "2026-11-05 30,037,500.00 0.00 30,037,500.00 0.00 200,042,500.00 200,042,500.00 0.00 — 已对平" in words
    again = _upload(client, _csv(*MONTH))
    assert again.status_code == 302
    assert "读取 7 笔，新增 0 笔，已有 7 笔，自动对账 0 笔" in text_of(client.get(PAGE).get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(StatementLine)) == 7


def test_a_bad_file_is_refused_with_every_problem_next_to_the_field(client, auth, people, traveller):
    _month(traveller)
    auth.login("operator")
    bad = _upload(client, _csv("2026-13-05,1.00,,对方,摘要,1.00", "2026-11-06,,,对方,摘要,1.00"))
    assert bad.status_code == 422
    assert feedback(bad.get_data(as_text=True), "file") == [
        "第 4 行「交易日期」：无法识别的日期 2026-13-05",
        "第 5 行「收入金额」：收入、支出金额均为空",
    ]
    assert db.session.scalar(select(func.count()).select_from(StatementLine)) == 0


def test_a_line_is_matched_by_hand_with_a_reason_and_undone(client, auth, people, traveller):
    _month(traveller)
    auth.login("operator")
    other_ref = [*MONTH[:5], "2026-11-20,5000000.00,,东海县财政局,县财政拨款,197064000.00", *MONTH[6:]]
    _upload(client, _csv(*other_ref))
    html = client.get(PAGE).get_data(as_text=True)
    assert "金额、日期相同，凭证号不同：银行 县财政拨款，账面 CZ-1120" in text_of(html)
    line = db.session.scalar(select(StatementLine.id).where(StatementLine.reference == "县财政拨款"))
    url = f"/fund/bank-statement/lines/{line}/match?month=2026-11"
    tokens = {f"m{line}-{k}": v for k, v in form_tokens(html, url).items()}
    [entry_option] = re.findall(r'<option value="(\d+)"', html.split(url)[1].split("</form>")[0])
    refused = client.post(url, data=tokens | {f"m{line}-entry_id": entry_option, f"m{line}-reason": ""})
    assert refused.status_code == 422
    assert feedback(refused.get_data(as_text=True), f"m{line}-reason") == ["人工对账须写明理由"]
    done = client.post(url, data=tokens | {f"m{line}-entry_id": entry_option, f"m{line}-reason": "摘要未写凭证号"})
    assert done.status_code == 302
    words = text_of(client.get(PAGE).get_data(as_text=True))
    assert "已人工对账" in words and "未对平的日子（天） 0 / 24" in words and "人工：摘要未写凭证号" in words
    match = db.session.scalar(select(StatementMatch.id).where(StatementMatch.how == "hand"))
    url = f"/fund/bank-statement/matches/{match}/undo?month=2026-11"
    tokens = {f"u{match}-{k}": v for k, v in form_tokens(client.get(PAGE).get_data(as_text=True), url).items()}
    assert client.post(url, data=tokens | {f"u{match}-reason": "对错了"}).status_code == 302
    assert "未对平的日子（天） 1 / 24" in text_of(client.get(PAGE).get_data(as_text=True))


def test_the_group_reads_without_the_forms(client, auth, people, traveller):
    _month(traveller)
    auth.login("group")
    html = client.get(PAGE).get_data(as_text=True)
    assert "专用账户银行对账 · 2026-11" in text_of(html)
    assert "导入并自动对账" not in html and "/fund/bank-statement/imports" not in html
    assert client.get("/fund/bank-statement?month=2026-13").status_code == 404


def test_the_administrator_keeps_the_formats(client, auth, people, traveller):
    auth.login("admin")
    url = "/admin/bank-formats"
    tokens = form_tokens(client.get(url).get_data(as_text=True), url)
    bad = client.post(url, data=tokens | {"name": "工行", "kind": "table", "credit": "收入"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert feedback(html, "date") == ["请填写交易日期所在列的列名"]
    assert feedback(html, "credit") == ["请填写收入、支出金额两列的列名，或只填写一列有正负号的发生额"]
    tokens = form_tokens(client.get(url).get_data(as_text=True), url)
    made = client.post(url, data=tokens | {"name": "工行", "kind": "table", "date": "交易日期", "amount": "发生额"})
    assert made.status_code == 302
    assert "交易日期：交易日期；发生额（收入为正、支出为负）：发生额" in text_of(client.get(url).get_data(as_text=True))

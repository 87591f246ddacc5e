"""The 台账 import as the administrator meets it (issue 29): the template, a file checked with every problem listed and
nothing written, a clean file shown for confirmation with its total in 大写, imported on the confirmed press of the same
file with its progress streamed, and the import's record on the page. Rows from
``tests/integration/test_ledger_import.py``: rows 0–4 are 100,000.00 … 500,000.00 out on 1–5 January 2020 for 2, 3, 4,
5 and 2 days — fees 80.00, 250.00, 510.00, 860.00 and 400.00 (0.40‰ a day for 2 days, 0.45‰ beyond)."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from loanfund.extensions import db
from loanfund.models import Application, AuditRecord, LedgerImport
from tests.conftest import form_tokens
from tests.integration.test_ledger_import import HEADER, _rows_with_errors, row, workbook
from tests.web.test_confirmations import text_of

PAGE = "/admin/ledger-import"


def _send(client, data: bytes, *, confirmed: str = "", checked: str = ""):  # type: ignore[no-untyped-def]
    tokens = form_tokens(client.get(PAGE).get_data(as_text=True), PAGE)
    form = {**tokens, "file": (io.BytesIO(data), "台账2020.xlsx")}
    if confirmed:
        form |= {"confirmed": confirmed, "checked": checked}
    return client.post(PAGE, data=form, content_type="multipart/form-data")


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))  # type: ignore[no-any-return]


def test_the_template_has_the_documented_columns(client, auth, people):
    auth.login("admin")
    words = text_of(client.get(PAGE).get_data(as_text=True))
    assert "尚无导入记录" in words and "收取用款费用（元） 按当时政策、实际用款天数计算" in words
    sent = client.get(f"{PAGE}/template.xlsx")
    assert sent.status_code == 200 and sent.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(sent.data), read_only=True).worksheets[0]
    rows = [[cell for cell in values if cell is not None] for values in sheet.iter_rows(values_only=True)]
    assert HEADER in rows


def test_a_file_with_problems_lists_every_one_by_row_and_column_and_writes_nothing(client, auth, people):
    auth.login("admin")
    before = (_count(Application), _count(AuditRecord), _count(LedgerImport))
    answer = _send(client, workbook(_rows_with_errors()))
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    words = text_of(html)
    assert "读取 200 行 可导入 196 笔（有问题，整份不导入）" in words
    assert "问题（4 处）" in words
    assert "14 合作银行 “某农村商业银行”不是本资金的合作银行" in words
    assert "124 续贷日期 续贷日期早于放款日期 2020-07-09" in words
    assert 'name="confirmed"' not in html
    assert (_count(Application), _count(AuditRecord), _count(LedgerImport)) == before


def test_a_clean_file_is_confirmed_then_imported_with_its_progress_and_recorded(client, auth, people, traveller):
    auth.login("admin")
    data = workbook([row(n) for n in range(5)])
    before = _count(Application)
    first = _send(client, data)
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    words = text_of(html)
    assert "请确认：导入往年台账 5 笔业务" in words
    assert "转贷金额合计 1,500,000.00 元 人民币壹佰伍拾万元整" in words
    assert "用款费用合计 2,100.00 元（人民币贰仟壹佰元整）" in words
    assert "放款日期 2020-01-01 至 2020-01-05" in words
    assert _count(Application) == before and _count(LedgerImport) == 0
    checked = re.search(r'name="checked" type="hidden" value="([0-9a-f]{64})"', html)
    assert checked is not None
    other = _send(client, workbook([row(n) for n in range(6)]), confirmed="1", checked=checked.group(1))
    assert "请确认：导入往年台账 6 笔业务" in text_of(other.get_data(as_text=True))  # not the file checked: again
    assert _count(Application) == before
    done = _send(client, data, confirmed="1", checked=checked.group(1))
    html = done.get_data(as_text=True)
    assert done.status_code == 200
    assert html.count("<progress") == 5  # a step a percent: 5 bridges, 20 % each
    words = text_of(html)
    assert "已写入 5 / 5 笔（100%）" in words
    assert "已导入：新增 5 笔，此前已导入 0 笔。" in words
    assert "转贷金额合计 1,500,000.00 元，用款费用合计 2,100.00 元，放款日期 2020-01-01 至 2020-01-05。" in words
    db.session.expire_all()
    assert _count(Application) == before + 5
    words = text_of(client.get(PAGE).get_data(as_text=True))
    assert "台账2020.xlsx 5 5 0 0 已导入" in words
    again = _send(client, data)
    words = text_of(again.get_data(as_text=True))
    assert "可导入 0 笔" in words and "此前已导入 5 笔（跳过）" in words
    assert 'name="confirmed"' not in again.get_data(as_text=True)


def test_only_the_administrator_sees_the_page(client, auth, people):
    for username in ("operator", "group", "bank1", "ent1"):
        auth.login(username)
        assert client.get(PAGE).status_code == 404
        assert client.get(f"{PAGE}/template.xlsx").status_code == 404

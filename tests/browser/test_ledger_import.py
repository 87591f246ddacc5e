"""The 台账 import in a real browser on a real server (issue 29): the sample checked, confirmed with the same file,
its progress streamed and the result shown — each page through axe at 1366 and 390 px."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import accessible
from tests.browser.test_walkthrough import login

pytestmark = pytest.mark.browser

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "ledger-import-sample.xlsx"


def test_the_administrator_imports_the_sample(page, live_server):  # type: ignore[no-untyped-def]
    login(page, live_server, "admin")
    page.click("text=往年台账导入")
    page.wait_for_url(re.compile(r"/admin/ledger-import$"))
    accessible(page)
    page.set_input_files("#file", str(SAMPLE))
    page.click("button:has-text('检查台账')")
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "请确认：导入往年台账 24 笔业务"
    assert "人民币叁亿肆仟贰佰壹拾贰万元整" in page.content()
    accessible(page)
    page.set_input_files("#file", str(SAMPLE))
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("#import-result")
    assert page.locator(".lf-step:visible").count() == 1  # the progress lines give way to the result
    assert "已导入：新增 24 笔，此前已导入 0 笔。" in page.locator("#import-result").inner_text()
    accessible(page)
    page.click("text=返回台账导入")
    page.wait_for_url(re.compile(r"/admin/ledger-import$"))
    assert "ledger-import-sample.xlsx" in page.locator("table").first.inner_text()

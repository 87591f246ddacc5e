"""A receipt in a real browser (issue 30): the operator opens a bridge out, finds its 回执与回单 and downloads the
电子回单 of the disbursement as a PDF; the page through axe at both widths."""

from __future__ import annotations

import sqlite3

import pytest

from tests.browser.conftest import accessible, shoot
from tests.browser.test_walkthrough import login

pytestmark = pytest.mark.browser


def test_the_disbursement_slip_is_downloaded(page, busy_server, tmp_path):  # type: ignore[no-untyped-def]
    with sqlite3.connect(tmp_path / "browser.db") as database:
        (application_id,) = database.execute(
            "SELECT application_id FROM journal_entries WHERE key LIKE 'disbursement:%' ORDER BY id DESC LIMIT 1"
        ).fetchone()
    login(page, busy_server, "operator")
    page.goto(f"{busy_server}/applications/{application_id}")
    card = page.locator("#receipts")
    assert "电子回单（应急转贷资金放款）" in card.inner_text()
    accessible(page)
    shoot(page, "12-receipts")
    with page.expect_download() as started:
        card.locator("tr:has-text('电子回单（应急转贷资金放款）') a").click()
    download = started.value
    assert download.suggested_filename.startswith("HD") and download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

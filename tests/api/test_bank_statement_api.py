"""The bank statement over the API (issue 29): a multipart import, the month bank against books, an undo with its
reason, matching again — the figures of ``tests/integration/test_bank_statement.py``."""

from __future__ import annotations

import io

from sqlalchemy import select

from loanfund.extensions import db
from loanfund.models import StatementMatch
from tests.integration.test_bank_statement import MONTH, _csv, _month


def test_the_api_imports_reads_matches_and_undoes(api, traveller):
    _month(traveller)
    sent = api.client.post(
        "/api/v1/bank-statement/imports",
        data={"bank_format": "工商银行网银明细", "file": (io.BytesIO(_csv(*MONTH[:2])), "11.csv")},
        headers=api.headers("operator"),
        content_type="multipart/form-data",
    )
    assert sent.status_code == 201, sent.get_json()
    body = sent.get_json()
    assert (body["lines_read"], body["lines_added"], body["matched"], body["period_start"]) == (2, 2, 2, "2026-11-02")
    standing = api.get("group", "/bank-statement?start=2026-11-01&end=2026-11-30").get_json()
    assert (standing["lines"], standing["matched"], standing["reconciled"]) == (2, 2, True)
    assert standing["days"][0] | {} == {
        "day": "2026-11-02",
        "bank_in": "0.00",
        "bank_out": "30000000.00",
        "books_in": "0.00",
        "books_out": "30000000.00",
        "bank_closing": "170005000.00",
        "books_closing": "170005000.00",
        "difference": "0.00",
        "unmatched_lines": 0,
        "unmatched_movements": 0,
        "reconciled": True,
    }
    refused = api.client.post(
        "/api/v1/bank-statement/imports",
        data={"bank_format": "工商银行网银明细", "file": (io.BytesIO(b"\x00\x01\x02bad"), "11.csv")},
        headers=api.headers("operator"),
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422 and refused.headers["Content-Type"] == "application/problem+json"
    assert refused.get_json()["errors"] == {"file": ["文件：文件不是文本表格（.csv）"]}
    match = db.session.scalar(select(StatementMatch.id).order_by(StatementMatch.id))
    unnamed = api.post("operator", f"/bank-statement/matches/{match}/undo", {"reason": " "})
    assert (unnamed.status_code, unnamed.get_json()["errors"]) == (422, {"reason": ["撤销对账须写明理由"]})
    undone = api.post("operator", f"/bank-statement/matches/{match}/undo", {"reason": "核对有误"})
    assert (undone.status_code, undone.get_json()["undo_reason"]) == (200, "核对有误")
    assert api.post("operator", "/bank-statement/rematch", {"start": "2026-11-01", "end": "2026-11-30"}).get_json() == {
        "matched": 1
    }
    assert api.post("group", "/bank-statement/rematch", {"start": "2026-11-01", "end": "2026-11-30"}).status_code == 403

"""The 台账 import over the API (issue 29): a check that writes nothing, an import, a refusal with every problem as
``application/problem+json`` (recorded), the records; the administrator's only. Rows of
``tests/integration/test_ledger_import.py`` (rows 0–4: 1,500,000.00 out, 2,100.00 of fees)."""

from __future__ import annotations

import io

from loanfund.models import Application
from tests.integration.test_ledger_import import _rows_with_errors, count, row, workbook


def _post(api, url: str, data: bytes, username: str = "admin", **form: str):  # type: ignore[no-untyped-def]
    return api.client.post(
        f"/api/v1{url}",
        data={"file": (io.BytesIO(data), "台账2020.xlsx"), **form},
        headers=api.headers(username),
        content_type="multipart/form-data",
    )


def test_check_import_refuse_and_records(api, traveller):
    clean = workbook([row(n) for n in range(5)])
    checked = _post(api, "/ledger-imports/check", clean)
    assert checked.status_code == 200, checked.get_json()
    assert checked.get_json() == {
        "rows_read": 5,
        "importable": 5,
        "created": 5,
        "skipped": 0,
        "refused": 0,
        "amount": "1500000.00",
        "fees": "2100.00",
        "problems": [],
    }
    assert count(Application, Application.imported_key.is_not(None)) == 0
    done = _post(api, "/ledger-imports", clean)
    assert done.status_code == 201, done.get_json()
    body = done.get_json()
    assert (body["outcome"], body["rows_read"], body["rows_created"], body["rows_skipped"]) == ("imported", 5, 5, 0)
    assert count(Application, Application.imported_key.is_not(None)) == 5
    refused = _post(api, "/ledger-imports", workbook(_rows_with_errors()))
    assert refused.status_code == 422 and refused.headers["Content-Type"] == "application/problem+json"
    assert refused.get_json()["errors"]["file"][1] == "第 14 行「合作银行」：“某农村商业银行”不是本资金的合作银行"
    assert len(refused.get_json()["errors"]["file"]) == 4
    listed = api.get("admin", "/ledger-imports").get_json()["items"]
    assert [(r["outcome"], r["rows_created"], r["rows_refused"]) for r in listed] == [
        ("refused", 0, 4),
        ("imported", 5, 0),
    ]
    flagged = _post(api, "/ledger-imports/check", clean, row_by_row="maybe")
    assert (flagged.status_code, flagged.get_json()["errors"]) == (422, {"row_by_row": ["只能是 true 或 false"]})
    assert _post(api, "/ledger-imports", clean, username="operator").status_code == 403
    assert api.get("group", "/ledger-imports").status_code == 403

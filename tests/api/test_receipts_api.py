"""Receipts over the API (issue 30): the list with each one's lines and download link, the PDF; another enterprise
gets nothing."""

from __future__ import annotations

from loanfund.domain.lifecycle import State


def test_the_api_lists_them_with_their_links(api, flows, traveller):
    a = flows.to(State.REPAID)
    items = api.get("ent1", f"/applications/{a.id}/receipts").get_json()["items"]
    assert [i["kind"] for i in items] == ["accepted", "disbursed", "returned"]
    disbursed = items[1]
    assert disbursed["amount"] == "30000000.00" and disbursed["issued_on"] == "2026-11-01"
    assert {"label": "银行凭证号", "text": "HK-001"} in disbursed["lines"]
    assert disbursed["download"] == f"/api/v1/applications/{a.id}/receipts/{disbursed['number']}.pdf"
    pdf = api.client.get(disbursed["download"], headers=api.headers("bank1"))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    assert api.get("ent2", f"/applications/{a.id}/receipts").status_code == 404

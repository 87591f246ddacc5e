"""Receipts on the application's page (issue 30): the enterprise and the bank find its 受理回执 and 电子回单 listed and
download each as a PDF; another enterprise gets nothing."""

from __future__ import annotations

from loanfund.domain.lifecycle import State
from loanfund.services.applications import receipts
from tests.web.test_confirmations import text_of


def test_the_parties_list_and_download_the_receipts(client, auth, flows, traveller):
    a = flows.to(State.REPAID)
    auth.login("ent1")
    words = text_of(client.get(f"/applications/{a.id}").get_data(as_text=True))
    assert "回执与回单" in words and "电子回单（应急转贷资金放款）" in words and "30,000,000.00" in words
    number = receipts.of(a)[1].number
    pdf = client.get(f"/applications/{a.id}/receipts/{number}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    assert client.get(f"/applications/{a.id}/receipts/HD202600000000.pdf").status_code == 404
    auth.login("ent2")
    assert client.get(f"/applications/{a.id}/receipts/{number}.pdf").status_code == 404

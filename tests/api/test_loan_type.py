"""R16 (第三条; issue 24): the fund serves the renewal of 流动资金贷款; a project loan and 表外融资 — 委托贷款,
信托贷款, 未贴现的银行承兑汇票 — are refused in the article's words, on the web form, through the API and in the
service; the list is a parameter of the policy version (a county's rules may add project loans). The kind is on the
application, its statement, the list's filters and export, and the monthly analysis."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
import pytest
from sqlalchemy import select

from loanfund import clock
from loanfund.domain.errors import RuleViolation
from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.domain.policy import LIANYUNGANG_2018, LoanType
from loanfund.domain.rules import loan_type_violation
from loanfund.extensions import db
from loanfund.models import Application, Bank
from loanfund.services import lifecycle
from loanfund.services.reports import reporting
from tests.api.test_lifecycle_api import APPLY, bank_id
from tests.factories import city_fund
from tests.web.test_forms import APPLY as FORM
from tests.web.test_forms import feedback, post_form

WORKING_CAPITAL_ONLY = "应急转贷资金用于流动资金贷款的转贷"


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("working_capital", None),
        ("project", f"项目贷款不在应急转贷资金支持范围内（第三条）；{WORKING_CAPITAL_ONLY}"),
        ("entrusted", f"委托贷款属于金融机构表外融资，不适用本办法（第三条）；{WORKING_CAPITAL_ONLY}"),
        ("trust", f"信托贷款属于金融机构表外融资，不适用本办法（第三条）；{WORKING_CAPITAL_ONLY}"),
        (
            "undiscounted_acceptance",
            f"未贴现的银行承兑汇票属于金融机构表外融资，不适用本办法（第三条）；{WORKING_CAPITAL_ONLY}",
        ),
    ],
)
def test_only_working_capital_loans_are_renewed_under_the_2018_rules(kind: str, message: str | None) -> None:
    violation = loan_type_violation(LIANYUNGANG_2018, kind)
    assert (violation.message if violation else None) == message
    if violation:
        assert (violation.rule, violation.code, violation.field) == ("R16", "loan_type_excluded", "loan_type")


def test_a_county_that_serves_project_loans_says_so_in_its_policy() -> None:
    from dataclasses import replace

    county = replace(LIANYUNGANG_2018, loan_types=(LoanType.WORKING_CAPITAL, LoanType.PROJECT))
    assert loan_type_violation(county, "project") is None
    assert loan_type_violation(county, "trust").message == (  # type: ignore[union-attr]
        "信托贷款属于金融机构表外融资，不适用本办法（第三条）；应急转贷资金用于流动资金贷款、项目贷款的转贷"
    )
    stored = county.to_dict()
    assert stored["loan_types"] == ["working_capital", "project"]
    assert type(county).from_dict(stored) == county
    del stored["loan_types"]  # a version stored before R16
    assert type(county).from_dict(stored).loan_types == (LoanType.WORKING_CAPITAL,)


@pytest.mark.both_databases
def test_the_service_refuses_a_trust_loan_and_keeps_a_working_capital_one(flows) -> None:
    with pytest.raises(RuleViolation) as refused:
        lifecycle.submit_application(flows.user("ent1"), _input(flows, "trust"))
    assert [v.code for v in refused.value.violations] == ["loan_type_excluded"]
    db.session.rollback()
    application = lifecycle.submit_application(flows.user("ent1"), _input(flows, "working_capital"))
    assert (application.loan_type, application.loan_type_label) == ("working_capital", "流动资金贷款")


def _input(flows, kind: str) -> lifecycle.ApplicationInput:  # type: ignore[no-untyped-def]
    icbc = db.session.scalars(select(Bank).where(Bank.code == "ICBC-LYG")).one()
    return lifecycle.ApplicationInput(
        bank_id=icbc.id,
        loan_contract_no="借字R16",
        loan_amount_due=Money.parse("10,000,000.00"),
        loan_due_date=clock.today() + timedelta(days=2),
        loan_overdue=False,
        requested_amount=Money.parse("8,000,000.00"),
        requested_days=3,
        own_funds=Money.parse("2,000,000.00"),
        purpose="转贷",
        loan_type=kind,
    )


def test_the_form_names_the_excluded_kind_next_to_its_field(client, auth, people) -> None:
    auth.login("ent1")
    page = client.get("/applications/new").get_data(as_text=True)
    assert '<option selected value="working_capital">流动资金贷款</option>' in page
    assert "应急转贷资金用于流动资金贷款的转贷；项目贷款和表外融资不适用（第三条）" in page
    refused = post_form(client, "/applications/new", FORM | {"loan_type": "project"})
    assert refused.status_code == 422
    assert feedback(refused.get_data(as_text=True), "loan_type") == [
        f"项目贷款不在应急转贷资金支持范围内（第三条）；{WORKING_CAPITAL_ONLY}"
    ]
    assert db.session.scalars(select(Application)).all() == []


@pytest.mark.both_databases
def test_the_api_takes_the_kind_and_refuses_off_balance_financing(api, traveller) -> None:
    refused = api.post("ent1", "/applications", APPLY | {"bank_id": bank_id(api), "loan_type": "entrusted"})
    assert refused.status_code == 422
    assert [(v["rule"], v["code"]) for v in refused.get_json()["violations"]] == [("R16", "loan_type_excluded")]
    unknown = api.post("ent1", "/applications", APPLY | {"bank_id": bank_id(api), "loan_type": "mortgage"})
    assert unknown.status_code == 422 and unknown.get_json()["errors"] == {"loan_type": ["未知贷款种类：mortgage"]}
    made = api.post("ent1", "/applications", APPLY | {"bank_id": bank_id(api)})  # working capital unless said
    assert made.status_code == 201
    assert (made.get_json()["loan_type"], made.get_json()["loan_type_label"]) == ("working_capital", "流动资金贷款")
    listed = api.get("operator", "/applications?loan_type=working_capital").get_json()
    assert listed["total"] == 1
    assert api.get("operator", "/applications?loan_type=project").get_json()["total"] == 0


def test_the_statement_the_list_and_the_report_name_the_kind(client, auth, flows, traveller) -> None:
    application = flows.to(State.REPAID)
    statement = lifecycle.usage_statement(db.session.get(Application, application.id))  # type: ignore[arg-type]
    lines = {line.label: line.value for _, section in statement.sections for line in section}
    assert lines["贷款种类"] == "流动资金贷款"
    auth.login("operator")
    page = client.get("/applications?loan_type=project").get_data(as_text=True)
    assert application.reference not in page
    page = client.get("/applications?loan_type=working_capital").get_data(as_text=True)
    assert application.reference in page
    book = openpyxl.load_workbook(io.BytesIO(client.get("/applications/export.xlsx").data))
    header = [c.value for c in book["申请清单"][4]]
    row = [c.value for c in book["申请清单"][5]]
    assert row[header.index("贷款种类")] == "流动资金贷款"
    report = reporting.report(city_fund(), date(2026, 11, 1), date(2026, 11, 30))
    (line,) = report.breakdown("loan_type").lines
    assert (line.label, line.submitted, line.disbursed_count) == ("流动资金贷款", 1, 1)


def test_the_administrator_sets_the_kinds_a_new_policy_version_serves(client, auth, flows, traveller) -> None:
    import re
    from html import unescape

    from werkzeug.datastructures import MultiDict

    from tests.conftest import form_tokens
    from tests.web.test_forms import NEW_POLICY

    auth.login("admin")
    typed = NEW_POLICY | {"loan_types": ["working_capital", "project"]}  # from 2 November 2026
    shown = client.post(
        "/admin/policies",
        data=typed | form_tokens(client.get("/admin/policies").get_data(as_text=True), "/admin/policies"),
    )
    html = shown.get_data(as_text=True)
    assert "受理的贷款种类 流动资金贷款、项目贷款" in " ".join(re.sub(r"<[^>]+>", " ", html).split())
    form = re.search(r'<form method="post"[^>]*>(.*?)</form>', html[html.index('id="confirmation"') :], flags=re.S)
    assert form is not None
    carried = [
        (n, unescape(v)) for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1))
    ]
    carried += re.findall(r'<input[^>]*name="(csrf_token)"[^>]*value="([^"]*)"', form.group(1))
    assert ("loan_types", "project") in carried  # both kinds ride through the confirmation
    assert client.post("/admin/policies", data=MultiDict([*carried, ("confirmed", "1")])).status_code == 302
    traveller.move_to("2026-11-02 10:00:00+08:00")
    project = lifecycle.submit_application(flows.user("ent1"), _input(flows, "project"))
    assert project.loan_type_label == "项目贷款"


def test_the_guide_says_which_loans_are_renewed(client, people) -> None:
    import re

    page = " ".join(re.sub(r"<[^>]+>", " ", client.get("/guide").get_data(as_text=True)).split())
    assert "到期贷款须为流动资金贷款；项目贷款、委托贷款、信托贷款、未贴现的银行承兑汇票不适用（第三条）。" in page

"""The monthly analysis and the statistics over the API (issue 11): the same figures as the pages, money as strings
of yuan, readers only, bad periods as problem+json."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from loanfund.extensions import db
from loanfund.models import User
from loanfund.services.reports import monthly


@pytest.mark.both_databases
def test_the_month_as_json(api, november):
    response = api.get("group", "/reports/monthly/2026/11")
    assert response.status_code == 200
    report = response.get_json()["report"]
    assert report["title"] == "2026年11月"
    assert report["summary"] | {"start": None, "end": None} == {
        "start": None,
        "end": None,
        "submitted": 5,
        "requested": "55000000.00",
        "bridges": 3,
        "disbursed": "48000000.00",
        "returned": "40000000.00",
        "fee_income": "59000.00",
        "fee_distributed": "0.00",
        "closed": 2,
        "days_average": "4.0",
        "days_longest": 5,
    }
    assert report["previous"]["fee_income"] == "5000.00"
    banks = next(b for b in report["breakdowns"] if b["key"] == "bank")
    assert banks["total"] == {
        "key": "total",
        "label": "合计",
        "submitted": 5,
        "requested": "55000000.00",
        "disbursed_count": 3,
        "disbursed": "48000000.00",
    }
    assert report["days"][-1] == {
        "day": "2026-11-30",
        "cash": "192064000.00",
        "reserved": "2000000.00",
        "out": "8000000.00",
        "utilisation": "5.0",
    }
    assert [o["reference"] for o in report["overdue"]] == [f"ZD2026{november['A3']:05d}"]
    assert response.get_json()["revisions"] == []


def test_a_submitted_revision_as_json(api, november):
    operator = db.session.scalar(select(User).where(User.username == "operator"))
    monthly.submit(operator, 2026, 11, analysis="十一月运行平稳")
    response = api.get("reviewer", "/reports/monthly/2026/11/revisions/1")
    assert response.status_code == 200
    body = response.get_json()
    assert body["revision"]["revision"] == 1 and body["revision"]["submitted_by"] == operator.display_name
    assert body["report"]["summary"]["disbursed"] == "48000000.00"
    missing = api.get("reviewer", "/reports/monthly/2026/11/revisions/2")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


def test_the_months_long_lists_come_first_lines_first_with_the_count_and_amount_of_all(api, november, monkeypatch):
    """Issue 28: a bounded answer by default, as the page — the first overdue lines (50) and late renewals (20 a bank)
    with the count and amount of all; ``?lines=all`` every line, as the workbook and a filed revision."""
    from loanfund.services.reports import reporting

    monkeypatch.setattr(reporting, "OVERDUE_SHOWN", 0)  # as if each list were longer than a page lists
    monkeypatch.setattr(reporting, "LATE_SHOWN", 0)
    first = api.get("operator", "/reports/monthly/2026/11").get_json()["report"]
    assert (first["overdue"], first["overdue_count"], first["overdue_owed"]) == ([], 1, "8000000.00")
    assert [(b["bank"], b["renewals_late"], b["renewals_late_count"]) for b in first["breaches"]] == [
        ("江苏银行连云港分行", [], 1)
    ]
    every = api.get("operator", "/reports/monthly/2026/11?lines=all").get_json()["report"]
    assert [o["reference"] for o in every["overdue"]] == [f"ZD2026{november['A3']:05d}"]
    assert (every["overdue_count"], every["overdue_owed"]) == (1, "8000000.00")
    [(bank, [late], count)] = [(b["bank"], b["renewals_late"], b["renewals_late_count"]) for b in every["breaches"]]
    assert (bank, count) == ("江苏银行连云港分行", 1) and late.startswith(f"ZD2026{november['A2']:05d}（起息")
    period = "/reports/statistics?start=2026-11-01&end=2026-11-30"
    assert api.get("reviewer", period).get_json()["report"]["overdue"] == []
    assert len(api.get("reviewer", f"{period}&lines=all").get_json()["report"]["overdue"]) == 1
    for path in ("/reports/monthly/2026/11?lines=some", f"{period}&lines="):
        response = api.get("operator", path)
        assert response.status_code == 422 and response.mimetype == "application/problem+json"
        assert response.get_json()["errors"] == {"lines": ["lines 须为 first 或 all"]}


def test_statistics_as_json(api, november):
    response = api.get("reviewer", "/reports/statistics?start=2026-10-01&end=2026-11-30")
    assert response.status_code == 200
    summary = response.get_json()["report"]["summary"]
    assert (summary["disbursed"], summary["fee_income"], summary["bridges"]) == ("52000000.00", "64000.00", 4)
    assert (summary["start"], summary["end"]) == (date(2026, 10, 1).isoformat(), "2026-11-30")


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("", {"start": ["此项为必填项"], "end": ["此项为必填项"]}),
        ("?start=2026-11-30&end=2026-11-01", {"end": ["截止日不能早于起始日"]}),
        ("?start=2020-01-01&end=2026-11-01", {"end": ["统计区间最长两年，请分段统计"]}),
        ("?start=2026-02-30&end=2026-11-01", {"start": ["日期格式应为 YYYY-MM-DD"]}),
    ],
)
def test_bad_periods_are_field_errors(api, people, query, errors):
    response = api.get("operator", f"/reports/statistics{query}")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert response.get_json()["errors"] == errors


@pytest.mark.parametrize("username", ["bank1", "ent1"])
@pytest.mark.parametrize(
    "path",
    [
        "/reports/monthly/2026/11",
        "/reports/monthly/2026/11/revisions/1",
        "/reports/statistics?start=2026-11-01&end=2026-11-30",
    ],
)
def test_a_bank_or_an_enterprise_gets_no_report(api, people, username, path):
    response = api.get(username, path)
    assert response.status_code == 403 and response.mimetype == "application/problem+json"


def test_the_reports_are_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"/reports/monthly/{year}/{month}", "/reports/monthly/{year}/{month}/revisions/{revision}"} <= set(
        spec["paths"]
    )
    assert "/reports/statistics" in spec["paths"]
    assert "Report" in spec["components"]["schemas"]


def test_a_period_outside_the_years_reported_is_a_field_error(api, people):
    response = api.get("operator", "/reports/statistics?start=0001-01-01&end=0001-01-31")
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "start": ["日期须在 2000年1月1日至2100年12月31日之间"],
        "end": ["日期须在 2000年1月1日至2100年12月31日之间"],
    }


def test_the_api_list_takes_the_pages_filters(api, november):
    def listed(query: str) -> list[str]:
        response = api.get("operator", f"/applications?{query}&per_page=100")
        assert response.status_code == 200, response.get_json()
        return [item["reference"] for item in response.get_json()["items"]]

    ref = {k: f"ZD2026{v:05d}" for k, v in november.items()}
    assert listed("district=ganyu") == [ref["A5"], ref["A2"]]  # ent3, newest first
    assert listed("size=medium&state=archived") == [ref["A1"]]
    assert listed("industry=wholesale&amount_min=5,000,000.00") == [ref["A2"]]
    assert listed("submitted_from=2026-11-16&submitted_to=2026-11-20") == [ref["A4"], ref["A3"]]
    assert listed("q=晶华") == [ref["A3"], ref["A0"]]
    assert listed(f"q={ref['A4'].lower()}") == [ref["A4"]]


def test_bad_list_filters_are_named_at_once(api, people):
    response = api.get(
        "operator", "/applications?district=paris&amount_min=abc&submitted_from=2026-11-30&submitted_to=2026-11-01"
    )
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    errors = response.get_json()["errors"]
    assert errors["district"] == ["未知县区：paris"]
    assert set(errors) == {"district", "amount_min"}  # the range is checked once the dates themselves are good

"""Inputs an attacker or a broken client sends: each gets 422 (or 413) problem+json and changes nothing, never a 500
(issue 8, point 4)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import Application
from tests.api.test_lifecycle_api import APPLY, bank_id

pytestmark = pytest.mark.both_databases

PROBLEM = "application/problem+json"


def nested(depth: int) -> str:
    """A JSON object nested ``depth`` deep, as text (Python's own encoder would recurse too deep to write it)."""
    return '{"a": ' * (depth - 1) + "{}" + "}" * (depth - 1)


def applications() -> int:
    return db.session.scalar(select(func.count()).select_from(Application)) or 0


@pytest.mark.parametrize("query", ["page=²", "per_page=³", "page=①", "page=１", "per_page=٣"])
def test_page_numbers_in_other_scripts_are_field_errors(api, query):
    response = api.get("operator", f"/applications?{query}")
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert response.get_json()["errors"] == {query.split("=")[0]: ["须为正整数"]}


def test_json_nested_a_thousand_deep_is_refused_on_the_anonymous_quote(client):
    response = client.post("/api/v1/quotes", data=nested(1000), content_type="application/json")
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert response.get_json()["errors"] == {"body": ["JSON 嵌套不能超过 16 层"]}


def test_json_nested_a_thousand_deep_is_refused_on_every_step(api, flows):
    application = flows.to(State.BANK_COMMITTED)
    for username, path in (
        ("ent1", "/applications"),
        ("operator", f"/applications/{application.id}/approve"),
        ("reviewer", f"/applications/{application.id}/accept"),
    ):
        response = api.client.post(
            f"/api/v1{path}",
            data='{"x": [' + nested(999) + "]}",
            content_type="application/json",
            headers=api.headers(username, key="deep-1"),
        )
        assert response.status_code == 422, path
        assert response.get_json()["errors"] == {"body": ["JSON 嵌套不能超过 16 层"]}
    assert applications() == 1
    assert db.session.get(Application, application.id).state == State.BANK_COMMITTED.value


def test_brackets_inside_strings_do_not_count_as_nesting(client):
    response = client.post("/api/v1/quotes", json={"amount": "30000000.00", "days": 3, "note": "[" * 500})
    assert response.status_code == 200
    assert response.get_json()["fee"] == "37500.00"


def test_a_body_over_64_kb_is_413(client):
    response = client.post("/api/v1/quotes", json={"amount": "30000000.00", "days": 3, "note": "x" * 70_000})
    assert response.status_code == 413
    assert response.mimetype == PROBLEM
    assert response.get_json()["detail"] == "请求体不能超过 64 KB"


@pytest.mark.parametrize("amount", ["١٢٣.٤٥", "৩০০০০০০০.০০", "１２３.００", "3०,000,000.00"])
def test_amounts_in_other_scripts_digits_are_refused(client, amount):
    response = client.post("/api/v1/quotes", json={"amount": amount, "days": 3})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"amount": ["金额格式不正确，请填写数字，如 12,345.67"]}


def test_an_approval_written_in_bengali_digits_changes_nothing(api, flows):
    application = flows.to(State.BANK_COMMITTED)
    response = api.act(
        "operator",
        application.id,
        "approve",
        {"amount": "৩০০০০০০০.০০", "own_funds_confirmed": "১০০০০০০০.০০"},
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "amount": ["金额格式不正确，请填写数字，如 12,345.67"],
        "own_funds_confirmed": ["金额格式不正确，请填写数字，如 12,345.67"],
    }
    assert db.session.get(Application, application.id).state == State.BANK_COMMITTED.value


@pytest.mark.parametrize(
    ("due", "message"),
    [
        ("9999-12-31", "贷款到期日须在 2024-10-31 至 2028-11-01 之间，请核对"),
        ("0001-01-01", "贷款到期日须在 2024-10-31 至 2028-11-01 之间，请核对"),
        ("2028-11-02", "贷款到期日须在 2024-10-31 至 2028-11-01 之间，请核对"),
        ("٢٠٢٦-١١-٠٣", "日期格式应为 YYYY-MM-DD"),
    ],
)
def test_loan_due_dates_far_from_today_or_in_other_digits_are_refused(api, traveller, due, message):
    """Today is 2026-11-01: the due date of a maturing loan is within two years (731 days) either way."""
    response = api.post("ent1", "/applications", APPLY | {"bank_id": bank_id(api), "loan_due_date": due})
    assert response.status_code == 422
    assert response.get_json()["errors"]["loan_due_date"] == [message]
    assert applications() == 0


def test_the_last_day_of_the_window_is_accepted(api, traveller):
    response = api.post("ent1", "/applications", APPLY | {"bank_id": bank_id(api), "loan_due_date": "2028-11-01"})
    assert response.status_code == 201, response.get_json()


def test_an_application_holds_at_most_its_quota_of_documents(api, traveller, monkeypatch):
    """Before: twelve files of 9.9 MB went onto one application. The quota, here shrunk to 5 files and 60 bytes so the
    test stays small, holds across uploads and refuses the one that would pass it whole."""
    from loanfund.models import Material
    from loanfund.services.applications import materials
    from tests.api.conftest import upload

    monkeypatch.setattr(materials, "QUOTA_FILES", 5)
    monkeypatch.setattr(materials, "QUOTA_BYTES", 60)
    app_id = api.post("ent1", "/applications", APPLY | {"bank_id": bank_id(api)}).get_json()["id"]
    assert upload(api, "ent1", app_id, "licence", ("1.pdf", "2.pdf")).status_code == 201  # 2 × 15 bytes
    assert upload(api, "ent1", app_id, "financials", ("3.pdf",)).status_code == 201
    refused = upload(api, "ent1", app_id, "loan_contract", ("4.pdf", "5.pdf"))  # 75 bytes would pass 60
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["file"] == [
        "每笔申请的材料合计不超过 5 个文件、60 字节；本申请已有 3 个文件、45 字节，请合并或压缩后再上传"
    ]
    assert db.session.scalar(select(func.count()).select_from(Material).where(Material.application_id == app_id)) == 3

"""The group's register, the fund's dissolution, the month's filing, the audit pack and the audit record's check over
the API (issue 27): each the page's service, with its refusals."""

from __future__ import annotations

import io
import zipfile

import pytest

from loanfund.domain.money import Money
from loanfund.services.books import fund
from tests.factories import city_fund_id

pytestmark = pytest.mark.both_databases

PDF = b"%PDF-1.4\n%minutes\n"


def multipart(api, username: str, path: str, fields: dict[str, str], name: str = "纪要.pdf"):  # type: ignore[no-untyped-def]
    return api.client.post(
        f"/api/v1{path}",
        data=fields | {"file": (io.BytesIO(PDF), name)},
        headers=api.headers(username),
        content_type="multipart/form-data",
    )


def test_the_groups_register_and_the_months_filing_over_the_api(api, traveller, app, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    traveller.move_to("2026-12-02 09:00:00+08:00")
    meeting = {
        "held_on": "2026-12-01",
        "title": "2026年第5次领导小组会议",
        "attendees": "组长等 7 人",
        "minutes_ref": "纪要〔2026〕5号",
    }
    made = multipart(api, "group", "/group/meetings", meeting)
    assert made.status_code == 201, made.get_json()
    again = multipart(api, "group", "/group/meetings", meeting | {"held_on": "2026-12-09", "title": ""})
    assert again.get_json()["errors"] == {
        "held_on": ["会议日期不能晚于今天（2026-12-02）"],
        "title": ["请填写会议名称"],
        "minutes_ref": ["会议纪要 纪要〔2026〕5号 已登记"],
    }
    unknown = api.post(
        "group", "/group/decisions", {"minutes_ref": "纪要〔2026〕9号", "subject": "调整", "outcome": "同意"}
    )
    assert unknown.get_json()["errors"] == {"minutes_ref": ["会议纪要 纪要〔2026〕9号 尚未登记，请先登记会议"]}
    decided = api.post(
        "group", "/group/decisions", {"minutes_ref": "纪要〔2026〕5号", "subject": "调整", "outcome": "同意"}
    )
    assert (decided.status_code, decided.get_json()["kind"]) == (201, "other")

    no_analysis = api.post("operator", "/reports/monthly/2026/11/submission", {"analysis": ""})
    assert no_analysis.status_code == 422
    filed = api.post("operator", "/reports/monthly/2026/11/submission", {"analysis": "十一月运行平稳"})
    assert (filed.status_code, filed.get_json()["month"], filed.get_json()["revision"]) == (201, "2026-11", 1)
    uncorrected = api.post("operator", "/reports/monthly/2026/11/submission", {"analysis": "更正"})
    assert uncorrected.status_code == 422  # a second revision needs its reason
    heard = api.post("group", f"/group/reports/{filed.get_json()['id']}/heard", {"minutes_ref": "纪要〔2026〕5号"})
    assert (heard.status_code, heard.get_json()["outcome"]) == (201, "已听取")

    rules = {"title": "应急转贷资金操作规程", "filed_on": "2026-12-01"}
    assert multipart(api, "operator", "/group/rules", rules, "规程.pdf").get_json()["version"] == 1
    assert multipart(api, "operator", "/group/rules", rules, "规程.pdf").get_json()["version"] == 2
    assert multipart(api, "group", "/group/rules", rules).status_code == 403


def test_the_audit_pack_is_asked_for_and_downloaded_and_the_record_checked(api, app, tmp_path, traveller):
    app.config.update(AUDIT_PACK_RUNNER="inline", AUDIT_PACK_DIR=str(tmp_path / "packs"))
    asked = api.post("group", "/reports/audit-pack/2026/runs")
    assert (asked.status_code, asked.get_json()["state"]) == (202, "done")
    [listed] = api.get("group", "/reports/audit-pack/runs").get_json()["items"]
    zipped = api.client.get(listed["download"], headers=api.headers("group"))
    assert "MANIFEST.sha256" in zipfile.ZipFile(io.BytesIO(zipped.data)).namelist()
    zipped.close()
    assert api.post("operator", "/reports/audit-pack/2026/runs").status_code == 403
    verdict = api.post("admin", "/audit/verify").get_json()
    assert (verdict["ok"], verdict["differences"], verdict["broken_seq"]) == (True, [], None)


def test_the_fund_is_dissolved_over_the_api(api, app, tmp_path, traveller):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    meeting = {
        "held_on": "2026-11-01",
        "title": "第4次领导小组会议",
        "attendees": "组长等 7 人",
        "minutes_ref": "纪要〔2026〕4号",
    }
    traveller.move_to("2026-11-02 09:00:00+08:00")
    assert multipart(api, "group", "/group/meetings", meeting).status_code == 201
    proposed = api.post("operator", "/fund/dissolution", {"reason": "需求已由政策性担保承接"})
    assert proposed.status_code == 201
    row = proposed.get_json()["id"]
    assert api.post("operator", "/fund/dissolution", {"reason": "再提"}).status_code == 409
    assert (
        api.post(
            "group", f"/fund/dissolution/{row}/decision", {"dissolve": False, "minutes_ref": "纪要〔2026〕4号"}
        ).status_code
        == 422
    )
    decided = api.post(
        "group", f"/fund/dissolution/{row}/decision", {"dissolve": True, "minutes_ref": "纪要〔2026〕4号"}
    )
    assert decided.get_json()["state"] == "decided"
    approval = {"approval_ref": "政复〔2026〕88号", "approved_on": "2026-11-02"}
    assert api.post("operator", f"/fund/dissolution/{row}/approval", approval).get_json()["state"] == "approved"
    assert api.post("operator", f"/fund/dissolution/{row}/closing", {}).status_code == 400  # money: a key first
    unnamed = api.post("operator", f"/fund/dissolution/{row}/closing", {}, key="close-0")
    assert (unnamed.status_code, unnamed.get_json()["errors"]) == (422, {"bank_ref": ["返还净资产须填写银行凭证号"]})
    closed = api.post("operator", f"/fund/dissolution/{row}/closing", {"bank_ref": "JS-1"}, key="close-1")
    assert (closed.status_code, closed.get_json()["state"], closed.get_json()["closed_on"]) == (
        200,
        "closed",
        "2026-11-02",
    )
    [listed] = api.get("group", "/fund/dissolution").get_json()["items"]
    assert listed["state"] == "closed"
    assert fund.position(city_fund_id()).cash == Money.zero()  # the 200,000,000.00 returned to its contributor

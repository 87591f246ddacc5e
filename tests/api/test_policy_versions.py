"""Policy versions in full (issue 27, R14): any number of bands; corrected or withdrawn, each with who and why, until
they take effect — a version in force is never changed; a withdrawn version stays and is never in force; the same in
the API and with ``loanfund policy import`` / ``export``."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from loanfund.extensions import db
from loanfund.models import PolicyVersion
from tests.api.test_funds_api import POLICY
from tests.factories import county_fund

pytestmark = pytest.mark.both_databases

# the county's four bands (tests/api/test_funds_api.py), as a city version to come with its own name, day and
# group threshold
FUTURE = POLICY | {"name": "连政规发〔2026〕1号", "effective_from": "2026-12-01", "group_threshold": "40000000.00"}


def test_a_version_is_corrected_then_withdrawn_before_it_takes_effect_each_with_its_reason(api, traveller):
    made = api.post("admin", "/funds/LYG/policies", FUTURE)
    assert made.status_code == 201, made.get_json()
    version = made.get_json()["id"]
    assert [b["base_rate_permille"] for b in made.get_json()["parameters"]["bands"]] == ["0.30", "0.25", "0.20", "0.15"]
    unexplained = api.client.patch(f"/api/v1/funds/LYG/policies/{version}", json=FUTURE, headers=api.headers("admin"))
    assert (unexplained.status_code, unexplained.get_json()["errors"]) == (422, {"reason": ["此项为必填项"]})
    corrected = FUTURE | {"cap_ratio": "0.90", "reason": "县市统一为90%"}
    answer = api.client.patch(f"/api/v1/funds/LYG/policies/{version}", json=corrected, headers=api.headers("admin"))
    assert answer.status_code == 200, answer.get_json()
    assert (answer.get_json()["parameters"]["cap_ratio"], answer.get_json()["revision_reason"]) == (
        "0.90",
        "县市统一为90%",
    )
    gone = api.client.delete(
        f"/api/v1/funds/LYG/policies/{version}", json={"reason": "市政府决定暂缓"}, headers=api.headers("admin")
    )
    assert gone.status_code == 200 and gone.get_json()["withdrawal_reason"] == "市政府决定暂缓"
    again = api.client.patch(f"/api/v1/funds/LYG/policies/{version}", json=corrected, headers=api.headers("admin"))
    assert (again.status_code, again.get_json()["detail"]) == (409, "该政策版本已撤回")
    # withdrawn, it is never in force: on its day the 2018 rules still price a quote
    traveller.move_to("2026-12-02 09:00:00+08:00")
    quote = api.client.post("/api/v1/quotes", json={"amount": "30000000.00", "days": 3}).get_json()
    assert (quote["policy"], quote["fee"]) == ("连政办发〔2018〕162号", "37500.00")
    # and its name and day are free again
    assert api.post("admin", "/funds/LYG/policies", FUTURE | {"effective_from": "2027-01-01"}).status_code == 201


def test_a_version_in_force_is_never_changed(api, traveller):
    (in_force,) = db.session.scalars(select(PolicyVersion.id)).all()
    refused = api.client.delete(
        f"/api/v1/funds/LYG/policies/{in_force}", json={"reason": "试图撤回"}, headers=api.headers("admin")
    )
    assert (refused.status_code, refused.get_json()["detail"]) == (
        409,
        "已施行的政策版本不能更改或撤回（R14）：如需调整，请新增一个以后施行的版本",
    )
    assert db.session.get(PolicyVersion, in_force).withdrawn_at is None


def test_another_funds_versions_answer_404(api):
    county = county_fund()
    (theirs,) = db.session.scalars(select(PolicyVersion.id).where(PolicyVersion.fund_id == county.id)).all()
    answer = api.client.delete(
        f"/api/v1/funds/DH/policies/{theirs}", json={"reason": "x"}, headers=api.headers("admin")
    )
    assert answer.status_code == 404
    answer = api.client.delete(
        f"/api/v1/funds/LYG/policies/{theirs}", json={"reason": "x"}, headers=api.headers("admin")
    )
    assert answer.status_code == 404


def test_a_band_named_wrong_is_named_by_its_place(api):
    bad = FUTURE | {
        "bands": [
            *FUTURE["bands"][:3],
            {"upper_bound": None, "base_rate_permille": "6", "extended_rate_permille": "0.25"},
        ]
    }
    answer = api.post("admin", "/funds/LYG/policies", bad)
    assert answer.status_code == 422
    assert answer.get_json()["errors"] == {"bands.3.base_rate_permille": ["日费率不能超过 5‰"]}


def test_export_then_import_carries_every_band_and_a_bad_file_adds_nothing(runner, people, tmp_path):
    county_fund()
    exported = runner.invoke(args=["loanfund", "policy", "export", "--fund", "LYG"])
    assert exported.exit_code == 0, exported.output
    versions = json.loads(exported.output)
    assert [v["name"] for v in versions] == ["连政办发〔2018〕162号"]
    file = tmp_path / "policies.json"
    file.write_text(json.dumps(versions, ensure_ascii=False), encoding="utf-8")
    imported = runner.invoke(args=["loanfund", "policy", "import", str(file), "--fund", "DH"])
    assert imported.exit_code == 0, imported.output
    assert "已新增 DH 的政策版本“连政办发〔2018〕162号”，2018-11-15 起施行" in imported.output
    copied = runner.invoke(args=["loanfund", "policy", "export", "--fund", "DH"])
    city_2018 = versions[0]
    assert [v for v in json.loads(copied.output) if v["name"] == city_2018["name"]] == [city_2018]

    later = dict(city_2018, name="第二版", effective_from="2027-01-01")
    wrong = dict(
        city_2018,
        name="第三版",
        effective_from="2027-02-01",
        bands=[{"upper_bound": "1.00", "base_rate_permille": "0.2", "extended_rate_permille": "0.3"}],
    )
    file.write_text(json.dumps([later, wrong], ensure_ascii=False), encoding="utf-8")
    refused = runner.invoke(args=["loanfund", "policy", "import", str(file), "--fund", "DH"])
    assert refused.exit_code != 0
    assert "bands" in refused.output
    names = set(db.session.scalars(select(PolicyVersion.name)))
    assert "第二版" not in names  # all or none

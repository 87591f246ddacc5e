"""办理时限 as people read them (issue 30): the administrator's settings page (every bad value next to its field), the
application's page (each stage's due-by day, for every party; the enterprise's "办理时限" line), the month's report
(section 七) and the early-warning page's 办理超时; the API's settings carry the limits too."""

from __future__ import annotations

import re

from loanfund.domain.time_limits import TimeLimits
from loanfund.services.oversight import time_limits
from tests.conftest import csrf_token
from tests.factories import city_fund_id
from tests.integration.test_time_limits import month_of_bridges
from tests.web.test_confirmations import text_of
from tests.web.test_forms import feedback

SETTINGS = {"due_within_days": "3", "concentration_percent": "30", "utilisation_percent": "80", "statement_days": "2"}


def test_the_settings_page_sets_each_stages_working_days(client, auth, people):
    auth.login("admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "办理时限（工作日）" in page
    assert re.search(r'name="limit_commitment"[^>]*value="2"', page) and re.search(
        r'name="limit_whole"[^>]*value="5"', page
    )
    limits = {key: str(TimeLimits().of(stage)) for stage, key in time_limits.KEYS.items()}
    bad = client.post(
        "/admin/settings",
        data=SETTINGS | limits | {"limit_group": "三", "limit_whole": "45", "csrf_token": csrf_token(page)},
    )
    html = bad.get_data(as_text=True)
    assert feedback(html, "limit_group") == ["请填写 0 至 30 之间的整数工作日"]
    assert feedback(html, "limit_whole") == ["请填写 0 至 30 之间的整数工作日"]
    assert time_limits.limits(city_fund_id()) == TimeLimits()
    saved = client.post(
        "/admin/settings",
        data=SETTINGS | limits | {"limit_group": "2", "limit_whole": "4", "csrf_token": csrf_token(page)},
    )
    assert saved.status_code == 302
    assert time_limits.limits(city_fund_id()) == TimeLimits(1, 2, 1, 2, 1, 4)


def test_every_party_reads_the_stages_and_the_enterprise_its_due_by_day(client, auth, flows, traveller):
    quick, waiting = month_of_bridges(flows, traveller)
    traveller.move_to("2026-11-16 09:00+08:00")
    for name in ("ent1", "bank1", "reviewer", "operator", "group"):
        auth.login(name)
        words = text_of(client.get(f"/applications/{quick.id}").get_data(as_text=True))
        assert "办理时限（工作日）" in words, name
        assert (
            "银行续贷承诺 合作银行 2026-11-09 10:00 2026年11月11日前（2 个工作日） 2026-11-12 09:00 3 个工作日 ，超时"
            in words
        )
    auth.login("ent1")
    words = text_of(client.get(f"/applications/{waiting.id}").get_data(as_text=True))
    assert (
        "办理时限 银行续贷承诺由合作银行办理，承诺 2 个工作日内办结，应于 2026年11月17日前；"
        "申请至放款承诺 5 个工作日，应于 2026年11月20日前放款"
    ) in words


def test_the_month_and_the_early_warnings_show_them(client, auth, flows, traveller):
    month_of_bridges(flows, traveller)
    traveller.move_to("2026-11-18 09:00+08:00")
    auth.login("group")
    risk = text_of(client.get("/fund/risk").get_data(as_text=True))
    assert "办理超时" in risk and "银行续贷承诺（合作银行）已 3 个工作日，时限 2 个工作日，应于 11月17日前办结" in risk
    traveller.move_to("2026-12-02 09:00+08:00")
    month = text_of(client.get("/reports/monthly/2026/11").get_data(as_text=True))
    assert "七、办理时限（工作日）" in month
    assert "申请至放款 全流程 5 个工作日 1 5 5 5（163.5 小时） 0" in month
    assert "银行续贷承诺 合作银行 2 个工作日 1 3 3 3（71.0 小时） 1" in month
    assert "本期办结的环节中超过时限 1 个" in month


def test_the_api_reads_and_sets_the_limits(client, auth, people):
    from tests.api.conftest import Api

    api = Api(client)
    got = api.get("admin", "/funds/LYG/settings").get_json()
    assert {k: v for k, v in got.items() if k.startswith("limit_")} == {
        "limit_acceptance": "1",
        "limit_commitment": "2",
        "limit_approval": "1",
        "limit_group": "3",
        "limit_disbursement": "1",
        "limit_whole": "5",
    }
    body = {k: v for k, v in SETTINGS.items()} | {"limit_whole": "0.5"}
    refused = api.client.put("/api/v1/funds/LYG/settings", json=body, headers=api.headers("admin"))
    assert refused.status_code == 422 and refused.get_json()["errors"] == {
        "limit_whole": ["请填写 0 至 30 之间的整数工作日"]
    }
    done = api.client.put("/api/v1/funds/LYG/settings", json=body | {"limit_whole": "7"}, headers=api.headers("admin"))
    assert done.status_code == 200 and done.get_json()["limit_whole"] == "7" and done.get_json()["limit_group"] == "3"


def test_the_months_workbook_has_the_stages_and_those_over(client, auth, flows, traveller):
    import io

    from openpyxl import load_workbook

    month_of_bridges(flows, traveller)
    traveller.move_to("2026-12-02 09:00+08:00")
    auth.login("operator")
    content = client.get("/reports/monthly/2026/11.xlsx").get_data()
    book = load_workbook(io.BytesIO(content), read_only=True)
    rows = [tuple(r) for r in book["办理时限"].iter_rows(min_row=5, values_only=True)]
    assert rows[:3] == [
        ("申请至放款", "全流程", 5, 1, 5, 5, 5, "163.5", 0),
        ("受理审查", "平台审核", 1, 2, 0, 1, 0, "5.0", 0),  # the second: 09:00 to 14:00
        ("银行续贷承诺", "合作银行", 2, 1, 3, 3, 3, "71.0", 1),
    ]
    [late] = [tuple(r)[:8] for r in book["超时环节"].iter_rows(min_row=5, values_only=True)]
    assert late[2:] == ("银行续贷承诺", "合作银行", "2026-11-09 10:00", "2026-11-12 09:00", 3, 2)


def test_the_api_gives_each_applications_stages(client, flows, traveller):
    from tests.api.conftest import Api

    quick, _ = month_of_bridges(flows, traveller)
    api = Api(client)
    stages = api.get("ent1", f"/applications/{quick.id}").get_json()["time_limits"]
    assert [(s["stage"], s["party"], s["due_by"], s["working_days"], s["over"]) for s in stages] == [
        ("acceptance", "平台审核", "2026-11-09", 1, False),
        ("commitment", "合作银行", "2026-11-11", 3, True),
        ("approval", "平台运营", "2026-11-13", 0, False),
        ("disbursement", "平台运营", "2026-11-13", 1, False),
        ("whole", "全流程", "2026-11-13", 5, False),
    ]
    assert stages[1]["started_at"] == "2026-11-09T10:00:00+08:00" and stages[1]["limit_working_days"] == 2
    assert "time_limits" not in api.get("ent1", "/applications").get_json()["items"][0]


def test_a_list_says_what_each_application_waits_for_and_whose_move_it_is(client, auth, flows, traveller):
    month_of_bridges(flows, traveller)
    auth.login("operator")
    html = client.get("/applications").get_data(as_text=True)
    assert '<td data-label="下一步">银行续贷承诺（合作银行）</td>' in html  # the second, accepted
    assert '<td data-label="下一步">合作银行续贷</td>' in html  # the first, its money out

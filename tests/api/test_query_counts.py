"""No N+1: a page of applications costs a fixed number of queries, however many applications it holds."""

from __future__ import annotations

from datetime import date

import pytest

from bench.pages import PAGES_BY_ROLE
from loanfund import clock
from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.services import lifecycle
from loanfund.services.books.capital import contributor_named, record_contribution
from tests.factories import city_fund_id
from tests.statements import sent

pytestmark = pytest.mark.both_databases


def queries_for(api, flows, how_many: int, path: str) -> int:  # type: ignore[no-untyped-def]
    for n in range(how_many):
        flows.to(State.DISBURSED if n % 2 else State.SUBMITTED, enterprise=f"ent{n % 3 + 1}")
    api.token("operator")
    with sent() as statements:
        assert api.get("operator", path).status_code == 200
    return len(statements)


def test_the_api_list_costs_the_same_for_4_or_16_applications(api, flows):
    record_contribution(
        contributor_named(city_fund_id(), "测试出资方", "private"),
        Money.yuan(2_000_000_000),
        date(2026, 11, 1),
        "CZ20261101001",
    )
    few = queries_for(api, flows, 4, "/applications?per_page=100")
    many = queries_for(api, flows, 12, "/applications?per_page=100")
    assert few == many, (few, many)


def page_queries(client, auth, flows, how_many: int, path: str) -> int:  # type: ignore[no-untyped-def]
    for n in range(how_many):
        flows.to(State.DISBURSED if n % 2 else State.BANK_COMMITTED, enterprise=f"ent{n % 3 + 1}")
    auth.login("operator")
    with sent() as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def test_the_workbench_and_the_list_page_cost_the_same_for_4_or_16_applications(client, auth, flows):
    record_contribution(
        contributor_named(city_fund_id(), "测试出资方", "private"),
        Money.yuan(2_000_000_000),
        date(2026, 11, 1),
        "CZ20261101001",
    )
    for path in ("/home", "/home?queue=out", "/home?queue=to_archive", "/applications"):
        few = page_queries(client, auth, flows, 4, path)
        many = page_queries(client, auth, flows, 12, path)
        assert few == many, (path, few, many)


def test_the_monthly_report_and_the_list_cost_the_same_for_10_or_1000_applications(client, auth, people, traveller):
    """Issue 11: the month's analysis (live and as .xlsx), the statistics and the list page, over a fund of 10
    applications and then of 1,000 (bulk-made by bench/generate.py, every state, November 2026)."""
    from bench.generate import generate

    traveller.move_to("2026-12-01 10:00:00+08:00")
    paths = (
        "/reports/monthly/2026/11",
        "/reports/monthly/2026/11.xlsx",
        "/reports/statistics?start=2026-09-01&end=2026-11-30",
        "/applications",
        "/applications?state=archived&page=2",
    )

    def counts() -> dict[str, int]:
        auth.login("operator")
        found = {}
        for path in paths:
            with sent() as statements:
                assert client.get(path).status_code == 200, path
            found[path] = len(statements)
        return found

    generate(10, end=date(2026, 11, 30), days=90)
    few = counts()
    generate(990, end=date(2026, 11, 30), days=90, seed=7)
    many = counts()
    assert few == many


QUEUED = (State.SUBMITTED, State.ACCEPTED, State.BANK_COMMITTED, State.GROUP_REVIEW, State.APPROVED, State.APPROVED)
QUEUED += (State.DISBURSED, State.RENEWED, State.REPAID, State.RECOVERY)


def test_every_list_workbench_and_report_costs_the_same_for_10_or_1000_applications(client, auth, flows, traveller):
    """Ten applications, one in each state a queue shows (so no queue is empty and skipped), then 990 more made by
    bench/generate.py: every page as every role that reads it issues the same number of queries."""
    from bench.generate import generate

    record_contribution(
        contributor_named(city_fund_id(), "测试出资方", "private"),
        Money.yuan(2_000_000_000),
        date(2026, 11, 1),
        "CZ20261101001",
    )
    for n, state in enumerate(QUEUED):
        application = flows.to(state, enterprise=f"ent{n % 3 + 1}")
        if n == 5:
            flows.step(application, "prepare")  # one waiting for its checker
    # and of each kind of early warning at least one line, the bridges-out queues each one (issue 28)
    traveller.move_to("2026-11-22 10:00:00+08:00")
    flows.to(State.DISBURSED, enterprise="ent2")  # due 2 Dec: 即将到期 on 1 Dec, and its bank late to renew
    traveller.move_to("2026-11-30 10:00:00+08:00")
    short = flows.to(State.DISBURSED, enterprise="ent3")  # due 10 Dec: out and not overdue
    bank = flows.bank_user(short)
    lifecycle.confirm_renewal(bank, short.id, "新借字第1号", Money.yuan(1_000_000), clock.today())  # less than promised
    lifecycle.confirm_return(bank, short.id, clock.today(), Money.yuan(1_000_000), Money.zero(), "HS-PART")  # 收回不足
    traveller.move_to("2026-12-01 10:00:00+08:00")

    def counts() -> dict[tuple[str, str], list[str]]:
        found = {}
        for username, paths in PAGES_BY_ROLE.items():
            auth.login(username)
            token = api_token(client, username)
            for path in paths:
                headers = {"Authorization": f"Bearer {token}"} if path.startswith("/api/") else {}
                with sent() as statements:
                    response = client.get(path, headers=headers, follow_redirects=True)
                    assert response.status_code == 200, (username, path)
                found[(username, path)] = list(statements)
        return found

    few = counts()
    generate(990, end=date(2026, 11, 30), days=90, seed=7)
    many = counts()
    grown = {page: [q[:120] for q in many[page][len(few[page]) :]] for page in few if len(few[page]) != len(many[page])}
    assert grown == {}  # each page that grew, with the statements it issued beyond the small fund's count


def api_token(client, username: str) -> str:  # type: ignore[no-untyped-def]
    import base64

    from tests.conftest import DEMO_PASSWORD

    basic = base64.b64encode(f"{username}:{DEMO_PASSWORD}".encode()).decode()
    return str(client.post("/api/v1/tokens", headers={"Authorization": f"Basic {basic}"}).get_json()["token"])


def test_the_liveness_check_answers_without_the_database(client):
    """/healthz: the baseline make bench measures the pages against — the app's own request handling, no query."""
    with sent() as statements:
        answer = client.get("/healthz")
    assert (answer.status_code, answer.get_data(as_text=True), answer.mimetype) == (200, "ok\n", "text/plain")
    assert statements == []


def test_the_login_record_costs_the_same_for_two_people_or_eight(client, auth, people):
    """The administrator's 登录记录 names each attempt's person: read with the attempts, not one query a person (the
    bench found it growing with the people who had signed in)."""

    def statements() -> int:
        auth.login("admin")
        with sent() as seen:
            assert client.get("/admin/logins").status_code == 200
        return len(seen)

    for username in ("operator", "reviewer"):
        auth.login(username)
    few = statements()
    for username in ("operator2", "group", "bank1", "bank2", "ent1", "ent2"):
        auth.login(username)
    assert statements() == few

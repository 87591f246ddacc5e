"""A workbench queue shows its first 50 in the order the work is taken and says how many it holds (issue 14: a
province's fund has thousands waiting in some queues; the page listed them all)."""

from __future__ import annotations

import re


def test_a_queue_of_more_than_fifty_shows_fifty_and_its_count_with_the_way_to_the_rest(client, auth, flows):
    first = [flows.submit(enterprise=f"ent{n % 3 + 1}", documents=False).id for n in range(53)]
    auth.login("reviewer")
    html = client.get("/home").get_data(as_text=True)
    assert '待受理 <span class="badge text-bg-secondary">53</span>' in html
    pane = html.split('id="q-submitted"', 1)[1].split('class="tab-pane', 1)[0]
    shown = [int(n) for n in re.findall(r'href="/applications/(\d+)"', pane)]
    assert sorted(set(shown)) == first[:50]  # the first fifty submitted (all three enterprises are SMEs)
    assert "显示按办理顺序的前 50 笔，共 53 笔" in pane
    assert 'href="/applications?state=submitted"' in pane


def test_a_queue_of_fifty_or_fewer_has_no_footer(client, auth, busy):
    auth.login("reviewer")
    html = client.get("/home").get_data(as_text=True)
    assert '待受理 <span class="badge text-bg-secondary">' in html
    assert "显示按办理顺序的前" not in html


def badges(html: str) -> dict[str, int]:
    return {
        t: int(n.replace(",", "")) for t, n in re.findall(r'>\s*(\S+) <span class="badge [^"]+">([\d,]+)</span>', html)
    }


def opened(html: str) -> tuple[str, list[int]]:
    """The tab shown as current and the applications listed below the tabs."""
    [title] = re.findall(r'class="nav-link active" aria-current="page"[^>]*>\s*(\S+) ', html)
    pane = html.split('<div id="q-', 1)[1]
    return title, [int(n) for n in re.findall(r'href="/applications/(\d+)"', pane)]


def test_the_workbench_counts_every_queue_and_lists_the_one_opened(client, auth, busy):
    """Issue 28: every tab says how many its queue holds; the rows are the opened queue's only (the first queue's
    unless ``?queue=`` names another of the role's) — a province's operator had six queues of 50 rows on each visit."""
    auth.login("operator")
    counts = {"待审批": 1, "待放款": 0, "待复核": 0, "已放款未收回": 1, "逾期": 0, "待归档": 0}
    html = client.get("/home").get_data(as_text=True)
    assert badges(html) == counts
    assert opened(html) == ("待审批", [busy["committed"]])
    html = client.get("/home?queue=out").get_data(as_text=True)
    assert badges(html) == counts
    assert opened(html) == ("已放款未收回", [busy["disbursed"]])
    assert 'href="/home?queue=to_approve#queues"' in html
    assert opened(client.get("/home?queue=to_disburse").get_data(as_text=True)) == ("待放款", [])
    for other in ("group_review", "nonsense", ""):  # not a queue of the operator's: the first
        assert opened(client.get(f"/home?queue={other}").get_data(as_text=True)) == ("待审批", [busy["committed"]])

    auth.login("bank2")  # JSB: ent3's accepted application to commit to, ent1's bridge out to renew and to return
    html = client.get("/home").get_data(as_text=True)
    assert badges(html) == {"待出具转贷承诺": 1, "待确认续贷": 1, "待划回资金": 1}
    assert opened(html) == ("待出具转贷承诺", [busy["accepted"]])
    assert opened(client.get("/home?queue=to_return").get_data(as_text=True)) == ("待划回资金", [busy["disbursed"]])
    auth.login("bank1")  # ICBC: none of JSB's
    assert badges(client.get("/home").get_data(as_text=True)) == {"待出具转贷承诺": 0, "待确认续贷": 0, "待划回资金": 0}


def test_a_queue_is_counted_up_to_the_lists_cap(client, auth, flows, monkeypatch):
    """As the list of applications counts (to 10,000, then "more"): the years' repaid applications waiting to be
    archived were counted in full on every visit (issue 28)."""
    from loanfund.services.applications import workbench

    for _ in range(3):
        flows.submit(documents=False)
    monkeypatch.setattr(workbench, "COUNT_CAP", 2)
    monkeypatch.setattr(workbench, "QUEUE_ROWS", 1)
    auth.login("reviewer")
    html = client.get("/home").get_data(as_text=True)
    assert '待受理 <span class="badge text-bg-secondary">2+</span>' in html
    assert "显示按办理顺序的前 1 笔，共超过 2 笔 ·" in html  # as the list of applications says it
    monkeypatch.setattr(workbench, "COUNT_CAP", 3)  # exactly at the cap: the number itself
    assert '待受理 <span class="badge text-bg-secondary">3</span>' in client.get("/home").get_data(as_text=True)

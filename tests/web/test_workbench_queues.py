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

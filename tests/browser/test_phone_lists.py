"""A list of applications on a phone (issue 30): each row a card — the enterprise's name on one line on top, its state
on the screen — and the page through axe at 390 px; at 1366 px the same list is a table."""

from __future__ import annotations

import pytest

from tests.browser.conftest import accessible, shoot
from tests.browser.test_walkthrough import login

pytestmark = pytest.mark.browser


def test_the_application_list_is_cards_on_a_phone(browser, busy_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    try:
        login(page, busy_server, "operator")
        page.goto(f"{busy_server}/applications")
        row = page.locator("table.lf-cards tbody tr").first
        assert row.evaluate("r => getComputedStyle(r).display") == "flex"
        name = row.locator("td.lf-card-title")
        box, card = name.bounding_box(), row.bounding_box()
        assert box is not None and card is not None
        assert box["y"] - card["y"] < 12  # the enterprise's name heads the card
        assert box["height"] < 30, "the name runs on one line, not a character a line"
        state = row.locator("td.lf-card-state").bounding_box()
        assert state is not None and state["x"] + state["width"] <= 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 391
        shoot(page, "11-phone-application-cards")
        accessible(page)
        page.set_viewport_size({"width": 1366, "height": 900})
        assert row.evaluate("r => getComputedStyle(r).display") == "table-row"
    finally:
        context.close()

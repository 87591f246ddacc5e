"""忘记密码 in a real browser on a real server (issue 30): from the login page to a new password, each page through
axe at 1366 and 390 px; the link read from the message the server queued (its database file)."""

from __future__ import annotations

import re
import sqlite3

import pytest

from tests.browser.conftest import accessible, shoot
from tests.browser.test_walkthrough import login
from tests.integration.test_password_reset import NEW

pytestmark = pytest.mark.browser


def test_a_forgotten_password_is_reset_through_the_link(page, live_server, tmp_path):  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/login")
    page.click("text=忘记密码？")
    page.wait_for_url(re.compile(r"/password/forgot$"))
    accessible(page)
    page.fill("#identifier", "ent1")
    page.click("button:has-text('发送重置链接')")
    page.wait_for_url(re.compile(r"/login$"))
    assert "重置密码的链接将在几分钟内发送到账户登记的邮箱" in page.content()
    with sqlite3.connect(tmp_path / "browser.db") as database:
        (body,) = database.execute("SELECT body FROM messages WHERE kind = 'password_reset'").fetchone()
    link = re.search(r"https?://[^\s]+/password/reset/[A-Za-z0-9_-]{43}", body)
    assert link is not None
    page.goto(link.group(0))
    accessible(page)
    shoot(page, "10-password-reset")
    page.fill("#new_password", NEW)
    page.fill("#new_password_again", NEW)
    page.click("button:has-text('设置新密码')")
    page.wait_for_url(re.compile(r"/login$"))
    assert "密码已重置，请用新密码登录" in page.content()
    login(page, live_server, "ent1", NEW)

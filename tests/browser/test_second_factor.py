"""两步验证 and 办理时限 in a real browser on a real server (issue 30): an operator turns the second factor on (the QR
code, the first code from the secret, the recovery codes), logs in again with a code, and reads an application's
stages against their time limits; the administrator's settings page with the limits. Each page through axe at 1366
and 390 px."""

from __future__ import annotations

import re
import sqlite3

import pyotp
import pytest

from tests.browser.conftest import accessible, shoot
from tests.browser.test_walkthrough import login
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_the_second_factor_is_turned_on_and_asked_at_the_next_login(page, busy_server, tmp_path):  # type: ignore[no-untyped-def]
    login(page, busy_server, "operator")
    page.goto(f"{busy_server}/account/second-factor")
    accessible(page)
    page.click("button:has-text('开始启用')")
    page.wait_for_selector(".lf-qr svg")
    accessible(page)
    shoot(page, "13-second-factor")
    secret = page.locator("#totp-secret").inner_text().strip()
    page.fill("#otp", pyotp.TOTP(secret).now())
    page.click("button:has-text('启用')")
    page.wait_for_selector("#recovery-codes")
    codes = [c.strip() for c in page.locator("#recovery-codes code").all_inner_texts()]
    assert len(codes) == 10
    accessible(page)
    page.click("button:has-text('退出')")
    page.wait_for_url(re.compile(r"/login$"))
    page.fill("#username", "operator")
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/login/code$"))
    accessible(page)
    page.fill("#otp", codes[0])  # a recovery code: the app's current code was taken by the enrolment
    page.click("button:has-text('验证并登录')")
    page.wait_for_url(re.compile(r"/home$"))
    with sqlite3.connect(tmp_path / "browser.db") as database:
        (application_id,) = database.execute(
            "SELECT id FROM applications WHERE state IN ('disbursed', 'renewed', 'repaid') ORDER BY id DESC LIMIT 1"
        ).fetchone()
    page.goto(f"{busy_server}/applications/{application_id}")
    card = page.locator("#time-limits")
    assert "申请至放款" in card.inner_text() and "应于" in card.inner_text()


def test_the_administrator_sets_the_time_limits(page, busy_server):  # type: ignore[no-untyped-def]
    login(page, busy_server, "admin")
    page.goto(f"{busy_server}/admin/settings")
    accessible(page)
    page.fill("#limit_commitment", "3")
    page.click("button:has-text('保存')")
    page.wait_for_url(re.compile(r"/admin/settings$"))
    assert page.locator("#limit_commitment").input_value() == "3"

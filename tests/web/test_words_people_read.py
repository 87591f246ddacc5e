"""Words people read (issue 23): the audit record in field names, state labels, 元 and local time, one card per record
on a phone, its filters kept; no rule code or internal event code on what an enterprise, a bank or the group reads
(the platform's staff keep the codes beside the words); the API's renewal_late as the sweep sees it.

The bridge: ent1's 30,000,000.00 out on 1 Nov 2026 at ICBC; the bank's renewal deadline is 3 Nov (R9)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from loanfund import clock
from loanfund.domain.events import event_label
from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.extensions import db
from loanfund.models import User
from loanfund.services import lifecycle
from loanfund.services.oversight.sweep import sweep
from tests.conftest import csrf_token

M = Money.parse


def user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" ：", "：")


def test_every_event_has_words_and_no_code_is_shown() -> None:
    assert event_label("renewal-short") == "续贷金额少于承诺"
    assert event_label("bank-claim") == "认定合作银行清偿责任"
    assert event_label("settled-by-bank") == "银行清偿结清"
    assert event_label("recovery-measure") == "追偿措施"
    assert event_label("authorise-disbursement") == "复核放款"
    assert event_label("something-new") == "其他事项"


def test_the_audit_record_reads_in_words(client, auth, flows, traveller) -> None:
    application = flows.to(State.APPROVED)  # approved on 1 Nov 2026 at 09:00 (01:00 UTC)
    auth.login("group")
    html = client.get(f"/audit?subject=applications&subject_id={application.id}").get_data(as_text=True)
    text = words(html)
    assert "状态：银行已承诺 → 已批准" in text
    assert "批准金额：— → 30,000,000.00 元" in text
    assert "批准日期：— → 2026年11月1日" in text
    assert "审批人：— → 张经办（#" in text  # named, and by name: not approved_by_id = 3
    assert "申请金额：30,000,000.00 元" in text  # the insert, in 元
    assert "提交时间：2026-11-01 09:00:00" in text  # local time, not 01:00 UTC
    for raw in ("approved_amount", "bank_committed", "3000000000", "+00:00", "<code>"):
        assert raw not in html, raw
    assert 'class="table table-dense mb-0 lf-cards"' in html and 'data-label="修改内容"' in html  # cards on a phone


def test_checking_the_chain_keeps_the_filters(client, auth, flows, traveller) -> None:
    flows.to(State.SUBMITTED)
    auth.login("admin")
    page = client.get("/audit?subject=applications&actor=ent1").get_data(as_text=True)
    assert 'action="/audit/verify?subject=applications&amp;actor=ent1"' in page
    answer = client.post("/audit/verify?subject=applications&actor=ent1", data={"csrf_token": csrf_token(page)})
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/audit?subject=applications&actor=ent1")


def test_the_audit_export_reads_in_words_too(client, auth, flows, traveller) -> None:
    import io

    import openpyxl

    flows.to(State.APPROVED)
    auth.login("admin")
    book = openpyxl.load_workbook(io.BytesIO(client.get("/audit/export?subject=applications").data))
    after = [row[8].value or "" for row in book["审计记录"].iter_rows(min_row=5)]
    assert any("状态：已批准" in cell and "批准金额：30,000,000.00 元" in cell for cell in after)
    assert not any("approved_amount" in cell for cell in after)


def test_the_group_reads_the_rule_checks_in_words_and_the_platform_with_their_codes(client, auth, flows) -> None:
    application = flows.to(State.BANK_COMMITTED)
    auth.login("group")
    rows = re.findall(
        r"<tr><td class=\"text-(?:success|danger)[^>]*>.*?</tr>",
        client.get(f"/applications/{application.id}").get_data(as_text=True),
        flags=re.S,
    )
    assert rows and not any(re.search(r"\bR\d+\b", words(row)) for row in rows)
    assert any("资金余额充足" in words(row) for row in rows)  # the fund's position is the group's to read
    auth.login("operator")
    rows = re.findall(
        r"<tr><td class=\"text-(?:success|danger)[^>]*>.*?</tr>",
        client.get(f"/applications/{application.id}").get_data(as_text=True),
        flags=re.S,
    )
    assert words(rows[0]) == "✓ R11 黑名单 未列入黑名单"


def check_rows(html: str) -> list[str]:
    return re.findall(r"<tr><td class=\"text-(?:success|danger)[^>]*>.*?</tr>", html, flags=re.S)


@pytest.mark.parametrize("username", ["ent1", "bank1", "group"])
def test_the_timeline_names_the_sweeps_findings_in_words(client, auth, flows, traveller, username) -> None:
    application = flows.to(State.DISBURSED)
    lifecycle.confirm_renewal(user("bank1"), application.id, "新借字9", M("35,000,000.00"), clock.today())
    sweep()  # renewed for less than committed: renewal-short
    auth.login(username)
    html = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "续贷金额少于承诺" in html
    assert "renewal-short" not in html

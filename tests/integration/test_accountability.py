"""第二十四条 as an answer (issue 24): for a loss, every person's part in order — who reviewed, committed, decided,
prepared, authorised, pursued and wrote it off — with their words; for a blacklist entry, who proposed and who
decided. Read by the platform and the group, printable; nobody else finds it."""

from __future__ import annotations

from datetime import date

import pytest

from loanfund.domain.lifecycle import State
from loanfund.domain.money import Money
from loanfund.services.group import accountability
from loanfund.services.oversight import blacklist
from tests.flows import Flows
from tests.web.test_confirmations import text_of

pytestmark = pytest.mark.both_databases

REVIEWER = "平台审核（市中小企业发展中心）"
OPERATOR = "平台运营（市工业投资集团）"


def test_a_loss_names_everyone_who_had_a_part(flows: Flows) -> None:
    lost = flows.to(State.WRITTEN_OFF)  # 30,000,000.00 out on 1 Nov, not back, recovery, written off
    answer = accountability.for_application(flows.user("group"), lost.id)
    assert answer.loss == Money.parse("30,000,000.00")
    assert [(a.duty, a.step, a.person, a.role) for a in answer.answers] == [
        ("申请", "提交申请", "孙会计", "企业"),
        ("资格和信用审查", "受理", "李审核", REVIEWER),
        ("银行审核与承诺", "出具转贷承诺", "王立新", "合作银行"),
        ("决定借款金额", "批准", "张经办", OPERATOR),
        ("放款制单", "制单（放款）", "张经办", OPERATOR),
        ("放款复核", "复核放款", "赵复核", OPERATOR),
        ("逾期追偿与核销", "启动追偿", "张经办", OPERATOR),
        ("逾期追偿与核销", "核销", "领导小组办公室", "领导小组办公室"),
    ]
    review = answer.answers[1]
    assert review.words == "受理；征信正常"
    assert "不良信用记录：无不良信用记录" in review.details and "征信报告日期：2026-11-01" in review.details
    written_off = answer.answers[-1]
    assert written_off.details.endswith("领导小组决定第 1 号")
    assert "会议纪要编号：纪要〔2026〕9号" in written_off.details
    assert "未收回本金：30,000,000.00 元" in written_off.details  # in words, never the payload's own key


def test_a_blacklist_entry_names_who_proposed_and_who_decided(flows: Flows) -> None:
    entry = blacklist.submit_proposal(
        flows.user("operator"), flows.user("ent2").enterprise, "fraud", "伪造购销合同", date(2026, 11, 1)
    )
    blacklist.decide(flows.user("group"), entry.id, True, "事实清楚", "纪要〔2026〕5号")
    answer = accountability.for_blacklist_entry(flows.user("reviewer"), entry.id)
    assert [(a.duty, a.step, a.person, a.words, a.details) for a in answer.answers] == [
        (
            "提议列入",
            "提议列入黑名单",
            "张经办",
            "伪造购销合同",
            "列入原因：骗取；列入日期：2026-11-01",
        ),
        (
            "领导小组决定",
            "确认列入黑名单",
            "领导小组办公室",
            "事实清楚",
            "领导小组决定第 1 号；会议纪要：纪要〔2026〕5号",
        ),
    ]


@pytest.mark.parametrize(("username", "status"), [("group", 200), ("operator", 200), ("bank1", 404), ("ent1", 404)])
def test_the_page_is_the_platforms_and_the_groups(client, auth, flows: Flows, username: str, status: int) -> None:  # type: ignore[no-untyped-def]
    lost = flows.to(State.WRITTEN_OFF)
    auth.login(username)
    page = client.get(f"/applications/{lost.id}/accountability")
    assert page.status_code == status
    if status == 200:
        words = text_of(page.get_data(as_text=True))
        assert "已核销损失本金 30,000,000.00 元（人民币叁仟万元整）" in words
        assert "放款复核 第十七条 复核放款 赵复核 平台运营（市工业投资集团） 2026-11-01" in words

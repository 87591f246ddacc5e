"""The leading group's register (第四、二十条; issue 24): every group step writes its decision there and points to it;
the group's office records meetings with their minutes, the reports it heard and other 重大事项; the platform files its
管理制度 by version with the filing date. Pages, API and the audit pack read the same."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest
from sqlalchemy import select

from loanfund.domain.errors import InvalidInput, NotAllowed
from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import ApplicationEvent, GroupDecision
from loanfund.services import lifecycle
from loanfund.services.group import group_register
from loanfund.services.oversight import blacklist
from loanfund.services.reports import audit_pack, monthly
from tests.api.conftest import Api
from tests.factories import city_fund_id
from tests.flows import Flows
from tests.web.test_confirmations import text_of
from tests.web.test_forms import feedback, post_form

pytestmark = pytest.mark.both_databases

MINUTES = [("纪要〔2026〕4号.pdf", b"%PDF-1.4\n%minutes\n")]


def meeting(flows: Flows, ref: str = "纪要〔2026〕4号", held_on: date = date(2026, 10, 30)):  # type: ignore[no-untyped-def]
    return group_register.record_meeting(
        flows.user("group"), held_on, "2026年第4次领导小组会议", "组长王某、副组长李某等 7 人", ref, MINUTES
    )


def errors(call) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as caught:
        call()
    db.session.rollback()
    return caught.value.errors


def test_each_group_step_writes_its_decision_and_points_to_it(flows: Flows, traveller) -> None:  # type: ignore[no-untyped-def]
    group = flows.user("group")
    large = flows.to(State.GROUP_REVIEW)  # 45,000,000.00: over the 40,000,000.00 of R6
    lifecycle.group_approve(group, large.id, "纪要〔2026〕4号", "同意，7 票赞成")
    decided = db.session.scalars(select(GroupDecision).where(GroupDecision.application_id == large.id)).one()
    assert (decided.kind, decided.outcome, decided.minutes_ref, decided.note, decided.decided_on.isoformat()) == (
        "application",
        "批准",
        "纪要〔2026〕4号",
        "同意，7 票赞成",
        "2026-11-01",
    )
    assert decided.subject == (
        f"应急转贷 {large.reference}：连云港海润机械制造有限公司，45,000,000.00 元（金额超过 4,000.00 万元）"
    )
    event = db.session.scalars(
        select(ApplicationEvent).where(
            ApplicationEvent.application_id == large.id, ApplicationEvent.action == "group-approve"
        )
    ).one()
    assert event.payload["decision_id"] == decided.id

    lost = flows.to(State.RECOVERY)
    lifecycle.write_off(group, lost.id, "纪要〔2026〕5号")
    written = db.session.scalars(select(GroupDecision).where(GroupDecision.application_id == lost.id)).one()
    assert (written.outcome, written.subject) == (
        "核销",
        f"应急转贷 {lost.reference}：连云港海润机械制造有限公司逾期未归还，核销本金 30,000,000.00 元",
    )

    entry = blacklist.submit_proposal(
        flows.user("operator"), flows.user("ent2").enterprise, "fraud", "骗取", date(2026, 11, 10)
    )
    blacklist.decide(group, entry.id, True, "确认", "纪要〔2026〕5号")
    blacklist.lift(group, entry.id, "经复核，原认定有误")
    on_entry = [(d.outcome, d.minutes_ref) for d in group_register.decisions_on(blacklist_entry_id=entry.id)]
    assert on_entry == [("确认列入黑名单", "纪要〔2026〕5号"), ("提前解除", "")]


def test_a_meeting_names_every_problem_at_once_and_its_minutes_number_once(flows: Flows) -> None:
    group = flows.user("group")
    assert errors(lambda: group_register.record_meeting(group, date(2026, 11, 2), "", " ", "", [])) == {
        "held_on": ["会议日期不能晚于今天（2026-11-01）"],
        "title": ["请填写会议名称"],
        "attendees": ["请填写出席人员"],
        "minutes_ref": ["请填写会议纪要编号"],
        "file": ["请选择要上传的文件"],
    }
    meeting(flows)
    again = errors(lambda: meeting(flows))
    assert again == {"minutes_ref": ["会议纪要 纪要〔2026〕4号 已登记"]}
    with pytest.raises(NotAllowed):
        group_register.record_meeting(flows.user("operator"), date(2026, 10, 30), "会", "人", "纪要X", MINUTES)


def test_the_register_files_decisions_under_their_meeting(flows: Flows) -> None:
    group = flows.user("group")
    meeting(flows)
    assert errors(lambda: group_register.record_other(group, "纪要〔2026〕9号", "扩大资金规模", "同意", "")) == {
        "minutes_ref": ["会议纪要 纪要〔2026〕9号 尚未登记，请先登记会议"]
    }
    group_register.record_other(group, "纪要〔2026〕4号", "首期资金增加至 3 亿元", "原则同意", "7 票赞成")
    large = flows.to(State.GROUP_REVIEW)
    lifecycle.group_reject(group, large.id, "纪要〔2026〕6号", "企业负债率过高")  # minutes not yet registered
    lines = group_register.register(group, 2026)
    assert [
        (line.meeting.minutes_ref if line.meeting else None, [d.outcome for d in line.decisions]) for line in lines
    ] == [
        ("纪要〔2026〕4号", ["原则同意"]),
        (None, ["否决"]),
    ]


def test_the_group_hears_a_submitted_report(client, auth, flows: Flows) -> None:  # type: ignore[no-untyped-def]
    report = monthly.submit(flows.user("operator"), 2026, 10, analysis="十月运行平稳")
    meeting(flows)
    group_register.hear_report(flows.user("group"), report.id, "纪要〔2026〕4号", "运行平稳，继续做好风险防控")
    heard = group_register.heard(report.id)
    assert [(d.kind, d.subject, d.outcome) for d in heard] == [
        ("report", "2026年10月应急转贷资金使用分析（第 1 版）", "已听取")
    ]
    auth.login("operator")
    words = text_of(client.get("/reports/monthly/2026/10/r1").get_data(as_text=True))
    assert "领导小组听取 2026年11月1日，纪要 纪要〔2026〕4号 ：运行平稳，继续做好风险防控" in words


def test_rules_documents_are_versioned_with_their_filing_date(flows: Flows) -> None:
    operator = flows.user("operator")
    first = group_register.file_rules(
        operator, "应急转贷资金操作规程", date(2026, 3, 1), "", [("规程.pdf", b"%PDF-1.4\n1")]
    )
    second = group_register.file_rules(
        operator, "应急转贷资金操作规程", date(2026, 10, 20), "增加征信审查要求", [("规程-修订.pdf", b"%PDF-1.4\n2")]
    )
    other = group_register.file_rules(operator, "风险预警制度", date(2026, 10, 20), "", [("预警.pdf", b"%PDF-1.4\n3")])
    assert [(d.title, d.version, d.filed_on.isoformat()) for d in group_register.rules_documents(operator)] == [
        ("应急转贷资金操作规程", 2, "2026-10-20"),
        ("应急转贷资金操作规程", 1, "2026-03-01"),
        ("风险预警制度", 1, "2026-10-20"),
    ]
    filed = [
        (d.subject, d.outcome) for d in db.session.scalars(select(GroupDecision).where(GroupDecision.kind == "rules"))
    ]
    assert filed == [
        ("《应急转贷资金操作规程》第 1 版报领导小组备案", "已备案"),
        ("《应急转贷资金操作规程》第 2 版报领导小组备案", "已备案"),
        ("《风险预警制度》第 1 版报领导小组备案", "已备案"),
    ]
    assert (first.id, second.id, other.id) == (first.id, first.id + 1, first.id + 2)
    with pytest.raises(NotAllowed):
        group_register.file_rules(flows.user("group"), "x", date(2026, 10, 1), "", [("a.pdf", b"%PDF-1.4\n")])


def test_the_pages_record_and_read_and_other_parties_see_nothing(client, auth, flows: Flows) -> None:  # type: ignore[no-untyped-def]
    auth.login("group")
    typed = {"held_on": "2026-10-30", "title": "2026年第4次领导小组会议", "attendees": "组长等 7 人", "minutes_ref": ""}
    refused = post_form(
        client, "/group/meetings", typed | {"file": (io.BytesIO(b"%PDF-1.4\n"), "纪要.pdf")}, page="/group"
    )
    assert refused.status_code == 422
    assert feedback(refused.get_data(as_text=True), "minutes_ref") == ["请填写会议纪要编号"]
    typed["minutes_ref"] = "纪要〔2026〕4号"
    done = post_form(
        client, "/group/meetings", typed | {"file": (io.BytesIO(b"%PDF-1.4\n"), "纪要.pdf")}, page="/group"
    )
    assert done.status_code == 302
    words = text_of(client.get("/group").get_data(as_text=True))
    assert "2026年10月30日 · 2026年第4次领导小组会议 纪要 纪要〔2026〕4号 会议纪要：纪要.pdf" in words
    auth.login("operator")
    filed = post_form(
        client,
        "/group/rules",
        {
            "title": "应急转贷资金操作规程",
            "filed_on": "2026-10-31",
            "note": "",
            "file": (io.BytesIO(b"%PDF-1.4\n"), "规程.pdf"),
        },
    )
    assert filed.status_code == 302
    assert "应急转贷资金操作规程 第 1 版 2026年10月31日" in text_of(client.get("/group/rules").get_data(as_text=True))
    for outsider in ("ent1", "bank1"):
        auth.login(outsider)
        assert client.get("/group").status_code == 404
        assert client.get("/group/rules").status_code == 404
    body = Api(client).get("admin", "/group/register?year=2026").get_json()
    assert [(m["minutes_ref"], m["held_on"]) for m in body["meetings"]] == [("纪要〔2026〕4号", "2026-10-30")]
    assert [(d["kind"], d["outcome"]) for d in body["unregistered"]] == [("rules", "已备案")]
    assert Api(client).get("bank1", "/group/register").status_code == 403


def test_the_audit_pack_carries_the_register_and_the_rules(flows: Flows, tmp_path) -> None:  # type: ignore[no-untyped-def]
    meeting(flows)
    group_register.file_rules(flows.user("operator"), "操作规程", date(2026, 10, 20), "", [("规程.pdf", b"%PDF-1.4\n")])
    large = flows.to(State.GROUP_REVIEW)
    lifecycle.group_approve(flows.user("group"), large.id, "纪要〔2026〕4号")
    packed = audit_pack.build(city_fund_id(), 2026, tmp_path)
    with zipfile.ZipFile(packed.path) as pack:
        names = set(pack.namelist())
        assert {"group/meetings.csv", "group/decisions.csv", "group/rules.csv"} <= names
        assert any(re.fullmatch(r"group/minutes/\d+-纪要〔2026〕4号\.pdf", n) for n in names)
        assert any(re.fullmatch(r"group/rules/\d+-v1-规程\.pdf", n) for n in names)
        decisions = pack.read("group/decisions.csv").decode("utf-8-sig")
    assert "纪要〔2026〕4号,应急转贷审批" in decisions and ",批准," in decisions

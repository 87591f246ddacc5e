"""The green channel (第二十七条; issue 24): an application says which land or house mortgage its renewal involves; an
operator issues the platform's numbered letter to the departments that register it — after a confirmation, once per
application, between acceptance and the renewal — and the enterprise and its bank are told and read it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from loanfund.domain.errors import NotAllowed
from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import Application, ApplicationEvent, GreenChannelLetter, Message
from loanfund.services.applications import green_channel
from tests.api.conftest import Api
from tests.api.test_lifecycle_api import APPLY, bank_id
from tests.conftest import confirm, form_tokens
from tests.flows import ENTERPRISE_MATERIALS, Flows, attach
from tests.web.test_confirmations import text_of

pytestmark = pytest.mark.both_databases

LAND = "自然资源和规划局（不动产登记机构）"
HOUSING = "住房和城乡建设局"


def refused(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(NotAllowed) as caught:
        call()
    db.session.rollback()
    return caught.value.message


def test_letters_are_numbered_within_the_year_and_addressed_by_the_mortgage(flows: Flows) -> None:
    operator = flows.user("operator")
    expected = [
        ("house", "绿通〔2026〕1号", HOUSING),
        ("land", "绿通〔2026〕2号", LAND),
        ("both", "绿通〔2026〕3号", f"{LAND}、{HOUSING}"),
    ]
    for mortgage, number, addressed in expected:
        application = flows.to(State.BANK_COMMITTED, mortgage=mortgage)
        letter = green_channel.issue(operator, application.id)
        assert (letter.number, letter.departments, letter.issued_on.isoformat()) == (number, addressed, "2026-11-01")
        event = db.session.scalars(
            select(ApplicationEvent).where(
                ApplicationEvent.application_id == application.id, ApplicationEvent.action == "green-channel-letter"
            )
        ).one()
        assert (event.note, event.actor_id, event.to_state) == (number, operator.id, "bank_committed")


def test_the_enterprise_and_the_bank_are_told(flows: Flows) -> None:
    application = flows.to(State.ACCEPTED, mortgage="house")
    green_channel.issue(flows.user("operator"), application.id)
    told = {
        (m.user.username, m.subject, m.body)
        for m in db.session.scalars(select(Message).where(Message.kind == "green_channel"))
    }
    sent = f"平台已向{HOUSING}开具绿色通道函（绿通〔2026〕1号），请其对续贷涉及的房产抵押事项优先办理"
    assert told == {
        (
            "ent1",
            f"应急转贷 {application.reference}：已开具绿色通道函",
            f"贵企业的应急转贷 {application.reference}：{sent}。办理抵押登记时请携带该函。",
        ),
        (
            "bank1",
            f"绿色通道函：{application.reference}",
            f"连云港海润机械制造有限公司的应急转贷 {application.reference}：{sent}。",
        ),
    }


def test_no_letter_without_a_mortgage_before_acceptance_after_renewal_twice_or_by_the_reviewer(flows: Flows) -> None:
    operator = flows.user("operator")
    plain = flows.to(State.ACCEPTED)
    assert (
        refused(lambda: green_channel.issue(operator, plain.id))
        == "该申请的续贷不涉及土地、房产抵押，无需开具绿色通道函"
    )
    early = flows.to(State.SUBMITTED, mortgage="land")
    assert refused(lambda: green_channel.issue(operator, early.id)) == (
        "申请当前状态为“已提交”：绿色通道函在受理后、银行续贷前开具"
    )
    late = flows.to(State.RENEWED, mortgage="land")
    assert refused(lambda: green_channel.issue(operator, late.id)) == (
        "申请当前状态为“银行已续贷”：绿色通道函在受理后、银行续贷前开具"
    )
    ready = flows.to(State.DISBURSED, mortgage="land")
    assert refused(lambda: green_channel.issue(flows.user("reviewer"), ready.id)) == "绿色通道函由平台运营人员开具"
    green_channel.issue(operator, ready.id)
    assert refused(lambda: green_channel.issue(operator, ready.id)) == "已于 2026-11-01 开具绿色通道函"
    assert db.session.scalars(select(GreenChannelLetter.seq)).all() == [1]


def test_the_letter_reads_as_issued(flows: Flows) -> None:
    application = flows.to(State.APPROVED, mortgage="both")
    letter = green_channel.issue(flows.user("operator"), application.id)
    words = text_of(green_channel.letter_html(letter))
    assert "关于为应急转贷企业办理土地和房产抵押登记开辟绿色快捷通道的函" in words
    assert f"{LAND}、{HOUSING}：" in words
    assert (
        "连云港海润机械制造有限公司（统一社会信用代码 91320706MA1Q8RXL4A）在中国工商银行连云港分行的到期贷款"
        f"（合同编号 {application.loan_contract_no}，本息 40,000,000.00 元，大写人民币肆仟万元整）" in words
    )
    assert "根据连政办发〔2018〕162号关于“对申请应急转贷资金的企业" in words
    assert "2026年11月1日" in words and "绿通〔2026〕1号" in words
    assert green_channel.letter_pdf(letter).startswith(b"%PDF-")


def test_the_operator_issues_it_from_the_page_and_the_parties_read_it(client, auth, flows: Flows) -> None:  # type: ignore[no-untyped-def]
    application = flows.to(State.BANK_COMMITTED, mortgage="house")
    page = f"/applications/{application.id}"
    auth.login("operator")
    shown = client.post(f"{page}/green-channel", data=_tokens(client, page))
    assert shown.status_code == 200
    words = text_of(shown.get_data(as_text=True))
    assert f"函号 绿通〔2026〕1号 致 {HOUSING}" in words
    assert db.session.scalars(select(GreenChannelLetter)).all() == []  # the first press writes nothing
    assert confirm(client, f"{page}/green-channel", {}, page).status_code == 302
    for username in ("ent1", "bank1", "group"):
        auth.login(username)
        card = re.search(
            r"绿色通道（土地、房产抵押） (.*?) 下载绿色通道函（PDF）", text_of(client.get(page).get_data(as_text=True))
        )
        assert card is not None, username
        assert f"函号 绿通〔2026〕1号 致 {HOUSING} 开具日期 2026年11月1日" in card.group(1)
        pdf = client.get(f"{page}/green-channel.pdf")
        assert (pdf.status_code, pdf.mimetype, pdf.data[:5]) == (200, "application/pdf", b"%PDF-")
    auth.login("bank2")
    assert client.get(f"{page}/green-channel.pdf").status_code == 404


def _tokens(client, page: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return form_tokens(client.get(page).get_data(as_text=True), page + "/green-channel")


def test_the_api_takes_the_mortgage_and_shows_the_letter(client, flows: Flows) -> None:  # type: ignore[no-untyped-def]
    api = Api(client)
    unknown = api.post("ent1", "/applications", APPLY | {"bank_id": bank_id(api), "mortgage": "boat"})
    assert unknown.status_code == 422 and unknown.get_json()["errors"] == {"mortgage": ["未知抵押情况：boat"]}
    made = api.post("ent1", "/applications", APPLY | {"bank_id": bank_id(api), "mortgage": "land"}).get_json()
    assert (made["mortgage"], made["mortgage_label"], made["green_channel_letter"]) == ("land", "涉及土地抵押", None)
    application = db.session.get(Application, made["id"])
    attach(flows.user("ent1"), application, ENTERPRISE_MATERIALS)  # type: ignore[arg-type]
    flows.step(application, "accept")  # type: ignore[arg-type]
    green_channel.issue(flows.user("operator"), made["id"])
    body = api.get("bank1", f"/applications/{made['id']}").get_json()
    assert body["green_channel_letter"] == {"number": "绿通〔2026〕1号", "issued_on": "2026-11-01", "departments": LAND}

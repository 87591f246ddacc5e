"""The blacklist as the fund runs it (R11, 第二十二条): a default proposes its enterprise, the leading group confirms,
the enterprise is refused with the end date until the 3 years are over (ends on the anniversary, inclusive), then
may apply again; an early lift needs the group and a reason; operators propose with every error at once.

The default: ent1's bridge out on 1 Nov 2026, overdue from 12 Nov, written off by the group on 12 Nov 2026 → listed
12 Nov 2026, barred through 12 Nov 2029."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from loanfund import clock
from loanfund.domain.errors import RuleViolation
from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import Bank, BlacklistEntry, Message, User
from loanfund.services.oversight import blacklist
from loanfund.services.oversight.sweep import sweep
from tests.conftest import confirmation_values, form_tokens
from tests.factories import city_fund_id

pytestmark = pytest.mark.both_databases

BARRED = "该企业因“逾期不还”于 2026-11-12 列入黑名单，限制期至 2029-11-12（含），期间不得申请应急转贷资金"


def messages_to(username: str, kind: str) -> list[str]:
    return list(
        db.session.scalars(
            select(Message.subject)
            .join(User, Message.user_id == User.id)
            .where(User.username == username, Message.kind == kind)
        )
    )


def the_entry() -> BlacklistEntry:
    db.session.expire_all()
    return db.session.scalars(select(BlacklistEntry)).one()


def keep_icbc_in_force() -> None:
    """The cast's agreement ends 2028-12-31; these tests live into 2029."""
    db.session.scalars(select(Bank).where(Bank.code == "ICBC-LYG")).one().agreement_end = date(2031, 12, 31)
    db.session.commit()


def press(client, url: str, data: dict[str, str], **kwargs):  # type: ignore[no-untyped-def]
    """Press a form of the blacklist page as a person does: a refusal comes at once; otherwise the confirmation
    (which must be one), then 确认."""
    page = client.get("/blacklist").get_data(as_text=True)
    answer = client.post(url, data=data | form_tokens(page, url), **kwargs)
    html = answer.get_data(as_text=True)
    if answer.status_code != 200 or 'name="confirmed"' not in html:
        return answer
    return client.post(url, data=confirmation_values(html), **kwargs)


def confirm_on_the_page(client, auth, entry_id: int, answer: str = "yes", note: str = ""):  # type: ignore[no-untyped-def]
    auth.login("group")
    url = f"/blacklist/{entry_id}/decision"
    return press(client, url, {"confirm": answer, "note": note}, follow_redirects=True)


def test_a_written_off_default_is_proposed_confirmed_refused_until_the_end_and_then_free(
    client, auth, flows, traveller
):
    keep_icbc_in_force()
    application = flows.to(State.WRITTEN_OFF)
    entry = the_entry()
    assert (entry.state, entry.ground, entry.reason, entry.listed_on, entry.ends_on) == (
        "proposed",
        "not_returned",
        "逾期不还",
        date(2026, 11, 12),
        date(2029, 11, 12),
    )
    assert entry.basis == f"应急转贷 {application.reference} 逾期未归还，经领导小组核销（纪要 纪要〔2026〕9号）"
    assert entry.recorded_by_id is None  # proposed by the platform itself
    assert messages_to("group", "blacklist_proposed") == ["待确认黑名单：连云港海润机械制造有限公司"]
    flows.submit()  # a proposal does not bar

    page = confirm_on_the_page(client, auth, entry.id).get_data(as_text=True)
    assert "连云港海润机械制造有限公司：已确认列入黑名单" in page
    assert the_entry().state == "confirmed"
    assert messages_to("ent1", "blacklisted") == ["贵企业已列入应急转贷黑名单"]
    with pytest.raises(RuleViolation) as refused:
        flows.submit()
    assert [v.message for v in refused.value.violations] == [BARRED]

    traveller.move_to("2029-11-12 18:00:00+08:00")
    with pytest.raises(RuleViolation):
        flows.submit()
    traveller.move_to("2029-11-13 08:00:00+08:00")
    sweep()
    sweep()
    assert messages_to("ent1", "blacklist_ended") == ["黑名单限制期已满：连云港海润机械制造有限公司"]
    assert messages_to("group", "blacklist_ended") == ["黑名单限制期已满：连云港海润机械制造有限公司"]
    assert flows.submit().state == State.SUBMITTED.value
    assert the_entry().status(clock.today()) == "ended"  # still in the history


def test_rejecting_a_proposal_needs_a_reason_and_then_nothing_bars(client, auth, flows, traveller):
    flows.to(State.WRITTEN_OFF)
    entry = the_entry()
    page = confirm_on_the_page(client, auth, entry.id, "no").get_data(as_text=True)
    assert "不予确认须说明理由" in page
    assert the_entry().state == "proposed"
    confirm_on_the_page(client, auth, entry.id, "no", "企业已全额归还，系银行原因")
    assert the_entry().state == "rejected"
    assert flows.submit().state == State.SUBMITTED.value


def test_an_early_lift_needs_the_group_and_a_reason(client, auth, flows, traveller):
    flows.to(State.WRITTEN_OFF)
    entry = the_entry()
    confirm_on_the_page(client, auth, entry.id)
    url = f"/blacklist/{entry.id}/lift"
    auth.login("operator")
    page = client.get("/blacklist").get_data(as_text=True)
    assert f'action="{url}"' not in page  # operators propose; only the group lifts
    assert client.post(url, data={"lift_reason": "x"} | form_tokens(page, "/blacklist")).status_code == 404
    auth.login("group")
    answer = press(client, url, {"lift_reason": ""}, follow_redirects=True)
    assert "提前解除须说明理由" in answer.get_data(as_text=True)
    assert the_entry().lifted_on is None
    press(client, url, {"lift_reason": "经复核系银行延误，企业已足额归还"})
    assert (the_entry().lifted_on, the_entry().lift_reason) == (clock.today(), "经复核系银行延误，企业已足额归还")
    assert flows.submit().state == State.SUBMITTED.value


def test_an_operator_proposal_shows_every_error_at_once_and_a_second_one_is_refused(client, auth, flows, traveller):
    ent2 = db.session.scalars(select(User).where(User.username == "ent2")).one().enterprise
    auth.login("operator")
    page = client.get("/blacklist").get_data(as_text=True)
    bad = {"credit_code": ent2.credit_code.lower(), "ground": "", "basis": "", "listed_on": "2026-11-02"}
    answer = client.post("/blacklist", data=bad | form_tokens(page, "/blacklist"))
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    for message in ("请选择列入黑名单的原因", "请填写列入依据（事实与材料）", "列入日期不能晚于今天"):
        assert re.search(rf'class="invalid-feedback">{message}<', html), message
    assert db.session.scalar(select(func.count()).select_from(BlacklistEntry)) == 0
    good = {
        "credit_code": ent2.credit_code.lower(),
        "ground": "false_statement",
        "basis": "虚报营业收入",
        "listed_on": "2026-11-01",
    }
    assert press(client, "/blacklist", good).status_code == 302
    again = press(client, "/blacklist", good)
    assert again.status_code == 409
    assert "该企业已有待领导小组确认的黑名单提议" in again.get_data(as_text=True)
    assert the_entry().reason == "虚报"


def test_a_bridge_30_days_overdue_proposes_its_enterprise_once(flows, traveller):
    flows.to(State.RENEWED)  # due 11 Nov 2026
    traveller.move_to("2026-12-10 08:00:00+08:00")  # 29 days late
    sweep()
    assert db.session.scalar(select(func.count()).select_from(BlacklistEntry)) == 0
    traveller.move_to("2026-12-11 08:00:00+08:00")  # 30 days late
    assert sweep().proposed == ["连云港海润机械制造有限公司"]
    sweep()
    entry = the_entry()
    assert entry.basis.endswith("于 2026-11-11 到期，截至 2026-12-11 逾期 30 天，尚未归还本金 30,000,000.00 元")


def test_the_export_for_the_city_credit_system(client, auth, flows, traveller):
    flows.to(State.WRITTEN_OFF)
    confirm_on_the_page(client, auth, the_entry().id)
    auth.login("reviewer")
    response = client.get("/blacklist/export.csv")
    assert response.mimetype == "text/csv"
    assert response.get_data(as_text=True).splitlines() == [
        "\ufeff统一社会信用代码,企业名称,列入原因,列入日期,限制期至,提前解除日期,状态",
        "91320706MA1Q8RXL4A,连云港海润机械制造有限公司,逾期不还,2026-11-12,2029-11-12,,限制期内",
    ]
    assert blacklist.export_csv(city_fund_id()).count("\r\n") == 2


def test_a_proposal_names_the_enterprise_by_its_credit_code_and_an_unknown_one_is_told(client, auth, people):
    """No list of every enterprise on the page (a province's fund knows hundreds of thousands): the code is typed."""
    auth.login("operator")
    page = client.get("/blacklist").get_data(as_text=True)
    assert 'name="credit_code"' in page and "<option" not in page.split('name="credit_code"', 1)[0][-300:]
    bad = {"credit_code": "91320700MA1XXXXX0X", "ground": "false_statement", "basis": "虚报", "listed_on": "2026-11-01"}
    answer = client.post("/blacklist", data=bad | form_tokens(page, "/blacklist"))
    assert answer.status_code == 422
    assert re.search(r'class="invalid-feedback">未找到该统一社会信用代码的企业<', answer.get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(BlacklistEntry)) == 0

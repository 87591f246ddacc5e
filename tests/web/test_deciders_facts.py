"""What the deciders know (issue 23): jurisdiction from the credit code (第八条 市域内, R10) and the enterprise's
history beside its application (第十五、十七条 资格和信用审查).

ent1 (海润机械) took 30,000,000.00 on 1 Nov 2026, due back on 11 Nov, and returned it on 14 Nov — 3 days late, fee for
13 days 30,000,000 × (2 × 0.40‰ + 11 × 0.45‰) = 172,500.00; it has 24,000,000.00 out since 14 Nov; a blacklist
proposal against it was not confirmed; and it applies again.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from loanfund import clock
from loanfund.domain.eligibility import check_credit_code_region, district_disagreement
from loanfund.domain.errors import InvalidValue
from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import Application, Enterprise, SignUp, User
from loanfund.services import lifecycle
from loanfund.services.oversight import blacklist
from tests.flows import Flows
from tests.regions import CITY, CITY_DISTRICTS
from tests.web.test_forms import REGISTER, feedback, post_form

BEIJING = "91110000802100433B"  # a valid code whose registering authority is 110000 (北京市)


def user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    ("code", "refused"),
    [
        ("91320706MA1MB4FT6H", False),  # 320706 海州区
        ("91320700MA1MB4FT6E", False),  # 320700: the city's own registry
        ("91320300MA1MB4FT6C", True),  # 320300 徐州市
        (BEIJING, True),
    ],
)
def test_the_credit_codes_region_must_lie_in_the_funds(code: str, refused: bool) -> None:
    from tests.factories import credit_code

    code = credit_code(code[:17])
    if not refused:
        check_credit_code_region(code, CITY)
        return
    with pytest.raises(InvalidValue) as caught:
        check_credit_code_region(code, CITY)
    assert caught.value.code == "credit_code_outside_region"
    assert f"为 {code[2:8]}，不在本市（3207xx）范围内" in caught.value.message


def test_a_district_that_disagrees_with_the_code_is_named() -> None:
    assert district_disagreement("91320703MA1MB4FT6K", "haizhou", CITY_DISTRICTS) == (
        "统一社会信用代码的登记地为连云区（320703），所选县区为海州区，请核实注册地"
    )
    assert district_disagreement("91320703MA1MB4FT6K", "lianyun", CITY_DISTRICTS) is None
    # the city's registry: any district
    assert district_disagreement("91320700MA1MB4FT6E", "haizhou", CITY_DISTRICTS) is None
    # a zone lies within a district
    assert district_disagreement("91320703MA1MB4FT6K", "etdz", CITY_DISTRICTS) is None


def test_a_sign_up_from_outside_the_region_is_refused_with_the_reason(client, people) -> None:
    answer = post_form(client, "/register", REGISTER | {"credit_code": BEIJING})
    assert feedback(answer.get_data(as_text=True), "credit_code") == [
        "统一社会信用代码第3至8位（登记管理机关行政区划码）为 110000，不在本市（3207xx）范围内；"
        "应急转贷资金只服务在本市市域内依法设立的企业（第八条）"
    ]
    assert db.session.scalar(select(Enterprise).where(Enterprise.credit_code == BEIJING)) is None


def test_the_reviewer_sees_a_district_that_disagrees_with_the_code(client, people, auth) -> None:
    post_form(client, "/register", REGISTER)  # 320703 连云区, registered as 海州区
    record = db.session.scalars(select(SignUp)).one()
    auth.login("reviewer")
    page = client.get(f"/sign-ups/{record.id}").get_data(as_text=True)
    assert 'id="district-note">统一社会信用代码的登记地为连云区（320703），所选县区为海州区，请核实注册地' in page


@pytest.fixture
def history(people, traveller) -> dict[str, int]:  # type: ignore[no-untyped-def]
    flows = Flows(traveller)
    late = flows.to(State.DISBURSED)
    traveller.move_to("2026-11-14 10:00:00+08:00")
    flows.step(late, "return")
    assert db.session.get(Application, late.id).fee_due.format() == "172,500.00"  # type: ignore[union-attr]
    out = flows.to(State.DISBURSED, amount="24,000,000.00", loan_due="30,000,000.00", own_funds="6,000,000.00")
    entry = blacklist.submit_proposal(
        user("operator"), user("ent1").enterprise, "false_statement", "材料存疑", clock.today() - timedelta(days=1)
    )
    blacklist.decide(user("group"), entry.id, False, "经核实材料属实")
    now = flows.submit(amount="5,000,000.00", loan_due="6,000,000.00", own_funds="1,000,000.00")
    return {"late": late.id, "out": out.id, "now": now.id}


@pytest.mark.parametrize("who", ["reviewer", "operator", "group"])
def test_the_deciders_see_the_enterprises_history_beside_its_application(client, auth, history, who) -> None:
    auth.login(who)
    html = client.get(f"/applications/{history['now']}").get_data(as_text=True)
    words = text_of(html)
    assert "企业往来记录（资格和信用审查参考）" in words
    assert "曾用款 2 笔 · 逾期归还 1 笔 · 收回不足 0 笔 · 银行承担清偿 0 笔" in words
    late, out = (db.session.get(Application, history[k]) for k in ("late", "out"))
    assert f"另有在外资金 24,000,000.00 元 （1 笔：{out.reference} 24,000,000.00 元）" in words  # type: ignore[union-attr]
    assert "黑名单：虚报，2026年11月13日至2029年11月13日（未予确认）" in words
    rows = re.findall(r"<tr><td><a[^>]*>(ZD\d+)</a>(.*?)</tr>", html, flags=re.S)
    shown = {ref: text_of(rest).strip() for ref, rest in rows}
    assert shown[late.reference].endswith("30,000,000.00 已收回 逾期 3 天")  # type: ignore[union-attr]
    assert shown[out.reference].endswith("24,000,000.00 已放款 在外，未到期")  # type: ignore[union-attr]


@pytest.mark.parametrize("who", ["ent1", "bank1"])
def test_the_enterprise_and_its_bank_are_not_shown_the_history(client, auth, history, who) -> None:
    auth.login(who)
    html = client.get(f"/applications/{history['now']}").get_data(as_text=True)
    assert 'id="history"' not in html and "另有在外资金" not in html


def test_a_first_application_says_so(client, auth, people, traveller) -> None:
    first = Flows(traveller).submit()
    auth.login("reviewer")
    assert "首次申请，无往来记录" in client.get(f"/applications/{first.id}").get_data(as_text=True)
    lifecycle.get(user("reviewer"), first.id)

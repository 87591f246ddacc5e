"""Everything that cannot be undone asks first (issue 23): every form the web posts is either confirmed — its first
press shows a confirmation page and writes nothing — or says here why it need not be. A POST route added without a
line below fails the first test; a confirmed route that acts on its first press fails the second.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from loanfund import clock
from loanfund.domain.lifecycle import State
from loanfund.extensions import db
from loanfund.models import AuditRecord, Bank, BlacklistEntry, User
from loanfund.services import lifecycle
from loanfund.services.books import bank_accounts, capital
from loanfund.services.group import dissolution, group_register
from loanfund.services.oversight import blacklist, liability
from loanfund.services.reports import monthly
from tests.conftest import Auth, form_tokens
from tests.factories import city_fund_id
from tests.flows import Flows
from tests.web.test_forms import NEW_POLICY
from tests.web.test_reports import ANALYSIS

# Why a form may act on its first press: what it changes is the user's own, is undone in a click, or decides nothing of
# the fund's money, its sanctions or its record.
EXEMPT = {
    "reports.audit_pack_ask": "asks for a file to be built from the records; writes nothing of the fund's",
    "auth.login": "a session",
    "auth.logout": "a session",
    "auth.password": "the user's own password, asked twice on the form",
    "auth.forgot": "asks for a link by e-mail; nothing changes until the link is used",
    "auth.login_code": "the second step of a login: a code, like the password before it",
    "auth.second_factor_page": "the user's own second factor, on (with a code from the app) or off (with a code)",
    "auth.reset": "the account's own password, set through the link sent to its owner and typed twice",
    "auth.my_sessions": "ends the user's own sessions; logging in again undoes it",
    "auth.notices": "the user's own e-mail setting, switched back at will",
    "inbox.read_one": "a message marked read",
    "inbox.read_all": "messages marked read",
    "enterprise.register": "a sign-up, vetted by the platform before it may do anything",
    "enterprise.edit": "the enterprise's own details, edited again at will",
    "vetting.upload_licence": "the newcomer's own licence, replaced by sending another",
    "vetting.detail": "vets a sign-up: an account vetted in error is switched off by the administrator",
    "apps.new": "an application, which the enterprise may withdraw before any money moves",
    "apps.upload": "documents added to an application: nothing is decided by filing them",
    "audit.verify": "checks the audit record; writes nothing of the fund's",
    "admin.users": "a new account, switched off again on the same page",
    "admin.toggle_active": "switches an account on or off, switched back in a click",
    "admin.lift_limits": "lifts a login limit, which new failures set again",
    "admin.reset_second_factor": "a lost phone: the user enrols again; no money or record of it changes",
    "admin.banks": "a bank's details; its designated account changes only when another person confirms",
    "admin.thresholds": "the warning thresholds, set again at will",
    "admin.checklist": "the materials checklist, edited again at will",
    "admin.requeue_mail": "sends a queued e-mail again",
    "group.record_meeting": "files a meeting and its minutes: no money or sanction is decided by filing it",
    "group.file_rules": "files a version of a rules document; a wrong one is followed by the next version",
    "bank_statement.upload": "stores the bank's own lines as it reported them; no money moves, nothing of the books",
    "bank_statement.match": "pairs a bank line with a book entry of the same amount; undone on the same page",
    "bank_statement.undo": "undoes a pairing, with its reason; the pairing is made again on the same page",
    "bank_statement.rematch": "pairs what agrees by reference, amount and day; each pairing undone at will",
    "admin.bank_formats": "how a bank's export is read, edited again at will",
    "admin.bank_format": "how a bank's export is read, edited again at will",
}


def user(username: str) -> User:
    return db.session.scalars(select(User).where(User.username == username)).one()


@dataclass(frozen=True)
class Press:
    """A valid first press of a confirmed form: who presses, where, with what, and the page the form is on."""

    username: str
    url: str
    data: dict[str, str]
    page: str


def _overdue(flows: Flows, traveller) -> int:  # type: ignore[no-untyped-def]
    a = flows.to(State.DISBURSED).id
    traveller.move_to("2026-11-12 09:00:00+08:00")
    return a


def _in_recovery(flows: Flows, traveller) -> int:  # type: ignore[no-untyped-def]
    a = _overdue(flows, traveller)
    lifecycle.open_recovery(user("operator"), a, "约谈企业")
    return a


def _claim(flows: Flows, traveller) -> Press:  # type: ignore[no-untyped-def]
    a = _overdue(flows, traveller)
    claim = liability.record_claim(user("operator"), a)
    data = {"amount": "1,000.00", "paid_on": clock.today().isoformat(), "transfer_ref": "QC-1"}
    return Press("operator", f"/bank-claims/{claim.id}/payments", data, "/bank-claims")


def _meeting() -> str:
    group_register.record_meeting(
        user("group"), clock.today(), "领导小组会议", "组长等 7 人", "纪要〔2026〕9号", [("纪要.pdf", b"%PDF-1.4\n")]
    )
    return "纪要〔2026〕9号"


DISSOLUTION = "/fund/dissolution"


def _dissolution(to: str) -> int:
    row = dissolution.propose(user("operator"), "需求变化")
    if to in ("decided", "approved"):
        dissolution.decide(user("group"), row.id, True, _meeting())
    if to == "approved":
        dissolution.record_approval(user("operator"), row.id, "政复〔2026〕88号", clock.today())
    return row.id


def _other_decision(flows: Flows, traveller) -> Press:  # type: ignore[no-untyped-def]
    data = {"minutes_ref": _meeting(), "subject": "增加首期资金规模", "outcome": "原则同意", "note": "7 票同意"}
    return Press("group", "/group/decisions", data, "/group")


def _heard(flows: Flows, traveller) -> Press:  # type: ignore[no-untyped-def]
    report = monthly.submit(user("operator"), 2026, 10, analysis="十月运行平稳")
    page = "/reports/monthly/2026/10/r1"
    return Press("group", f"/group/reports/{report.id}/heard", {"minutes_ref": _meeting(), "note": "同意"}, page)


def _proposal(flows: Flows, traveller) -> Press:  # type: ignore[no-untyped-def]
    entry = blacklist.submit_proposal(user("operator"), user("ent1").enterprise, "fraud", "虚构贸易背景", clock.today())
    return Press("group", f"/blacklist/{entry.id}/decision", {"confirm": "yes"}, "/blacklist")


def _bar(flows: Flows, traveller) -> Press:  # type: ignore[no-untyped-def]
    entry = blacklist.submit_proposal(user("operator"), user("ent1").enterprise, "fraud", "虚构贸易背景", clock.today())
    blacklist.decide(user("group"), entry.id, True)
    return Press("group", f"/blacklist/{entry.id}/lift", {"lift_reason": "经复核，原认定有误"}, "/blacklist")


def _account_change(flows: Flows, traveller) -> Press:  # type: ignore[no-untyped-def]
    icbc = db.session.scalars(select(Bank).where(Bank.code == "ICBC-LYG")).one()
    new = {"account_name": icbc.account_name, "account_no": "6222 0000 9999 0001", "account_bank": icbc.account_bank}
    change = bank_accounts.propose(icbc, new, user("admin"))
    db.session.commit()
    assert change is not None
    return Press("operator", f"/bank-accounts/{change.id}", {"confirm": "yes"}, "/bank-accounts")


def _month(flows: Flows, traveller) -> Press:  # type: ignore[no-untyped-def]
    flows.to(State.REPAID)
    traveller.move_to("2026-12-02 09:00:00+08:00")
    url = "/reports/monthly/2026/11"
    return Press("operator", f"{url}/submit", {"analysis": ANALYSIS}, url)


def _with_income(flows: Flows, traveller) -> Press:  # type: ignore[no-untyped-def]
    flows.to(State.REPAID)
    return Press("admin", "/admin/distributions", {"tax_rate": "0.06"}, "/admin/contributions")


def _payable(flows: Flows, traveller) -> Press:  # type: ignore[no-untyped-def]
    flows.to(State.REPAID)
    capital.run_distribution(city_fund_id(), clock.today(), __import__("decimal").Decimal("0.06"))
    return Press("admin", "/admin/distributions/payment", {"bank_ref": "FP1"}, "/admin/contributions")


def _ledger(flows: Flows, traveller) -> Press:  # type: ignore[no-untyped-def]
    import io

    from tests.integration.test_ledger_import import row, workbook

    data = {"file": (io.BytesIO(workbook([row(n) for n in range(3)])), "台账.xlsx")}
    return Press("admin", "/admin/ledger-import", data, "/admin/ledger-import")  # type: ignore[arg-type]


def _future_version() -> int:
    """A version the administrator added to take effect next year: still open to correction and withdrawal."""
    from datetime import date

    from loanfund.models import PolicyVersion
    from tests.factories import COUNTY_POLICY, city_fund_id

    name = "连政规发〔2027〕1号（测试）"
    version = PolicyVersion(
        fund_id=city_fund_id(),
        name=name,
        effective_from=date(2027, 1, 1),
        parameters=COUNTY_POLICY | {"name": name, "effective_from": "2027-01-01"},
    )
    db.session.add(version)
    db.session.commit()
    return version.id


def _revision(flows: Flows, traveller) -> Press:  # type: ignore[no-untyped-def]
    url = f"/admin/policies/{_future_version()}"
    return Press("admin", url, NEW_POLICY | {"effective_from": "2027-01-01", "reason": "文号更正"}, url)


def _withdrawal(flows: Flows, traveller) -> Press:  # type: ignore[no-untyped-def]
    url = f"/admin/policies/{_future_version()}"
    return Press("admin", f"{url}/withdrawal", {"reason": "市政府决定暂缓"}, url)


def _step(state: State, username: str, action: str, data: dict[str, str]) -> Callable[..., Press]:
    def make(flows: Flows, traveller) -> Press:  # type: ignore[no-untyped-def]
        a = flows.to(state).id
        return Press(username, f"/applications/{a}/{action}", data, f"/applications/{a}")

    return make


CONFIRMED: dict[str, list[Callable[..., Press]]] = {
    "apps.act": [
        _step(State.SUBMITTED, "ent1", "withdraw", {"reason": "不再需要"}),
        _step(
            State.BANK_COMMITTED,
            "operator",
            "approve",
            {"amount": "30,000,000.00", "own_funds_confirmed": "10,000,000.00"},
        ),
        _step(State.ACCEPTED, "bank1", "decline", {"opinion": "不同意续贷"}),
    ],
    "liability.record": [
        lambda flows, traveller: Press(
            "operator",
            f"/applications/{(a := _overdue(flows, traveller))}/bank-claim",
            {"basis": "银行未按承诺续贷"},
            f"/applications/{a}",
        )
    ],
    "liability.pay": [_claim],
    "group.record_decision": [_other_decision],
    "dissolution.propose": [
        lambda flows, traveller: Press("operator", f"{DISSOLUTION}/propose", {"reason": "需求变化"}, DISSOLUTION)
    ],
    "dissolution.decide": [
        lambda flows, traveller: Press(
            "group",
            f"{DISSOLUTION}/{_dissolution('proposed')}/decide",
            {"decision": "dissolve", "minutes_ref": _meeting()},
            DISSOLUTION,
        )
    ],
    "dissolution.approval": [
        lambda flows, traveller: Press(
            "operator",
            f"{DISSOLUTION}/{_dissolution('decided')}/approval",
            {"approval_ref": "政复〔2026〕88号", "approved_on": clock.today().isoformat()},
            DISSOLUTION,
        )
    ],
    "dissolution.close": [
        lambda flows, traveller: Press(
            "operator",
            f"{DISSOLUTION}/{_dissolution('approved')}/close",
            {"closed_on": clock.today().isoformat(), "bank_ref": "JS1"},
            DISSOLUTION,
        )
    ],
    "group.heard": [_heard],
    "green.issue": [
        lambda flows, traveller: Press(
            "operator",
            f"/applications/{(a := flows.to(State.ACCEPTED, mortgage='land').id)}/green-channel",
            {},
            f"/applications/{a}",
        )
    ],
    "recovery.cause": [
        lambda flows, traveller: Press(
            "operator",
            f"/applications/{(a := _in_recovery(flows, traveller))}/recovery/cause",
            {"cause": "企业下游货款未到"},
            f"/applications/{a}/recovery",
        )
    ],
    "recovery.measure": [
        lambda flows, traveller: Press(
            "operator",
            f"/applications/{(a := _in_recovery(flows, traveller))}/recovery/measures",
            {
                "taken_on": clock.today().isoformat(),
                "measure": "企业归还部分",
                "amount": "100,000.00",
                "transfer_ref": "HS-9",
            },
            f"/applications/{a}/recovery",
        )
    ],
    "blacklist.propose": [
        lambda flows, traveller: Press(
            "operator",
            "/blacklist",
            {
                "credit_code": user("ent1").enterprise.credit_code,  # type: ignore[union-attr]
                "ground": "fraud",
                "basis": "虚构贸易背景",
                "listed_on": clock.today().isoformat(),
            },
            "/blacklist",
        )
    ],
    "blacklist.decide": [_proposal],
    "blacklist.lift": [_bar],
    "bank_accounts.decide": [_account_change],
    "reports.submit": [_month],
    "admin.contributions": [
        lambda flows, traveller: Press(
            "admin",
            "/admin/contributions",
            {
                "contributor_name": "灌云县财政局",
                "kind": "county",
                "amount": "10,000,000.00",
                "received_on": clock.today().isoformat(),
                "reference": "CZ-GY-1",
            },
            "/admin/contributions",
        )
    ],
    "admin.distribute": [_with_income],
    "admin.pay": [_payable],
    "admin.ledger_import_run": [_ledger],
    "admin.policies": [lambda flows, traveller: Press("admin", "/admin/policies", NEW_POLICY, "/admin/policies")],
    "admin.revise_policy": [_revision],
    "admin.withdraw_policy": [_withdrawal],
}


def test_every_form_the_web_posts_is_confirmed_or_says_why_not(app: Flask) -> None:
    posted = {
        r.endpoint for r in app.url_map.iter_rules() if "POST" in (r.methods or ()) and not r.rule.startswith("/api")
    }
    assert set(EXEMPT).isdisjoint(CONFIRMED)
    assert posted == set(EXEMPT) | set(CONFIRMED)


def _cases() -> list[tuple[str, int]]:
    return [(endpoint, n) for endpoint, makers in CONFIRMED.items() for n in range(len(makers))]


@pytest.mark.parametrize(("endpoint", "n"), _cases(), ids=[f"{e}-{n}" for e, n in _cases()])
def test_a_confirmed_form_shows_what_it_will_do_and_writes_nothing_on_its_first_press(
    client, auth: Auth, flows: Flows, traveller, endpoint: str, n: int
) -> None:
    press = CONFIRMED[endpoint][n](flows, traveller)
    auth.login(press.username)
    tokens = form_tokens(client.get(press.page).get_data(as_text=True), press.url)
    written = db.session.scalar(select(func.count()).select_from(AuditRecord))
    entries = db.session.scalar(select(func.count()).select_from(BlacklistEntry))
    answer = client.post(press.url, data=press.data | tokens)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200, (endpoint, answer.status_code, html[:2000])
    assert '<h1 class="h4 mb-1">请确认：' in html and 'name="confirmed"' in html, endpoint
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AuditRecord)) == written, endpoint
    assert db.session.scalar(select(func.count()).select_from(BlacklistEntry)) == entries, endpoint
    traveller.shift(timedelta(0))
